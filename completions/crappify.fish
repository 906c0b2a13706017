function __crappify_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __crappify_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __crappify_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __crappify_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __crappify_parse_tokens -S
    set -l unparsed_tokens (__crappify_tokens -pc)
    switch $unparsed_tokens[1]
    case 'crappify'
        __crappify_parse_subcommand -r 1 '0/null' 'o/output=' 'format=' 'strip' 'f/force' 'skip-existing' 'j/jobs=' 'q/quiet' 'json' 'max-pixels=' 'recipe=' 'size=' 'scale=' 'downscale=+' 'blur=+' 'noise=+' 'jpeg=+' 'text' 'seed=' 'manifest=' 'pairs=' 'patch=' 'patches-per-image=' 'h/help'
        switch $unparsed_tokens[1]
        case 'help'
            __crappify_parse_subcommand -r 1 
        end
    end
end

function __crappify_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __crappify_parse_subcommand -S -a positional_count
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

function __crappify_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __crappify_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__crappify_tokens -p)
    if test -z "$(__crappify_tokens -t)"
        set -l index (count (__crappify_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'crappify' -f
complete -c 'crappify' -n '__crappify_should_offer_completions_for_positional "crappify" -ge 1' -F
complete -c 'crappify' -n '__crappify_should_offer_completions_for_flags_or_options "crappify" 0 null' -s '0' -l 'null' -d 'The path list on standard input is NUL-separated (find -print0).'
complete -c 'crappify' -n '__crappify_should_offer_completions_for_flags_or_options "crappify" o output' -l 'output' -s 'o' -d 'Where to write: DIR/ mirrors the inputs\' tree under DIR; a template with %s (stem), %d (folder), %e (extension); a file (one input); \'-\' for standard output. Saver options may follow in brackets: \'out/[Q=90,strip]\'.' -rfa '(__crappify_complete_directories)'
complete -c 'crappify' -n '__crappify_should_offer_completions_for_flags_or_options "crappify" format' -l 'format' -d 'Output format by extension (jpg, png, webp, tif, ...), optionally with saver options: \'webp[lossless]\'.' -rfka ''
complete -c 'crappify' -n '__crappify_should_offer_completions_for_flags_or_options "crappify" strip' -l 'strip' -d 'Drop metadata (EXIF, XMP, ICC profile) from the outputs; by default it is kept.'
complete -c 'crappify' -n '__crappify_should_offer_completions_for_flags_or_options "crappify" f force' -l 'force' -s 'f' -d 'Overwrite existing output files.'
complete -c 'crappify' -n '__crappify_should_offer_completions_for_flags_or_options "crappify" skip-existing' -l 'skip-existing' -d 'Skip inputs whose output file already exists (for re-runs).'
complete -c 'crappify' -n '__crappify_should_offer_completions_for_flags_or_options "crappify" j jobs' -l 'jobs' -s 'j' -d 'Images processed at once (default: the number of cores).' -rfka ''
complete -c 'crappify' -n '__crappify_should_offer_completions_for_flags_or_options "crappify" q quiet' -l 'quiet' -s 'q' -d 'No progress bar and no warnings; errors are still reported.'
complete -c 'crappify' -n '__crappify_should_offer_completions_for_flags_or_options "crappify" json' -l 'json' -d 'Write one JSON record per input to standard output (JSON Lines).'
complete -c 'crappify' -n '__crappify_should_offer_completions_for_flags_or_options "crappify" max-pixels' -l 'max-pixels' -d 'Refuse images with more pixels than this (0: no limit).' -rfka ''
complete -c 'crappify' -n '__crappify_should_offer_completions_for_flags_or_options "crappify" recipe' -l 'recipe' -d 'Degradation recipe: fastai or realesrgan (default fastai; not with stage options).' -rfka 'fastai realesrgan'
complete -c 'crappify' -n '__crappify_should_offer_completions_for_flags_or_options "crappify" size' -l 'size' -d 'fastai: the shorter side of the result, in pixels.' -rfka ''
complete -c 'crappify' -n '__crappify_should_offer_completions_for_flags_or_options "crappify" scale' -l 'scale' -d 'realesrgan: the scale factor (the result is 1/scale of each side).' -rfka ''
complete -c 'crappify' -n '__crappify_should_offer_completions_for_flags_or_options "crappify"' -l 'downscale' -d 'Stage: shrink by this factor with MATLAB\'s antialiased bicubic.' -rfka ''
complete -c 'crappify' -n '__crappify_should_offer_completions_for_flags_or_options "crappify"' -l 'blur' -d 'Stage: Gaussian blur of this sigma in pixels, or a range (0.5-2) to draw from.' -rfka ''
complete -c 'crappify' -n '__crappify_should_offer_completions_for_flags_or_options "crappify"' -l 'noise' -d 'Stage: Gaussian colour noise of this sigma in 8-bit levels, or a range to draw from.' -rfka ''
complete -c 'crappify' -n '__crappify_should_offer_completions_for_flags_or_options "crappify"' -l 'jpeg' -d 'Stage: JPEG round trip at this quality (1-100), or a range (30-90) to draw from.' -rfka ''
complete -c 'crappify' -n '__crappify_should_offer_completions_for_flags_or_options "crappify"' -l 'text' -d 'Stage: draw a random number in a random size, position and colour.'
complete -c 'crappify' -n '__crappify_should_offer_completions_for_flags_or_options "crappify" seed' -l 'seed' -d 'Seed of the random draws, mixed with each input\'s path.' -rfka ''
complete -c 'crappify' -n '__crappify_should_offer_completions_for_flags_or_options "crappify" manifest' -l 'manifest' -d 'Write each image\'s drawn parameters to this file (JSON Lines, sorted by input).' -rF
complete -c 'crappify' -n '__crappify_should_offer_completions_for_flags_or_options "crappify" pairs' -l 'pairs' -d 'Write training pairs: DIR/hr/NAME and DIR/lr/NAME (instead of -o).' -rfa '(__crappify_complete_directories)'
complete -c 'crappify' -n '__crappify_should_offer_completions_for_flags_or_options "crappify" patch' -l 'patch' -d 'With --pairs: write random aligned patches this many HR pixels square.' -rfka ''
complete -c 'crappify' -n '__crappify_should_offer_completions_for_flags_or_options "crappify" patches-per-image' -l 'patches-per-image' -d 'With --patch: patches per image.' -rfka ''
complete -c 'crappify' -n '__crappify_should_offer_completions_for_flags_or_options "crappify" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'crappify' -n '__crappify_should_offer_completions_for_positional "crappify" -eq 2' -fa 'help' -d 'Show subcommand help information.'
