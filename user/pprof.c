// SPDX-License-Identifier: GPL-2.0
/*
 * profile.proto by hand. The fields written (numbers from profile.proto):
 *   Profile   1 sample_type, 2 sample, 4 location, 5 function, 6 string_table,
 *             9 time_nanos, 10 duration_nanos, 11 period_type, 12 period
 *   ValueType 1 type, 2 unit (string table indices)
 *   Sample    1 location_id (packed, leaf first), 2 value (packed)
 *   Location  1 id, 4 line { 1 function_id }
 *   Function  1 id, 2 name, 3 system_name
 * Location id == function id: frames have names, not addresses.
 */
#include "pprof.h"
#include "fg_tree.h"
#include "fold.h"
#include "output.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

enum pb_wire { PB_VARINT = 0, PB_LEN = 2 };

struct pprof_sample {
	size_t off; /* first location id in pprof.locs */
	uint32_t n;
	int64_t value;
};

struct pprof {
	struct pprof_meta m;
	uint32_t type_str, unit_str;
	struct fg_strtab strs; /* the string table; id 0 is "" */
	uint32_t *fn_of_str;   /* string id -> function id (0 = none yet) */
	size_t fn_of_str_cap;
	uint32_t *fn_name; /* function id - 1 -> string id */
	uint32_t nfn;
	size_t fn_cap;
	uint32_t *locs; /* location ids of every sample, back to back */
	size_t nlocs, locs_cap;
	struct pprof_sample *samples;
	size_t nsamples, samples_cap;
};

/* Grow *@pp (holding @cap elements of @size) to at least @need elements. */
static int reserve(void *pp, size_t *cap, size_t need, size_t size)
{
	size_t ncap = *cap ? *cap : 64;

	if (need <= *cap)
		return 0;
	while (ncap < need)
		ncap *= 2;
	if (fg_resize(pp, ncap, size))
		return -ENOMEM;
	*cap = ncap;
	return 0;
}

static int64_t intern(struct pprof *p, const char *s)
{
	size_t len = strlen(s);

	return fg_strtab__intern(&p->strs, s, len, fg_hash_bytes(s, len));
}

struct pprof *pprof__new(const struct pprof_meta *m)
{
	struct pprof *p = calloc(1, sizeof(*p));
	int64_t type, unit;

	if (!p)
		return NULL;
	p->m = *m;
	if (fg_strtab__init(&p->strs) || intern(p, "") != 0)
		goto fail;
	type = intern(p, m->sample_type ? m->sample_type : "samples");
	unit = intern(p, m->unit ? m->unit : "count");
	if (type < 0 || unit < 0)
		goto fail;
	p->type_str = (uint32_t)type;
	p->unit_str = (uint32_t)unit;
	p->m.sample_type = p->m.unit = NULL; /* the string table holds them */
	return p;
fail:
	pprof__free(p);
	return NULL;
}

void pprof__free(struct pprof *p)
{
	if (!p)
		return;
	fg_strtab__fini(&p->strs);
	free(p->fn_of_str);
	free(p->fn_name);
	free(p->locs);
	free(p->samples);
	free(p);
}

/* The function (and location) id of frame @name, made on first sight. */
static int64_t function_id(struct pprof *p, const char *name)
{
	int64_t s = intern(p, name && *name ? name : "[unknown]");
	size_t old = p->fn_of_str_cap;
	uint32_t id;

	if (s < 0)
		return s;
	if (reserve(&p->fn_of_str, &p->fn_of_str_cap, (size_t)s + 1, sizeof(*p->fn_of_str)))
		return -ENOMEM;
	memset(p->fn_of_str + old, 0, (p->fn_of_str_cap - old) * sizeof(*p->fn_of_str));
	if (p->fn_of_str[s])
		return p->fn_of_str[s];
	if (reserve(&p->fn_name, &p->fn_cap, (size_t)p->nfn + 1, sizeof(*p->fn_name)))
		return -ENOMEM;
	p->fn_name[p->nfn] = (uint32_t)s;
	id = ++p->nfn;
	p->fn_of_str[s] = id;
	return id;
}

