# docs/json.md documents every field the tools write (issue 9): real documents
# of offcpu, profile, iolat, nodestage, doctor and compare from this host,
# each field name checked against its schema's section (json_doc_check.py).
# The lab checks iolat's with transport timestamps and nodestage's of real
# stagings the same way (tests/lab/test-iolat-split.sh, test-nodestage.sh).
. tests/integration/lib.sh

$ST offcpu --overhead-budget 100 --json $TMPDIR/offcpu.json -- $WL/symtarget sleep >/dev/null ||
	fail "offcpu exit $?"
$ST offcpu --overhead-budget 100 --json $TMPDIR/offcpu2.json -- $WL/napper 100 3 >/dev/null ||
	fail "offcpu (napper) exit $?"
$ST profile --overhead-budget 100 --json $TMPDIR/profile.json -- $WL/symtarget burn 0.5 >/dev/null ||
	fail "profile exit $?"
$ST iolat --json $TMPDIR/iolat.json -d 0.5 >/dev/null || fail "iolat exit $?"
truncate -s 32M "$TMPDIR/disk.img"
$ST nodestage --overhead-budget 100 --json $TMPDIR/nodestage.json -- mkfs.ext4 -q -F "$TMPDIR/disk.img" \
	>/dev/null || fail "nodestage exit $?"
$ST doctor --verify --json $TMPDIR/doctor.json >/dev/null || fail "doctor exit $?"
$ST compare --json $TMPDIR/compare.json $TMPDIR/offcpu.json $TMPDIR/offcpu2.json >/dev/null
[ $? -le 4 ] || fail "compare failed"
[ "$(json_get $TMPDIR/nodestage.json 'len(j["operations"])')" -ge 1 ] || fail "nodestage saw no operation"
python3 tests/integration/json_doc_check.py docs/json.md $TMPDIR/*.json || fail "undocumented JSON fields"
exit 0
