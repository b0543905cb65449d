// SPDX-License-Identifier: GPL-2.0
/*
 * pprof export: decode our own output (gunzip + a tiny protobuf reader) and
 * check the structure profile.proto readers rely on; same input, same bytes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "fold.h"
#include "pprof.h"

/* ---- a tiny decoder ---------------------------------------------------------- */

struct rd {
	const uint8_t *p, *end;
};

static uint64_t rd_varint(struct rd *r)
{
	uint64_t v = 0;
	int shift = 0;

	for (;;) {
		assert_true(r->p < r->end);
		assert_true(shift < 64);
		v |= (uint64_t)(*r->p & 0x7f) << shift;
		shift += 7;
		if (!(*r->p++ & 0x80))
			return v;
	}
}

/* Next field: 0 at the end. Varints in *v; length-delimited bytes in *sub. */
static int rd_field(struct rd *r, uint32_t *field, uint64_t *v, struct rd *sub)
{
	uint64_t key, len;

	if (r->p == r->end)
		return 0;
	key = rd_varint(r);
	*field = (uint32_t)(key >> 3);
	assert_true(*field > 0);
	switch (key & 7) {
	case 0:
		*v = rd_varint(r);
		sub->p = sub->end = NULL;
		return 1;
	case 2:
		len = rd_varint(r);
		assert_true(len <= (uint64_t)(r->end - r->p));
		sub->p = r->p;
		sub->end = r->p + len;
		r->p += len;
		return 2;
	default:
		fail_msg("unexpected wire type %d", (int)(key & 7));
		return 0;
	}
}

#define MAX_IDS 8192

struct dsample {
	uint64_t locs[64];
	int nlocs;
	int64_t vals[4];
	int nvals;
};

struct dprof {
	char *strs[MAX_IDS];
	int nstrs;
	uint64_t sample_type[2], period_type[2];
	int nsample_types;
	int64_t period, duration, time;
	struct dsample *samples;
	int nsamples;
	uint64_t loc_fn[MAX_IDS + 1]; /* location id -> function id */
	int nlocs;
	uint64_t fn_name[MAX_IDS + 1], fn_sys[MAX_IDS + 1]; /* function id -> string */
	int nfns;
};

/* Repeated varints, packed (one LEN field) or not. */
static void rd_repeated(int wire, uint64_t v, struct rd *sub, uint64_t *out, int *n, int max)
{
	if (wire == 1) {
		assert_true(*n < max);
		out[(*n)++] = v;
		return;
	}
	while (sub->p < sub->end) {
		assert_true(*n < max);
		out[(*n)++] = rd_varint(sub);
	}
}

static void decode_value_type(struct rd *r, uint64_t vt[2])
{
	struct rd sub;
	uint32_t f;
	uint64_t v;

	vt[0] = vt[1] = 0;
	while (rd_field(r, &f, &v, &sub))
		if (f == 1 || f == 2)
			vt[f - 1] = v;
}

static void decode_sample(struct rd *r, struct dsample *s)
{
	struct rd sub;
	uint64_t v, vals[4];
	uint32_t f;
	int w, i;

	memset(s, 0, sizeof(*s));
	while ((w = rd_field(r, &f, &v, &sub))) {
		if (f == 1)
			rd_repeated(w, v, &sub, s->locs, &s->nlocs, 64);
		if (f == 2) {
			rd_repeated(w, v, &sub, vals, &s->nvals, 4);
			for (i = 0; i < s->nvals; i++)
				s->vals[i] = (int64_t)vals[i];
		}
	}
}

static void decode_location(struct rd *r, struct dprof *d)
{
	struct rd sub, line;
	uint64_t v, id = 0, fn = 0;
	uint32_t f, lf;
	int nlines = 0;

	while (rd_field(r, &f, &v, &sub)) {
		if (f == 1)
			id = v;
		if (f == 4) {
			nlines++;
			while (rd_field(&sub, &lf, &v, &line))
				if (lf == 1)
					fn = v;
		}
	}
	assert_true(id >= 1 && id <= MAX_IDS);
	assert_int_equal(nlines, 1);
	assert_int_equal(d->loc_fn[id], 0); /* ids are unique */
	d->loc_fn[id] = fn;
	d->nlocs++;
}