int pprof__add(struct pprof *p, const char *const *frames, int n, int64_t value)
{
	struct pprof_sample *smp;
	int64_t id;
	int i;

	if (n <= 0)
		return -EINVAL;
	if (reserve(&p->locs, &p->locs_cap, p->nlocs + (size_t)n, sizeof(*p->locs)) ||
	    reserve(&p->samples, &p->samples_cap, p->nsamples + 1, sizeof(*p->samples)))
		return -ENOMEM;
	smp = &p->samples[p->nsamples];
	smp->off = p->nlocs;
	smp->n = (uint32_t)n;
	smp->value = value;
	for (i = n - 1; i >= 0; i--) { /* pprof wants the leaf first */
		id = function_id(p, frames[i]);
		if (id < 0)
			return (int)id; /* the sample is not counted: nsamples unchanged */
		p->locs[smp->off + (size_t)(n - 1 - i)] = (uint32_t)id;
	}
	p->nlocs += (size_t)n;
	p->nsamples++;
	return 0;
}

/* ---- protobuf encoding ----------------------------------------------------- */

struct pb {
	uint8_t *d;
	size_t len, cap;
	int err;
};

static void pb_raw(struct pb *b, const void *src, size_t n)
{
	if (b->err || (b->err = reserve(&b->d, &b->cap, b->len + n, 1)))
		return;
	if (n)
		memcpy(b->d + b->len, src, n);
	b->len += n;
}

static void pb_varint(struct pb *b, uint64_t v)
{
	uint8_t buf[10];
	size_t n = 0;

	do {
		buf[n++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v);
	pb_raw(b, buf, n);
}

/* A varint field; zero is proto3's default and is omitted. Negative int64s take 10 bytes. */
static void pb_uint(struct pb *b, uint32_t field, uint64_t v)
{
	if (!v)
		return;
	pb_varint(b, (uint64_t)field << 3 | PB_VARINT);
	pb_varint(b, v);
}

static void pb_bytes(struct pb *b, uint32_t field, const void *src, size_t n)
{
	pb_varint(b, (uint64_t)field << 3 | PB_LEN);
	pb_varint(b, n);
	pb_raw(b, src, n);
}

/* Append @sub as a length-delimited field and empty it for the next message. */
static void pb_msg(struct pb *b, uint32_t field, struct pb *sub)
{
	if (sub->err && !b->err)
		b->err = sub->err;
	pb_bytes(b, field, sub->d, sub->len);
	sub->len = 0;
}

static void put_value_type(struct pb *b, uint32_t field, const struct pprof *p, struct pb *sub)
{
	pb_uint(sub, 1, p->type_str);
	pb_uint(sub, 2, p->unit_str);
	pb_msg(b, field, sub);
}

static void put_sample(struct pb *b, const struct pprof *p, const struct pprof_sample *s,
		       struct pb *sub, struct pb *packed)
{
	uint32_t i;

	for (i = 0; i < s->n; i++)
		pb_varint(packed, p->locs[s->off + i]);
	pb_msg(sub, 1, packed);
	pb_varint(packed, (uint64_t)s->value);
	pb_msg(sub, 2, packed);
	pb_msg(b, 2, sub);
}

static void put_location(struct pb *b, uint32_t id, struct pb *sub, struct pb *line)
{
	pb_uint(line, 1, id); /* Line.function_id */
	pb_uint(sub, 1, id);
	pb_msg(sub, 4, line);
	pb_msg(b, 4, sub);
}

static void put_function(struct pb *b, const struct pprof *p, uint32_t id, struct pb *sub)
{
	pb_uint(sub, 1, id);
	pb_uint(sub, 2, p->fn_name[id - 1]);
	pb_uint(sub, 3, p->fn_name[id - 1]); /* system_name: the same, there is no mangling */
	pb_msg(b, 5, sub);
}

static void encode(const struct pprof *p, struct pb *b)
{
	struct pb sub = { 0 }, aux = { 0 };
	size_t i, len;
	uint32_t id;

	put_value_type(b, 1, p, &sub);
	for (i = 0; i < p->nsamples; i++)
		put_sample(b, p, &p->samples[i], &sub, &aux);
	for (id = 1; id <= p->nfn; id++)
		put_location(b, id, &sub, &aux);
	for (id = 1; id <= p->nfn; id++)
		put_function(b, p, id, &sub);
	for (id = 0; id < p->strs.n; id++) {
		const char *s = fg_strtab__str(&p->strs, id, &len);

		pb_bytes(b, 6, s, len);
	}
	pb_uint(b, 9, (uint64_t)p->m.time_ns);
	pb_uint(b, 10, (uint64_t)p->m.duration_ns);
	put_value_type(b, 11, p, &sub);
	pb_uint(b, 12, (uint64_t)p->m.period);
	if (!b->err)
		b->err = sub.err ? sub.err : aux.err;
	free(sub.d);
	free(aux.d);
}

/* ---- gzip ------------------------------------------------------------------ */

/* zlib's gzip wrapper (windowBits 16 + 15) writes mtime 0: same input, same bytes. */
static int gzip_write(FILE *out, const uint8_t *d, size_t len)
{
	unsigned char buf[16384];
	z_stream zs = { 0 };
	int zerr = Z_OK, err = 0;
	size_t have;

	if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY))
		return -ENOMEM;
	while (zerr != Z_STREAM_END && !err) {
		if (!zs.avail_in && len) {
			zs.next_in = (Bytef *)d;
			zs.avail_in = len > UINT_MAX ? UINT_MAX : (uInt)len;
			d += zs.avail_in;
			len -= zs.avail_in;
		}
		zs.next_out = buf;
		zs.avail_out = sizeof(buf);
		zerr = deflate(&zs, len ? Z_NO_FLUSH : Z_FINISH);
		if (zerr == Z_STREAM_ERROR)
			err = -EINVAL;
		have = sizeof(buf) - zs.avail_out;
		if (!err && have && fwrite(buf, 1, have, out) != have)
			err = -EIO;
	}
	deflateEnd(&zs);
	return err;
}

