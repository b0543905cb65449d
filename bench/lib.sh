# shellcheck shell=bash
# Helpers shared by the bench scripts (sourced; the lab guest sees the
# repository at the same path, so bench/lab-fio's guest script sources it too).

# median: of the numbers on stdin, one per line ("nan" when there are none)
median() { sort -g | awk '{a[NR]=$1} END {print (NR ? a[int((NR+1)/2)] : "nan")}'; }

# nprogs: BPF programs loaded on the machine
nprogs() { bpftool prog show 2>/dev/null | grep -c '^[0-9]*:' || true; }

# have_tool CMD...: is the tool a command line runs installed? (stdbuf runs
# the tool named by its last word)
have_tool() {
	if [ "$1" = stdbuf ]; then command -v "${!#}" >/dev/null; else command -v "$1" >/dev/null; fi
}

# attached NAME PROGS OUT ERR: has the tracer NAME, writing OUT and ERR,
# attached? scaletrace and biolatency say "Tracing..." (biolatency on stdout:
# run it line-buffered, so it is seen when attached, not at exit); offcputime
# says nothing: it has when it has loaded programs beyond the PROGS loaded
# before it, and 1 s later attached; perf record has when its output file
# ($PERF_DATA) has a header.
attached() {
	case $1 in
	offcputime) [ "$(nprogs)" -gt "$2" ] && sleep 1 ;;
	perf-record) [ -s "${PERF_DATA:?}" ] && sleep 1 ;;
	*) grep -q -e '^Tracing' -e 'Ctrl-C' "$3" "$4" 2>/dev/null ;;
	esac
}

# start_tracer NAME OUT ERR CAP CMD...: start CMD in the background (its pid in
# TRACER_PID) and wait until it has attached, at most CAP seconds; 1 (and a
# message on stderr) if it did not.
start_tracer() {
	local name=$1 out=$2 err=$3 cap=$4 progs end
	shift 4
	progs=$(nprogs)
	"$@" >"$out" 2>"$err" &
	TRACER_PID=$!
	end=$((SECONDS + cap))
	until attached "$name" "$progs" "$out" "$err"; do
		if [ $SECONDS -ge $end ] || ! kill -0 "$TRACER_PID" 2>/dev/null; then
			echo "bench: $name did not attach within $cap s" >&2
			return 1
		fi
		sleep 0.1
	done
}
