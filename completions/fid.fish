function __fid_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __fid_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __fid_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __fid_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __fid_parse_tokens -S
    set -l unparsed_tokens (__fid_tokens -pc)
    switch $unparsed_tokens[1]
    case 'fid'
        __fid_parse_subcommand -r 1 'dims=' 'weights=' 'save-stats=' 'kid' 'kid-subsets=' 'kid-subset-size=' 'seed=' '0/null' 'json' 'j/jobs=' 'q/quiet' 'max-pixels=' 'h/help'
        switch $unparsed_tokens[1]
        case 'help'
            __fid_parse_subcommand -r 1 
        end
    end
end

function __fid_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __fid_parse_subcommand -S -a positional_count
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

function __fid_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __fid_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__fid_tokens -p)
    if test -z "$(__fid_tokens -t)"
        set -l index (count (__fid_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'fid' -f
complete -c 'fid' -n '__fid_should_offer_completions_for_positional "fid" -ge 1' -F
complete -c 'fid' -n '__fid_should_offer_completions_for_flags_or_options "fid" dims' -l 'dims' -d 'Features of pytorch-fid\'s block: 64, 192, 768 or 2048 (pool3).' -rfka ''
complete -c 'fid' -n '__fid_should_offer_completions_for_flags_or_options "fid" weights' -l 'weights' -d 'The Inception weights: an .srg from srg import, or pytorch-fid\'s .pth (default: $SRG_FID_WEIGHTS, then inception-fid in the model path).' -rfa '(set -l exts \'srg\' \'pth\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'fid' -n '__fid_should_offer_completions_for_flags_or_options "fid" save-stats' -l 'save-stats' -d 'Write the first set\'s statistics (mu, sigma) as an .npz numpy and pytorch-fid read.' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'npz\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'fid' -n '__fid_should_offer_completions_for_flags_or_options "fid" kid' -l 'kid' -d 'Also compute the Kernel Inception Distance (cubic polynomial kernel, unbiased, over random subsets).'
complete -c 'fid' -n '__fid_should_offer_completions_for_flags_or_options "fid" kid-subsets' -l 'kid-subsets' -d 'KID: number of subsets.' -rfka ''
complete -c 'fid' -n '__fid_should_offer_completions_for_flags_or_options "fid" kid-subset-size' -l 'kid-subset-size' -d 'KID: subset size (at most the smaller set).' -rfka ''
complete -c 'fid' -n '__fid_should_offer_completions_for_flags_or_options "fid" seed' -l 'seed' -d 'KID: seed of the subset draws.' -rfka ''
complete -c 'fid' -n '__fid_should_offer_completions_for_flags_or_options "fid" 0 null' -s '0' -l 'null' -d 'The list on standard input is NUL-separated.'
complete -c 'fid' -n '__fid_should_offer_completions_for_flags_or_options "fid" json' -l 'json' -d 'Write one JSON object.'
complete -c 'fid' -n '__fid_should_offer_completions_for_flags_or_options "fid" j jobs' -l 'jobs' -s 'j' -d 'Images processed at once (default: the number of cores).' -rfka ''
complete -c 'fid' -n '__fid_should_offer_completions_for_flags_or_options "fid" q quiet' -l 'quiet' -s 'q' -d 'No progress bar.'
complete -c 'fid' -n '__fid_should_offer_completions_for_flags_or_options "fid" max-pixels' -l 'max-pixels' -d 'Refuse images with more pixels than this (0: no limit).' -rfka ''
complete -c 'fid' -n '__fid_should_offer_completions_for_flags_or_options "fid" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'fid' -n '__fid_should_offer_completions_for_positional "fid" -eq 2' -fa 'help' -d 'Show subcommand help information.'
