#!/usr/bin/env python3
"""folded_check.py FILE...: folded stacks as FlameGraph's flamegraph.pl reads them.

flamegraph.pl splits each line with /^(.*)\\s+?(\\d+(?:\\.\\d*)?)$/ into stack and
count, then tries the same split on the stack for a differential second column,
and splits the stack on ';'. A line it cannot split is "ignored"; a stack that
splits again silently becomes a differential one. scaletrace's output must be
neither, with integer counts, no empty frames, each stack once, sorted
bytewise (the output is deterministic: sorted, merged)."""
import re
import sys

LINE = re.compile(rb"^(.*)\s+?(\d+(?:\.\d*)?)$")


def check(path):
    errs, prev, lines, total = [], None, 0, 0
    for no, raw in enumerate(open(path, "rb").read().split(b"\n"), 1):
        if raw == b"":
            continue
        lines += 1
        m = LINE.match(raw)
        if not m:
            errs.append(f"{path}:{no}: flamegraph.pl would ignore this line: {raw[:120]!r}")
            continue
        stack, count = m.group(1), m.group(2)
        if LINE.match(stack):
            errs.append(f"{path}:{no}: flamegraph.pl would read a second count column: {raw[:120]!r}")
        if not count.isdigit() or int(count) <= 0:
            errs.append(f"{path}:{no}: count {count!r} is not a positive integer")
        else:
            total += int(count)
        if any(f == b"" for f in stack.split(b";")):
            errs.append(f"{path}:{no}: empty frame: {raw[:120]!r}")
        if b"\r" in raw:
            errs.append(f"{path}:{no}: carriage return in a frame")
        if prev is not None and stack <= prev:
            errs.append(f"{path}:{no}: not sorted or not merged: {stack[:80]!r} after {prev[:80]!r}")
        prev = stack
    if not lines:
        errs.append(f"{path}: no stacks")
    for e in errs[:10]:
        print(e)
    print(f"{path}: {lines} stacks, total {total}, {len(errs)} problem(s) for flamegraph.pl")
    return not errs


sys.exit(0 if all([check(p) for p in sys.argv[1:]]) else 1)
