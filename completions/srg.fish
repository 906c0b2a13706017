function __srg_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __srg_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __srg_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __srg_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __srg_parse_tokens -S
    set -l unparsed_tokens (__srg_tokens -pc)
    switch $unparsed_tokens[1]
    case 'srg'
        __srg_parse_subcommand 0 'h/help'
        switch $unparsed_tokens[1]
        case 'import'
            __srg_parse_subcommand 1 'o/output=' 'name=' 'noise=' 'unet-blur' 'no-unet-blur' 'unet-y-range=' 'f/force' 'h/help'
        case 'info'
            __srg_parse_subcommand -r 1 'json' 'h/help'
        case 'verify'
            __srg_parse_subcommand -r 1 'h/help'
        case 'bench'
            __srg_parse_subcommand -r 1 'size=' 'threads=' 'runs=' 'json' 'h/help'
        case 'help'
            __srg_parse_subcommand -r 1 
        end
    end
end

function __srg_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __srg_parse_subcommand -S -a positional_count
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

function __srg_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __srg_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__srg_tokens -p)
    if test -z "$(__srg_tokens -t)"
        set -l index (count (__srg_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'srg' -f
complete -c 'srg' -n '__srg_should_offer_completions_for_flags_or_options "srg" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'srg' -n '__srg_should_offer_completions_for_positional "srg" -eq 1' -fa 'import' -d 'Convert a pretrained generator into an .srg file.'
complete -c 'srg' -n '__srg_should_offer_completions_for_positional "srg" -eq 1' -fa 'info' -d 'Show a model\'s metadata, size and cost.'
complete -c 'srg' -n '__srg_should_offer_completions_for_positional "srg" -eq 1' -fa 'verify' -d 'Check models\' checksums and structure; print \'OK\' per good file.'
complete -c 'srg' -n '__srg_should_offer_completions_for_positional "srg" -eq 1' -fa 'bench' -d 'Time a model\'s forward pass on a random input (milliseconds, megapixels per second, GFLOP/s).'
complete -c 'srg' -n '__srg_should_offer_completions_for_positional "srg" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'srg' -n '__srg_should_offer_completions_for_positional "srg import" -eq 1' -fa '(set -l exts \'param\' \'pth\' \'pt\' \'ckpt\' \'safetensors\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'srg' -n '__srg_should_offer_completions_for_flags_or_options "srg import" o output' -l 'output' -s 'o' -d 'The .srg file to write.' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'srg\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'srg' -n '__srg_should_offer_completions_for_flags_or_options "srg import" name' -l 'name' -d 'The model\'s name (default: from the source file name).' -rfka ''
complete -c 'srg' -n '__srg_should_offer_completions_for_flags_or_options "srg import" noise' -l 'noise' -d 'SRMD\'s noise level, 0-10, for models with a noise-level input.' -rfka ''
complete -c 'srg' -n '__srg_should_offer_completions_for_flags_or_options "srg import" unet-blur' -l 'unet-blur' -d 'fast.ai U-Net: its UnetBlocks blur after upsampling (blur=True, as fast.ai\'s decrappify trains it; fastai v2\'s default is False). Not in the checkpoint.'
complete -c 'srg' -n '__srg_should_offer_completions_for_flags_or_options "srg import" no-unet-blur' -l 'no-unet-blur' -d 'fast.ai U-Net: its UnetBlocks blur after upsampling (blur=True, as fast.ai\'s decrappify trains it; fastai v2\'s default is False). Not in the checkpoint.'
complete -c 'srg' -n '__srg_should_offer_completions_for_flags_or_options "srg import" unet-y-range' -l 'unet-y-range' -d 'fast.ai U-Net: the y_range of its last layer, or \'none\'. Not in the checkpoint.' -rfka ''
complete -c 'srg' -n '__srg_should_offer_completions_for_flags_or_options "srg import" f force' -l 'force' -s 'f' -d 'Overwrite an existing output file.'
complete -c 'srg' -n '__srg_should_offer_completions_for_flags_or_options "srg import" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'srg' -n '__srg_should_offer_completions_for_positional "srg info" -ge 1' -fa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'srg\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'srg' -n '__srg_should_offer_completions_for_flags_or_options "srg info" json' -l 'json' -d 'Write one JSON record per model.'
complete -c 'srg' -n '__srg_should_offer_completions_for_flags_or_options "srg info" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'srg' -n '__srg_should_offer_completions_for_positional "srg verify" -ge 1' -fa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'srg\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'srg' -n '__srg_should_offer_completions_for_flags_or_options "srg verify" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'srg' -n '__srg_should_offer_completions_for_positional "srg bench" -ge 1' -fa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'srg\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'srg' -n '__srg_should_offer_completions_for_flags_or_options "srg bench" size' -l 'size' -d 'Input side in pixels (rounded up to the model\'s size multiple).' -rfka ''
complete -c 'srg' -n '__srg_should_offer_completions_for_flags_or_options "srg bench" threads' -l 'threads' -d 'Threads one forward pass is split over.' -rfka ''
complete -c 'srg' -n '__srg_should_offer_completions_for_flags_or_options "srg bench" runs' -l 'runs' -d 'Timed runs (after one warm-up); the best is reported.' -rfka ''
complete -c 'srg' -n '__srg_should_offer_completions_for_flags_or_options "srg bench" json' -l 'json' -d 'Write one JSON record per model.'
complete -c 'srg' -n '__srg_should_offer_completions_for_flags_or_options "srg bench" h help' -s 'h' -l 'help' -d 'Show help information.'