static void decode_function(struct rd *r, struct dprof *d)
{
	struct rd sub;
	uint64_t v, id = 0, name = 0, sys = 0;
	uint32_t f;

	while (rd_field(r, &f, &v, &sub)) {
		if (f == 1)
			id = v;
		if (f == 2)
			name = v;
		if (f == 3)
			sys = v;
	}
	assert_true(id >= 1 && id <= MAX_IDS);
	assert_int_equal(d->fn_name[id], 0);
	d->fn_name[id] = name;
	d->fn_sys[id] = sys;
	d->nfns++;
}

static void decode_profile(struct rd *r, struct dprof *d)
{
	struct rd sub;
	uint32_t f;
	uint64_t v;

	while (rd_field(r, &f, &v, &sub)) {
		switch (f) {
		case 1:
			decode_value_type(&sub, d->sample_type);
			d->nsample_types++;
			break;
		case 2:
			d->samples = realloc(d->samples, sizeof(*d->samples) * (d->nsamples + 1));
			assert_non_null(d->samples);
			decode_sample(&sub, &d->samples[d->nsamples++]);
			break;
		case 4:
			decode_location(&sub, d);
			break;
		case 5:
			decode_function(&sub, d);
			break;
		case 6:
			assert_true(d->nstrs < MAX_IDS);
			d->strs[d->nstrs++] = strndup((const char *)sub.p, sub.end - sub.p);
			break;
		case 9:
			d->time = (int64_t)v;
			break;
		case 10:
			d->duration = (int64_t)v;
			break;
		case 11:
			decode_value_type(&sub, d->period_type);
			break;
		case 12:
			d->period = (int64_t)v;
			break;
		default:
			fail_msg("unexpected Profile field %u", f);
		}
	}
}

static uint8_t *gunzip(const uint8_t *in, size_t len, size_t *out_len)
{
	z_stream zs = { 0 };
	size_t cap = 1 << 16;
	uint8_t *out = malloc(cap);
	int zerr;

	assert_int_equal(inflateInit2(&zs, 15 + 16), Z_OK); /* gzip wrapper only */
	zs.next_in = (Bytef *)in;
	zs.avail_in = (uInt)len;
	do {
		if (zs.total_out == cap)
			out = realloc(out, cap *= 2);
		assert_non_null(out);
		zs.next_out = out + zs.total_out;
		zs.avail_out = (uInt)(cap - zs.total_out);
		zerr = inflate(&zs, Z_NO_FLUSH);
		assert_true(zerr == Z_OK || zerr == Z_STREAM_END);
	} while (zerr != Z_STREAM_END);
	assert_int_equal(zs.avail_in, 0); /* nothing after the gzip member */
	*out_len = zs.total_out;
	inflateEnd(&zs);
	return out;
}

static struct dprof *decode(const uint8_t *gz, size_t len)
{
	struct dprof *d = calloc(1, sizeof(*d));
	size_t n;
	uint8_t *raw;
	struct rd r;

	assert_non_null(d);
	assert_true(len > 18 && gz[0] == 0x1f && gz[1] == 0x8b);
	raw = gunzip(gz, len, &n);
	r.p = raw;
	r.end = raw + n;
	decode_profile(&r, d);
	free(raw);
	/* profile.proto: string_table[0] must be "" */
	assert_true(d->nstrs >= 1);
	assert_string_equal(d->strs[0], "");
	return d;
}

static void dprof_free(struct dprof *d)
{
	int i;

	for (i = 0; i < d->nstrs; i++)
		free(d->strs[i]);
	free(d->samples);
	free(d);
}

static const char *str(const struct dprof *d, uint64_t i)
{
	assert_true(i < (uint64_t)d->nstrs);
	return d->strs[i];
}

/* Frame @i (root first) of sample @s, through location -> function -> string. */
static const char *frame(const struct dprof *d, const struct dsample *s, int i)
{
	uint64_t loc = s->locs[s->nlocs - 1 - i], fn;

	assert_true(loc >= 1 && loc <= MAX_IDS);
	fn = d->loc_fn[loc];
	assert_true(fn >= 1 && fn <= MAX_IDS && d->fn_name[fn]);
	assert_int_equal(d->fn_sys[fn], d->fn_name[fn]);
	return str(d, d->fn_name[fn]);
}

