function __ssim_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __ssim_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __ssim_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __ssim_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __ssim_parse_tokens -S
    set -l unparsed_tokens (__ssim_tokens -pc)
    switch $unparsed_tokens[1]
    case 'ssim'
        __ssim_parse_subcommand -r 1 '0/null' 'metrics=' 'skimage' 'y' 'crop=' 'matlab' 'data-range=' 'crop-to-smaller' 'json' 'csv' 'j/jobs=' 'q/quiet' 'max-pixels=' 'h/help'
        switch $unparsed_tokens[1]
        case 'help'
            __ssim_parse_subcommand -r 1 
        end
    end
end

function __ssim_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __ssim_parse_subcommand -S -a positional_count
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

function __ssim_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __ssim_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__ssim_tokens -p)
    if test -z "$(__ssim_tokens -t)"
        set -l index (count (__ssim_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'ssim' -f
complete -c 'ssim' -n '__ssim_should_offer_completions_for_positional "ssim" -ge 1' -F
complete -c 'ssim' -n '__ssim_should_offer_completions_for_flags_or_options "ssim" 0 null' -s '0' -l 'null' -d 'Pairs on standard input are NUL-separated paths, reference then test.'
complete -c 'ssim' -n '__ssim_should_offer_completions_for_flags_or_options "ssim" metrics' -l 'metrics' -d 'Metrics to report, in order: ssim, psnr, msssim.' -rfka ''
complete -c 'ssim' -n '__ssim_should_offer_completions_for_flags_or_options "ssim" skimage' -l 'skimage' -d 'scikit-image\'s defaults instead of Wang\'s: 7x7 uniform window, sample covariance.'
complete -c 'ssim' -n '__ssim_should_offer_completions_for_flags_or_options "ssim" y' -l 'y' -d 'Compare the luma of MATLAB\'s rgb2ycbcr (16 + 65.481 R + 128.553 G + 24.966 B) instead of each channel.'
complete -c 'ssim' -n '__ssim_should_offer_completions_for_flags_or_options "ssim" crop' -l 'crop' -d 'Cut this many pixels from every border first (the SR papers use the scale).' -rfka ''
complete -c 'ssim' -n '__ssim_should_offer_completions_for_flags_or_options "ssim" matlab' -l 'matlab' -d 'Downsample before SSIM as MATLAB\'s ssim.m does: factor round(min(side) / 256), box filter.'
complete -c 'ssim' -n '__ssim_should_offer_completions_for_flags_or_options "ssim" data-range' -l 'data-range' -d 'The value range of the samples (default: 255 for 8-bit, 65535 for 16-bit; required for float images).' -rfka ''
complete -c 'ssim' -n '__ssim_should_offer_completions_for_flags_or_options "ssim" crop-to-smaller' -l 'crop-to-smaller' -d 'Compare images of different sizes over their common top-left part.'
complete -c 'ssim' -n '__ssim_should_offer_completions_for_flags_or_options "ssim" json' -l 'json' -d 'Write JSON Lines: one object per pair, then a summary object.'
complete -c 'ssim' -n '__ssim_should_offer_completions_for_flags_or_options "ssim" csv' -l 'csv' -d 'Write CSV with a header row.'
complete -c 'ssim' -n '__ssim_should_offer_completions_for_flags_or_options "ssim" j jobs' -l 'jobs' -s 'j' -d 'Pairs compared at once (default: the number of cores).' -rfka ''
complete -c 'ssim' -n '__ssim_should_offer_completions_for_flags_or_options "ssim" q quiet' -l 'quiet' -s 'q' -d 'No progress bar.'
complete -c 'ssim' -n '__ssim_should_offer_completions_for_flags_or_options "ssim" max-pixels' -l 'max-pixels' -d 'Refuse images with more pixels than this (0: no limit).' -rfka ''
complete -c 'ssim' -n '__ssim_should_offer_completions_for_flags_or_options "ssim" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'ssim' -n '__ssim_should_offer_completions_for_positional "ssim" -eq 2' -fa 'help' -d 'Show subcommand help information.'
