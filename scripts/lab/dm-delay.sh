# shellcheck shell=bash
# dm_ms TD: the dm-delay table value (ms) that adds about TD ms to each I/O.
# Sourced by guest-init and lab-inject.
#
# dm-delay counts in jiffies (HZ=250: 4 ms): a table value of V holds a bio
# until the ceil(V/4)-th tick after it arrived, 4*ceil(V/4) ms less its phase
# within the current tick: I/O sent right after the tick that completed the
# previous one waits nearly the whole 4*ceil(V/4) ms, I/O at a random phase
# (lab-iolat pauses 0-4 ms before each request) 2 ms less on average. Under
# TCG the timer -> workqueue -> submit path adds 2.5..4 ms on top. The table is
# the multiple of 4 ms nearest to TD - ST_LAB_DM_COMP_MS (default 2; at least
# 1): --target-delay 30 programs 28 and adds ~28.5..30 ms to lab-iolat's I/O,
# ~30.5..32 ms to back-to-back I/O.
dm_ms() {
	local c=${ST_LAB_DM_COMP_MS:-2} v
	[ "$1" = 0 ] && { echo 0; return; }
	v=$(((($1 - c + 2) / 4) * 4))
	[ $v -lt 1 ] && v=1
	echo $v
}