/* "a;b;c" == the frames of @s, root first. */
static void assert_stack(const struct dprof *d, const struct dsample *s, const char *want)
{
	char buf[512];
	size_t len = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < s->nlocs; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s", i ? ";" : "",
					frame(d, s, i));
	assert_string_equal(buf, want);
}

static uint8_t *render(const struct pprof *p, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	assert_non_null(f);
	assert_int_equal(pprof__write(p, f), 0);
	assert_int_equal(fclose(f), 0);
	return (uint8_t *)buf;
}

static const struct pprof_meta offcpu_meta = {
	.sample_type = "offcpu",
	.unit = "microseconds",
	.period = 1,
	.duration_ns = 2500000000LL,
	.time_ns = 1700000000123456789LL,
};

static struct pprof *sample_profile(void)
{
	static const char *const s1[] = { "mkfs.ext4", "main", "[k] submit_bio",
					  "[k] io_schedule" };
	static const char *const s2[] = { "mkfs.ext4", "main", "write_inode_table" };
	static const char *const s3[] = { "iscsiadm", "", "[wait]" };
	struct pprof *p = pprof__new(&offcpu_meta);

	assert_non_null(p);
	assert_int_equal(pprof__add(p, s1, 4, 183422), 0);
	assert_int_equal(pprof__add(p, s2, 3, 7), 0);
	assert_int_equal(pprof__add(p, s3, 3, 1), 0);
	assert_int_equal(pprof__add(p, s2, 3, 5), 0); /* repeated: not merged */
	return p;
}

static void test_round_trip(void **state)
{
	struct pprof *p = sample_profile();
	struct dprof *d;
	uint8_t *gz;
	size_t len;

	(void)state;
	gz = render(p, &len);
	d = decode(gz, len);
	assert_int_equal(d->nsample_types, 1);
	assert_string_equal(str(d, d->sample_type[0]), "offcpu");
	assert_string_equal(str(d, d->sample_type[1]), "microseconds");
	assert_string_equal(str(d, d->period_type[0]), "offcpu");
	assert_string_equal(str(d, d->period_type[1]), "microseconds");
	assert_int_equal(d->period, 1);
	assert_int_equal(d->duration, 2500000000LL);
	assert_int_equal(d->time, 1700000000123456789LL);
	assert_int_equal(d->nsamples, 4);
	assert_stack(d, &d->samples[0], "mkfs.ext4;main;[k] submit_bio;[k] io_schedule");
	assert_stack(d, &d->samples[1], "mkfs.ext4;main;write_inode_table");
	assert_stack(d, &d->samples[2], "iscsiadm;[unknown];[wait]");
	assert_stack(d, &d->samples[3], "mkfs.ext4;main;write_inode_table");
	assert_int_equal(d->samples[0].nvals, 1);
	assert_int_equal(d->samples[0].vals[0], 183422);
	assert_int_equal(d->samples[1].vals[0], 7);
	assert_int_equal(d->samples[2].vals[0], 1);
	/* One function and one location per distinct name. */
	assert_int_equal(d->nfns, 8);
	assert_int_equal(d->nlocs, 8);
	/* Leaf first: io_schedule is the first location of the first sample. */
	assert_string_equal(str(d, d->fn_name[d->loc_fn[d->samples[0].locs[0]]]),
			    "[k] io_schedule");
	dprof_free(d);
	free(gz);
	pprof__free(p);
}

static void test_deterministic(void **state)
{
	struct pprof *a = sample_profile(), *b = sample_profile();
	uint8_t *ga, *gb;
	size_t la, lb;

	(void)state;
	ga = render(a, &la);
	gb = render(b, &lb);
	assert_int_equal(la, lb);
	assert_memory_equal(ga, gb, la);
	/* gzip MTIME (bytes 4..7) is zero: no wall clock in the bytes. */
	assert_int_equal(ga[4] | ga[5] | ga[6] | ga[7], 0);
	free(ga);
	free(gb);
	ga = render(a, &la); /* writing twice gives the same bytes too */
	gb = render(a, &lb);
	assert_int_equal(la, lb);
	assert_memory_equal(ga, gb, la);
	free(ga);
	free(gb);
	pprof__free(a);
	pprof__free(b);
}

