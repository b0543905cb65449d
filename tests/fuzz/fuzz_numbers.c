// SPDX-License-Identifier: GPL-2.0
/*
 * Command-line numbers: st_parse_u64/int/double, st_parse_duration, and SLO expressions
 * (ns_parse_slo, "mkfs:p99<2s"). What is accepted must keep each function's contract
 * (util.h: the whole string is a number within [min, max]; durations are exact to the ns).
 *
 * Input: a selector byte, a range byte, then the string.
 */
#include "fuzz.h"
#include "nsreport.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>

static const uint64_t units[] = { 1, NSEC_PER_USEC, NSEC_PER_MSEC, NSEC_PER_SEC };

static bool leading_blank(const char *s)
{
	return isspace((unsigned char)s[0]);
}

static void fuzz_u64(const char *s, uint8_t r)
{
	static const uint64_t lim[][2] = {
		{ 0, UINT64_MAX }, { 1, INT_MAX }, { 1, 1000000 }, { 1, 100000000 }, { 5, 5 }
	};
	const uint64_t *l = lim[r % 5];
	uint64_t v = 0xdead;
	int err = st_parse_u64(s, l[0], l[1], &v);

	FZ_CHECK(err == 0 || err == -EINVAL || err == -ERANGE, "'%s': %d", fz_show(s), err);
	if (err) {
		FZ_CHECK(v == 0xdead, "'%s': *out written on error", fz_show(s));
		return;
	}
	FZ_CHECK(l[0] <= v && v <= l[1], "'%s' -> %" PRIu64, fz_show(s), v);
	/* Only digits: no sign, no blanks, no base prefix. */
	FZ_CHECK(strspn(s, "0123456789") == strlen(s), "'%s' accepted as %" PRIu64, fz_show(s), v);
}

static void fuzz_int(const char *s, uint8_t r)
{
	static const int lim[][2] = { { INT_MIN, INT_MAX }, { 0, 100 }, { -10, 10 } };
	const int *l = lim[r % 3];
	int v = 0x5eed, err = st_parse_int(s, l[0], l[1], &v);

	FZ_CHECK(err == 0 || err == -EINVAL || err == -ERANGE, "'%s': %d", fz_show(s), err);
	if (err) {
		FZ_CHECK(v == 0x5eed, "'%s': *out written on error", fz_show(s));
		return;
	}
	FZ_CHECK(l[0] <= v && v <= l[1], "'%s' -> %d", fz_show(s), v);
	FZ_CHECK(!leading_blank(s), "'%s' accepted as %d", fz_show(s), v);
}

static void fuzz_double(const char *s, uint8_t r)
{
	static const double lim[][2] = { { 0, 100 }, { 0.01, 100 }, { 1, 100 }, { -1e300, 1e300 } };
	const double *l = lim[r % 4];
	double v = 12345.0;
	int err = st_parse_double(s, l[0], l[1], &v);

	FZ_CHECK(err == 0 || err == -EINVAL || err == -ERANGE, "'%s': %d", fz_show(s), err);
	if (err) {
		FZ_CHECK(v == 12345.0, "'%s': *out written on error", fz_show(s));
		return;
	}
	FZ_CHECK(isfinite(v) && l[0] <= v && v <= l[1], "'%s' -> %g", fz_show(s), v);
	FZ_CHECK(!leading_blank(s), "'%s' accepted as %g", fz_show(s), v);
}

/* An independent reading of the duration grammar: number, optional unit. */
static bool expected_ns(const char *s, uint64_t unit, double *ns)
{
	static const struct {
		const char *sfx;
		uint64_t ns;
	} sfx[] = {
		{ "ns", 1 },	       { "us", NSEC_PER_USEC },	   { "ms", NSEC_PER_MSEC },
		{ "s", NSEC_PER_SEC }, { "m", 60 * NSEC_PER_SEC }, { "h", 3600 * NSEC_PER_SEC }
	};
	char *end;
	double v = strtod(s, &end);

	if (end == s)
		return false;
	if (*end) {
		size_t i;

		for (i = 0; i < sizeof(sfx) / sizeof(sfx[0]) && strcmp(end, sfx[i].sfx); i++)
			;
		if (i == sizeof(sfx) / sizeof(sfx[0]))
			return false;
		unit = sfx[i].ns;
	}
	*ns = v * (double)unit;
	return true;
}

static void check_duration(const char *s, uint64_t unit, uint64_t ns)
{
	double want;
	char buf[32];

	FZ_CHECK(expected_ns(s, unit, &want), "'%s' is not a duration but gave %" PRIu64,
		 fz_show(s), ns);
	FZ_CHECK(want >= 0 && isfinite(want), "'%s' -> %" PRIu64, fz_show(s), ns);
	/* Exact to 1 ns, up to double rounding of the value itself. */
	FZ_CHECK(fabs((double)ns - want) <= 1.0 + want * 1e-15,
		 "'%s' (unit %" PRIu64 " ns) -> %" PRIu64 " ns, want %.17g", fz_show(s), unit, ns,
		 want);
	st_fmt_duration(ns, buf, sizeof(buf));
	FZ_CHECK(strlen(buf) < sizeof(buf) - 1, "'%s' formatted too long", fz_show(buf));
}

static void fuzz_duration(const char *s, uint8_t r)
{
	uint64_t unit = units[r % 4], v = 0xdead;
	int err = st_parse_duration(s, unit, &v);

	FZ_CHECK(err == 0 || err == -EINVAL || err == -ERANGE, "'%s': %d", fz_show(s), err);
	if (err) {
		FZ_CHECK(v == 0xdead, "'%s': *out written on error", fz_show(s));
		return;
	}
	FZ_CHECK(!leading_blank(s) && s[0] != '-' && s[0] != '+', "'%s' accepted", fz_show(s));
	check_duration(s, unit, v);
}

static void fuzz_slo(const char *s)
{
	struct ns_slo slo;
	const char *colon;

	if (ns_parse_slo(s, &slo))
		return;
	colon = strchr(s, ':');
	FZ_CHECK(colon && slo.phase[0] && strlen(slo.phase) == (size_t)(colon - s) &&
		     !strncmp(slo.phase, s, strlen(slo.phase)),
		 "'%s' -> phase '%s'", fz_show(s), fz_show(slo.phase));
	FZ_CHECK(slo.pct >= 1 && slo.pct <= 100, "'%s' -> p%g", fz_show(s), slo.pct);
	FZ_CHECK(slo.limit_ns > 0, "'%s' -> limit 0", fz_show(s));
	check_duration(strchr(colon, '<') + 1, NSEC_PER_SEC, slo.limit_ns);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };
	uint8_t which = fz_byte(&in), range = fz_byte(&in);
	char *s = fz_strndup(in.p, in.n);

	switch (which % 5) {
	case 0:
		fuzz_u64(s, range);
		break;
	case 1:
		fuzz_int(s, range);
		break;
	case 2:
		fuzz_double(s, range);
		break;
	case 3:
		fuzz_duration(s, range);
		break;
	default:
		fuzz_slo(s);
		break;
	}
	free(s);
	return 0;
}