int pprof__write(const struct pprof *p, FILE *out)
{
	struct pb b = { 0 };
	int err;

	encode(p, &b);
	err = b.err ? b.err : gzip_write(out, b.d, b.len);
	free(b.d);
	return err;
}

/* ---- from a fold ----------------------------------------------------------- */

struct fold_ctx {
	struct pprof *p;
	char *buf;
	size_t buf_cap;
	const char **frames;
	size_t frames_cap;
};

/* Folded paths never hold ';' inside a frame (fold__add replaces it): split on it. */
static int add_path(const char *path, uint64_t count, void *arg)
{
	struct fold_ctx *c = arg;
	size_t len = strlen(path), n = 0, i;

	if (reserve(&c->buf, &c->buf_cap, len + 1, 1) ||
	    reserve(&c->frames, &c->frames_cap, len + 1, sizeof(*c->frames)))
		return -ENOMEM;
	memcpy(c->buf, path, len + 1);
	c->frames[n++] = c->buf;
	for (i = 0; i < len; i++) {
		if (c->buf[i] == ';') {
			c->buf[i] = '\0';
			c->frames[n++] = c->buf + i + 1;
		}
	}
	return pprof__add(c->p, c->frames, (int)n, count > INT64_MAX ? INT64_MAX : (int64_t)count);
}

int pprof_write_fold(const struct fold *f, const char *path, const struct pprof_meta *m)
{
	struct fold_ctx c = { .p = pprof__new(m) };
	struct st_out out;
	int err = c.p ? fold__visit_sorted(f, add_path, &c) : -ENOMEM;

	free(c.buf);
	free(c.frames);
	if (err) {
		st_err("cannot build the pprof profile for %s: %s", path, strerror(-err));
		pprof__free(c.p);
		return err;
	}
	err = st_out_open(&out, path);
	if (err) {
		pprof__free(c.p);
		return err;
	}
	err = pprof__write(c.p, out.f);
	pprof__free(c.p);
	if (err) {
		st_err("cannot write %s: %s", path, strerror(-err));
		st_out_abort(&out);
		return err;
	}
	return st_out_commit(&out);
}
