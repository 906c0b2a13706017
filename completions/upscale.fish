function __upscale_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __upscale_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __upscale_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __upscale_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __upscale_parse_tokens -S
    set -l unparsed_tokens (__upscale_tokens -pc)
    switch $unparsed_tokens[1]
    case 'upscale'
        __upscale_parse_subcommand -r 1 '0/null' 'o/output=' 'format=' 'strip' 'f/force' 'skip-existing' 'j/jobs=' 'q/quiet' 'json' 'max-pixels=' 'm/model=' 's/scale=' 'outscale=' 'width=' 'height=' 'tile=' 'memory=' 'tta' 'alpha=' 'pages=' 'list-models' 'h/help'
        switch $unparsed_tokens[1]
        case 'help'
            __upscale_parse_subcommand -r 1 
        end
    end
end

function __upscale_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __upscale_parse_subcommand -S -a positional_count
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

function __upscale_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __upscale_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__upscale_tokens -p)
    if test -z "$(__upscale_tokens -t)"
        set -l index (count (__upscale_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'upscale' -f
complete -c 'upscale' -n '__upscale_should_offer_completions_for_positional "upscale" -ge 1' -F
complete -c 'upscale' -n '__upscale_should_offer_completions_for_flags_or_options "upscale" 0 null' -s '0' -l 'null' -d 'The path list on standard input is NUL-separated (find -print0).'
complete -c 'upscale' -n '__upscale_should_offer_completions_for_flags_or_options "upscale" o output' -l 'output' -s 'o' -d 'Where to write: DIR/ mirrors the inputs\' tree under DIR; a template with %s (stem), %d (folder), %e (extension); a file (one input); \'-\' for standard output. Saver options may follow in brackets: \'out/[Q=90,strip]\'.' -rfa '(__upscale_complete_directories)'
complete -c 'upscale' -n '__upscale_should_offer_completions_for_flags_or_options "upscale" format' -l 'format' -d 'Output format by extension (jpg, png, webp, tif, ...), optionally with saver options: \'webp[lossless]\'.' -rfka ''
complete -c 'upscale' -n '__upscale_should_offer_completions_for_flags_or_options "upscale" strip' -l 'strip' -d 'Drop metadata (EXIF, XMP, ICC profile) from the outputs; by default it is kept.'
complete -c 'upscale' -n '__upscale_should_offer_completions_for_flags_or_options "upscale" f force' -l 'force' -s 'f' -d 'Overwrite existing output files.'
complete -c 'upscale' -n '__upscale_should_offer_completions_for_flags_or_options "upscale" skip-existing' -l 'skip-existing' -d 'Skip inputs whose output file already exists (for re-runs).'
complete -c 'upscale' -n '__upscale_should_offer_completions_for_flags_or_options "upscale" j jobs' -l 'jobs' -s 'j' -d 'Images processed at once (default: the number of cores).' -rfka ''
complete -c 'upscale' -n '__upscale_should_offer_completions_for_flags_or_options "upscale" q quiet' -l 'quiet' -s 'q' -d 'No progress bar and no warnings; errors are still reported.'
complete -c 'upscale' -n '__upscale_should_offer_completions_for_flags_or_options "upscale" json' -l 'json' -d 'Write one JSON record per input to standard output (JSON Lines).'
complete -c 'upscale' -n '__upscale_should_offer_completions_for_flags_or_options "upscale" max-pixels' -l 'max-pixels' -d 'Refuse images with more pixels than this (0: no limit).' -rfka ''
complete -c 'upscale' -n '__upscale_should_offer_completions_for_flags_or_options "upscale" m model' -l 'model' -s 'm' -d 'Model name or .srg file, or bicubic or lanczos.' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'srg\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'upscale' -n '__upscale_should_offer_completions_for_flags_or_options "upscale" s scale' -l 'scale' -s 's' -d 'Scale of the bicubic and lanczos baselines (a network\'s scale is its own).' -rfka ''
complete -c 'upscale' -n '__upscale_should_offer_completions_for_flags_or_options "upscale" outscale' -l 'outscale' -d 'Resize the result by this factor relative to the input (for example 2 with a x4 model).' -rfka ''
complete -c 'upscale' -n '__upscale_should_offer_completions_for_flags_or_options "upscale" width' -l 'width' -d 'Resize the result to this width (height follows unless given).' -rfka ''
complete -c 'upscale' -n '__upscale_should_offer_completions_for_flags_or_options "upscale" height' -l 'height' -d 'Resize the result to this height (width follows unless given).' -rfka ''
complete -c 'upscale' -n '__upscale_should_offer_completions_for_flags_or_options "upscale" tile' -l 'tile' -d 'Tile side in input pixels (default: from --memory and the model\'s cost). Tiles that would pass --memory, or whose memory cannot be allocated, are halved.' -rfka ''
complete -c 'upscale' -n '__upscale_should_offer_completions_for_flags_or_options "upscale" memory' -l 'memory' -d 'Memory budget for the network\'s working tensors, in MiB: tiles running at once stay within it.' -rfka ''
complete -c 'upscale' -n '__upscale_should_offer_completions_for_flags_or_options "upscale" tta' -l 'tta' -d 'Average the network over the 8 flips and rotations of each tile (8 times slower).'
complete -c 'upscale' -n '__upscale_should_offer_completions_for_flags_or_options "upscale" alpha' -l 'alpha' -d 'How alpha is enlarged: resize (the bicubic kernel) or model (through the network, as grey).' -rfka 'resize model'
complete -c 'upscale' -n '__upscale_should_offer_completions_for_flags_or_options "upscale" pages' -l 'pages' -d 'Pages of animated GIF/WebP and multi-page TIFF files to upscale: first or all.' -rfka 'first all'
complete -c 'upscale' -n '__upscale_should_offer_completions_for_flags_or_options "upscale" list-models' -l 'list-models' -d 'List the installed models and exit.'
complete -c 'upscale' -n '__upscale_should_offer_completions_for_flags_or_options "upscale" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'upscale' -n '__upscale_should_offer_completions_for_positional "upscale" -eq 2' -fa 'help' -d 'Show subcommand help information.'
