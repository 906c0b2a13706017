function __downscale_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __downscale_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __downscale_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __downscale_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __downscale_parse_tokens -S
    set -l unparsed_tokens (__downscale_tokens -pc)
    switch $unparsed_tokens[1]
    case 'downscale'
        __downscale_parse_subcommand -r 1 '0/null' 'o/output=' 'format=' 'strip' 'f/force' 'skip-existing' 'j/jobs=' 'q/quiet' 'json' 'max-pixels=' 's/scale=' 'width=' 'height=' 'size=' 'k/kernel=' 'modcrop' 'crop-square' 'h/help'
        switch $unparsed_tokens[1]
        case 'help'
            __downscale_parse_subcommand -r 1 
        end
    end
end

function __downscale_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __downscale_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __downscale_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __downscale_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__downscale_tokens -p)
    if test -z "$(__downscale_tokens -t)"
        set -l index (count (__downscale_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'downscale' -f
complete -c 'downscale' -n '__downscale_should_offer_completions_for_positional "downscale" -ge 1' -F
complete -c 'downscale' -n '__downscale_should_offer_completions_for_flags_or_options "downscale" 0 null' -s '0' -l 'null' -d 'The path list on standard input is NUL-separated (find -print0).'
complete -c 'downscale' -n '__downscale_should_offer_completions_for_flags_or_options "downscale" o output' -l 'output' -s 'o' -d 'Where to write: DIR/ mirrors the inputs\' tree under DIR; a template with %s (stem), %d (folder), %e (extension); a file (one input); \'-\' for standard output. Saver options may follow in brackets: \'out/[Q=90,strip]\'.' -rfa '(__downscale_complete_directories)'
complete -c 'downscale' -n '__downscale_should_offer_completions_for_flags_or_options "downscale" format' -l 'format' -d 'Output format by extension (jpg, png, webp, tif, ...), optionally with saver options: \'webp[lossless]\'.' -rfka ''
complete -c 'downscale' -n '__downscale_should_offer_completions_for_flags_or_options "downscale" strip' -l 'strip' -d 'Drop metadata (EXIF, XMP, ICC profile) from the outputs; by default it is kept.'
complete -c 'downscale' -n '__downscale_should_offer_completions_for_flags_or_options "downscale" f force' -l 'force' -s 'f' -d 'Overwrite existing output files.'
complete -c 'downscale' -n '__downscale_should_offer_completions_for_flags_or_options "downscale" skip-existing' -l 'skip-existing' -d 'Skip inputs whose output file already exists (for re-runs).'
complete -c 'downscale' -n '__downscale_should_offer_completions_for_flags_or_options "downscale" j jobs' -l 'jobs' -s 'j' -d 'Images processed at once (default: the number of cores).' -rfka ''
complete -c 'downscale' -n '__downscale_should_offer_completions_for_flags_or_options "downscale" q quiet' -l 'quiet' -s 'q' -d 'No progress bar and no warnings; errors are still reported.'
complete -c 'downscale' -n '__downscale_should_offer_completions_for_flags_or_options "downscale" json' -l 'json' -d 'Write one JSON record per input to standard output (JSON Lines).'
complete -c 'downscale' -n '__downscale_should_offer_completions_for_flags_or_options "downscale" max-pixels' -l 'max-pixels' -d 'Refuse images with more pixels than this (0: no limit).' -rfka ''
complete -c 'downscale' -n '__downscale_should_offer_completions_for_flags_or_options "downscale" s scale' -l 'scale' -s 's' -d 'Shrink by this factor (4 = a quarter of each side; need not be an integer).' -rfka ''
complete -c 'downscale' -n '__downscale_should_offer_completions_for_flags_or_options "downscale" width' -l 'width' -d 'Output width in pixels (height follows the aspect ratio unless given).' -rfka ''
complete -c 'downscale' -n '__downscale_should_offer_completions_for_flags_or_options "downscale" height' -l 'height' -d 'Output height in pixels (width follows the aspect ratio unless given).' -rfka ''
complete -c 'downscale' -n '__downscale_should_offer_completions_for_flags_or_options "downscale" size' -l 'size' -d 'Output size as WIDTHxHEIGHT.' -rfka ''
complete -c 'downscale' -n '__downscale_should_offer_completions_for_flags_or_options "downscale" k kernel' -l 'kernel' -s 'k' -d 'Resampling kernel: matlab, pil, or libvips\' nearest, linear, cubic, mitchell, lanczos2, lanczos3.' -rfka 'matlab pil nearest linear cubic mitchell lanczos2 lanczos3'
complete -c 'downscale' -n '__downscale_should_offer_completions_for_flags_or_options "downscale" modcrop' -l 'modcrop' -d 'First crop each image (from the top left) so its sides divide by the integer --scale, as SR datasets do.'
complete -c 'downscale' -n '__downscale_should_offer_completions_for_flags_or_options "downscale" crop-square' -l 'crop-square' -d 'First crop the centred square of each image.'
complete -c 'downscale' -n '__downscale_should_offer_completions_for_flags_or_options "downscale" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'downscale' -n '__downscale_should_offer_completions_for_positional "downscale" -eq 2' -fa 'help' -d 'Show subcommand help information.'
