// SPDX-License-Identifier: GPL-2.0
/*
 * Command lines run by a CSI node plugin, as read from /proc/PID/cmdline: csi_split_args()
 * on the raw NUL-separated block, csi_parse(), csi_volume_name() and the name helpers.
 *
 * Input: a byte for the argv and name buffer sizes, then the cmdline block.
 */
#include "csiparse.h"
#include "fuzz.h"

#define MAX_ARGS 64

/* Every string field of the result is NUL-terminated inside its array. */
#define CHECK_STR(c, f) FZ_CHECK(memchr((c)->f, '\0', sizeof((c)->f)), "%s not terminated", #f)

static void check_cmd(const struct csi_cmd *c)
{
	CHECK_STR(c, tool);
	CHECK_STR(c, phase);
	CHECK_STR(c, proto);
	CHECK_STR(c, iqn);
	CHECK_STR(c, nqn);
	CHECK_STR(c, portal);
	CHECK_STR(c, staging);
	CHECK_STR(c, device);
	CHECK_STR(c, nfs_export);
	FZ_CHECK(c->kind == CSI_STAGE || c->kind == CSI_UNSTAGE, "kind %d", c->kind);
	FZ_CHECK(c->phase[0] || !c->tool[0], "tool '%s' without a phase", fz_show(c->tool));
	FZ_CHECK(c->known == csi_known_phase(c->phase), "known");
	FZ_CHECK(!c->stage_mount || c->staging[0], "stage_mount without a staging path");
	FZ_CHECK(c->names_volume == (c->iqn[0] || c->nqn[0] || c->staging[0] || c->nfs_export[0]),
		 "names_volume");
	/* The fixed-size fields truncate longer values: only whole paths must match. */
	if (c->staging[0] && strlen(c->staging) < sizeof(c->staging) - 1)
		FZ_CHECK(csi_is_staging_path(c->staging), "staging '%s'", fz_show(c->staging));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };
	uint8_t sizes = fz_byte(&in);
	int max = 1 + (sizes & 63), vlen = (sizes >> 6) == 3 ? 1 : 8 << (sizes >> 6);
	/* Exact sizes: the split must stay inside the block and the argv array. */
	char *buf = malloc(in.n ? in.n : 1), *name = malloc((size_t)vlen);
	const char **argv = malloc(sizeof(*argv) * (size_t)max);
	struct csi_cmd c;
	int argc;

	if (!buf || !name || !argv)
		abort();
	memcpy(buf, in.p, in.n);
	argc = csi_split_args(buf, (int)in.n, argv, max);
	FZ_CHECK(argc >= 0 && argc <= max, "argc %d of max %d", argc, max);
	for (int i = 0; i < argc; i++) {
		FZ_CHECK(argv[i] >= buf && argv[i] < buf + in.n, "argv[%d] outside the block", i);
		FZ_CHECK(memchr(argv[i], '\0', (size_t)(buf + in.n - argv[i])),
			 "argv[%d] not terminated", i);
	}
	csi_parse(argc, argv, &c);
	check_cmd(&c);
	csi_volume_name(&c, name, vlen);
	FZ_CHECK(memchr(name, '\0', (size_t)vlen), "volume name not terminated");
	if (argc >= 2) {
		csi_name_matches(argv[0], argv[1]);
		csi_is_staging_path(argv[1]);
	}
	free(argv);
	free(name);
	free(buf);
	return 0;
}