static void test_empty_and_edges(void **state)
{
	static const char *const one[] = { "only" };
	const struct pprof_meta m = { .sample_type = "samples", .unit = "count" };
	struct pprof *p = pprof__new(&m);
	struct dprof *d;
	uint8_t *gz;
	size_t len;

	(void)state;
	assert_non_null(p);
	assert_int_equal(pprof__add(p, one, 0, 1), -EINVAL);
	gz = render(p, &len);
	d = decode(gz, len);
	assert_int_equal(d->nsamples, 0);
	assert_int_equal(d->nfns, 0);
	assert_string_equal(str(d, d->sample_type[0]), "samples");
	assert_int_equal(d->period, 0); /* zero fields are omitted */
	assert_int_equal(d->duration, 0);
	dprof_free(d);
	free(gz);
	/* A negative int64 value survives the 10-byte varint. */
	assert_int_equal(pprof__add(p, one, 1, -5), 0);
	assert_int_equal(pprof__add(p, one, 1, INT64_MAX), 0);
	gz = render(p, &len);
	d = decode(gz, len);
	assert_int_equal(d->nsamples, 2);
	assert_int_equal(d->samples[0].vals[0], -5);
	assert_int_equal(d->samples[1].vals[0], INT64_MAX);
	assert_int_equal(d->nfns, 1);
	dprof_free(d);
	free(gz);
	pprof__free(p);
}

/* Thousands of distinct frames: the string table and id maps grow. */
static void test_many_frames(void **state)
{
	const struct pprof_meta m = { .sample_type = "cpu", .unit = "nanoseconds" };
	struct pprof *p = pprof__new(&m);
	char a[32], b[32];
	const char *fr[3] = { "root", a, b };
	struct dprof *d;
	uint8_t *gz;
	size_t len;
	int i;

	(void)state;
	for (i = 0; i < 3000; i++) {
		snprintf(a, sizeof(a), "mid%d", i % 100);
		snprintf(b, sizeof(b), "leaf%d", i);
		assert_int_equal(pprof__add(p, fr, 3, i + 1), 0);
	}
	gz = render(p, &len);
	d = decode(gz, len);
	assert_int_equal(d->nsamples, 3000);
	assert_int_equal(d->nfns, 1 + 100 + 3000);
	assert_int_equal(d->nstrs, 3 + 1 + 100 + 3000); /* "", type, unit, names */
	assert_stack(d, &d->samples[2999], "root;mid99;leaf2999");
	assert_int_equal(d->samples[2999].vals[0], 3000);
	dprof_free(d);
	free(gz);
	pprof__free(p);
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = malloc(1 << 20);

	assert_non_null(f);
	assert_non_null(buf);
	*len = fread(buf, 1, 1 << 20, f);
	fclose(f);
	return buf;
}

static void test_write_fold(void **state)
{
	static const char *const s1[] = { "app", "main", "read" };
	static const char *const s2[] = { "app", "[k] do;it" }; /* fold makes ';' '_' */
	static const char *const s3[] = { "app", "main" };
	const struct pprof_meta m = { .sample_type = "offcpu", .unit = "microseconds" };
	char dir[] = "/tmp/st-pprof.XXXXXX", path[64];
	struct fold *f = fold__new();
	struct dprof *d;
	uint8_t *gz;
	size_t len;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/out.pb.gz", dir);
	assert_int_equal(fold__add(f, s1, 3, 30), 0);
	assert_int_equal(fold__add(f, s2, 2, 5), 0);
	assert_int_equal(fold__add(f, s1, 3, 12), 0);
	assert_int_equal(fold__add(f, s3, 2, 3), 0);
	assert_int_equal(pprof_write_fold(f, path, &m), 0);
	gz = slurp(path, &len);
	d = decode(gz, len);
	/* Sorted by path, merged by fold. */
	assert_int_equal(d->nsamples, 3);
	assert_stack(d, &d->samples[0], "app;[k] do_it");
	assert_int_equal(d->samples[0].vals[0], 5);
	assert_stack(d, &d->samples[1], "app;main");
	assert_int_equal(d->samples[1].vals[0], 3);
	assert_stack(d, &d->samples[2], "app;main;read");
	assert_int_equal(d->samples[2].vals[0], 42);
	assert_int_equal(d->nfns, 4);
	dprof_free(d);
	free(gz);
	fold__free(f);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),	cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_empty_and_edges), cmocka_unit_test(test_many_frames),
		cmocka_unit_test(test_write_fold),
	};

	return cmocka_run_group_tests_name("pprof", tests, NULL, NULL);
}
