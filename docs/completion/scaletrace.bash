# bash completion for scaletrace(8)                              -*- shell-script -*-
# SPDX-License-Identifier: GPL-2.0
#
# Subcommands and options are read from the binary itself ('scaletrace help',
# 'scaletrace SUBCMD --help') the first time they are needed and cached, so
# completion follows the installed version. Option arguments: files for the
# output/input options, pids, cgroup directories, task names, block devices and
# the fixed value lists of --by, --colors and --state. After '--': a command.
# Works with or without the bash-completion package.

# Subcommand names from 'scaletrace help' ("SUBCOMMANDS:" then "  name  summary").
_scaletrace_subcmds()
{
	local bin=$1 line in=0 IFS=$' \t\n'
	while IFS= read -r line; do
		case $line in
		SUBCOMMANDS:*) in=1 ;;
		'') [[ $in == 1 ]] && in=2 ;;
		'  '[a-z]*) [[ $in == 1 ]] && line=${line#  } && printf '%s\n' "${line%% *}" ;;
		esac
	done < <("$bin" help 2>/dev/null)
}

# Options of one subcommand from its --help: "  -x, --long ARG   help text".
# Prints "opt" for flags and "opt=" for options that take an argument.
_scaletrace_parse_opts()
{
	local bin=$1 sub=$2 line spec word arg IFS=$' \t\n'
	local -a words
	while IFS= read -r line; do
		[[ $line =~ ^\ +(-[A-Za-z],\ )?--[A-Za-z] ]] || continue
		spec=${line#"${line%%[! ]*}"} # leading blanks
		spec=${spec%%  *}             # the help text starts after two blanks
		read -ra words <<<"${spec//,/ }"
		arg=
		[[ ${#words[@]} -gt 1 && ${words[-1]} != -* ]] && arg='='
		for word in "${words[@]}"; do
			[[ $word == -* ]] && printf '%s%s\n' "$word" "$arg"
		done
	done < <("$bin" "$sub" --help 2>/dev/null)
}

declare -gA _scaletrace_opt_cache

# Cached options of @sub: the words, with "=" after those taking an argument.
_scaletrace_opts()
{
	local key="$1 $2"
	[[ -v "_scaletrace_opt_cache[$key]" ]] ||
		_scaletrace_opt_cache[$key]=$(_scaletrace_parse_opts "$1" "$2")
	printf '%s\n' "${_scaletrace_opt_cache[$key]}"
}

_scaletrace_files()
{
	compopt -o filenames 2>/dev/null
	local IFS=$'\n'
	COMPREPLY=($(compgen -f -- "$1"))
}

# Complete the value of option @opt (word @cur).
_scaletrace_optarg()
{
	local opt=$1 cur=$2 IFS=$'\n'
	case $opt in
	--json | --folded | --svg | --pprof | -o | --output | --diff | --uprobe)
		_scaletrace_files "$cur"
		;;
	-p | --pid)
		COMPREPLY=($(compgen -W "$(command ls /proc 2>/dev/null | grep -E '^[0-9]+$')" -- "$cur"))
		;;
	-c | --cgroup)
		compopt -o filenames 2>/dev/null
		if [[ $cur == /* ]]; then
			COMPREPLY=($(compgen -d -- "$cur"))
		else
			COMPREPLY=($(cd /sys/fs/cgroup 2>/dev/null && compgen -d -- "$cur"))
		fi
		;;
	--comm)
		COMPREPLY=($(compgen -W "$(cat /proc/[0-9]*/comm 2>/dev/null | sort -u)" -- "$cur"))
		;;
	--dev)
		COMPREPLY=($(compgen -W "$(command ls /sys/block 2>/dev/null)" -- "$cur"))
		;;
	--by)
		COMPREPLY=($(compgen -W 'dev op proc' -- "$cur"))
		;;
	--state)
		COMPREPLY=($(compgen -W 'R S D I R,S D,S' -- "$cur"))
		;;
	--colors)
		COMPREPLY=($(compgen -W 'scaletrace hot mem io red green blue aqua yellow purple
			orange grey' -- "$cur"))
		;;
	*)
		COMPREPLY=() # a number, a duration, a pattern: nothing to offer
		;;
	esac
}

_scaletrace()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev= bin=${COMP_WORDS[0]} sub= i w
	local IFS=$'\n'
	COMPREPLY=()
	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
	# "--opt=value" arrives split at '=' (COMP_WORDBREAKS).
	if [[ $cur == = ]]; then
		cur=
	elif [[ $prev == = ]] && ((COMP_CWORD > 1)); then
		prev=${COMP_WORDS[COMP_CWORD - 2]}
	fi
	bin=${bin/#\~/$HOME}
	type -P -- "$bin" >/dev/null 2>&1 || bin=scaletrace

	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if [[ -z $sub && $w != -* ]]; then
			sub=$w
		elif [[ -n $sub && $w == -- ]]; then
			# A command to run: its name, then whatever it completes to.
			if ((i == COMP_CWORD - 1)); then
				COMPREPLY=($(compgen -c -- "$cur" | sort -u))
			elif declare -F _command_offset >/dev/null; then
				_command_offset $((i + 1))
			else
				_scaletrace_files "$cur"
			fi
			return 0
		fi
	done

	if [[ -z $sub ]]; then
		COMPREPLY=($(compgen -W "$(_scaletrace_subcmds "$bin")"$'\n--help\n--version' -- "$cur"))
		return 0
	fi
	case $sub in
	help)
		((COMP_CWORD == 2)) && COMPREPLY=($(compgen -W "$(_scaletrace_subcmds "$bin")" -- "$cur"))
		return 0
		;;
	version) return 0 ;;
	esac

	local opts
	opts=$(_scaletrace_opts "$bin" "$sub")
	if [[ $prev == -* && $'\n'$opts$'\n' == *$'\n'"$prev="$'\n'* ]]; then
		_scaletrace_optarg "$prev" "$cur"
		return 0
	fi
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "${opts//=/}" -- "$cur"))
		return 0
	fi
	# Positional arguments: folded/JSON files (flamegraph, compare).
	_scaletrace_files "$cur"
}

complete -F _scaletrace scaletrace
