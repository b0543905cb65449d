// SPDX-License-Identifier: GPL-2.0
/*
 * The documents `scaletrace compare` reads: a tracer's --json output, or
 * folded stacks. Stack documents (offcpu, profile, folded) are flattened to
 * (stack, process, count) records here; the others stay JSON.
 */
#include "compare.h"
#include "flamegraph.h"
#include "nsmodel.h"
#include "util.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CMP_MAX_FILE (1ULL << 30)

static const char *const kind_names[] = {
	[CMP_NODESTAGE] = "nodestage", [CMP_IOLAT] = "iolat",	[CMP_OFFCPU] = "offcpu",
	[CMP_PROFILE] = "profile",     [CMP_FOLDED] = "folded",
};

const char *cmp_kind_name(enum cmp_kind k)
{
	return k <= CMP_FOLDED ? kind_names[k] : "?";
}

void cmp_doc_free(struct cmp_doc *d)
{
	size_t i;

	for (i = 0; i < d->nrecs; i++)
		free(d->recs[i].key);
	free(d->recs);
	json_object_put(d->root);
	free(d->name);
	free(d->schema);
	free(d->unit);
	memset(d, 0, sizeof(*d));
}

static int add_rec(struct cmp_doc *d, size_t *cap, char *key, long long pid, double v)
{
	if (!key)
		return -ENOMEM;
	if (d->nrecs == *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		struct cmp_rec *n = realloc(d->recs, nc * sizeof(*n));

		if (!n) {
			free(key);
			return -ENOMEM;
		}
		d->recs = n;
		*cap = nc;
	}
	d->recs[d->nrecs++] = (struct cmp_rec){ key, pid, v };
	return 0;
}

/* "a;b;c" from a JSON array of frame names; NULL when it is not one. */
static char *join_frames(json_object *frames)
{
	size_t i, n, len = 0, off = 0;
	char *s;

	if (!json_object_is_type(frames, json_type_array) ||
	    !(n = json_object_array_length(frames)))
		return NULL;
	for (i = 0; i < n; i++)
		len += strlen(json_object_get_string(json_object_array_get_idx(frames, i))) + 1;
	s = malloc(len);
	for (i = 0; s && i < n; i++) {
		const char *f = json_object_get_string(json_object_array_get_idx(frames, i));
		size_t fl = strlen(f);

		memcpy(s + off, f, fl);
		off += fl;
		s[off++] = i + 1 < n ? ';' : '\0';
	}
	return s;
}

static int bad_doc(const char *name, const char *what)
{
	st_err("%s: %s", name, what);
	return -EINVAL;
}

/* offcpu stacks[] {frames, total_us, pid} / profile stacks[] {frames, samples, pid}. */
static int load_stacks(struct cmp_doc *d)
{
	const char *field = d->kind == CMP_OFFCPU ? "total_us" : "samples";
	json_object *stacks, *o, *v, *pid;
	size_t i, n, cap = 0;
	char what[96];
	int err;

	if (!json_object_object_get_ex(d->root, "stacks", &stacks) ||
	    !json_object_is_type(stacks, json_type_array))
		return bad_doc(d->name, "no stacks[] array");
	n = json_object_array_length(stacks);
	for (i = 0; i < n; i++) {
		char *key;

		o = json_object_array_get_idx(stacks, i);
		key = join_frames(json_object_object_get(o, "frames"));
		if (!key || !json_object_object_get_ex(o, field, &v) ||
		    json_object_get_double(v) < 0) {
			free(key);
			snprintf(what, sizeof(what), "stacks[%zu] has no frames[] or %s", i, field);
			return bad_doc(d->name, what);
		}
		pid = json_object_object_get(o, "pid");
		err = add_rec(d, &cap, key, pid ? json_object_get_int64(pid) : 0,
			      json_object_get_double(v));
		if (err)
			return err;
	}
	return 0;
}

/* "scaletrace.NAME/VERSION" -> kind; only the versions this code knows. */
static int kind_of(struct cmp_doc *d)
{
	static const enum cmp_kind kinds[] = { CMP_NODESTAGE, CMP_IOLAT, CMP_OFFCPU, CMP_PROFILE };
	const char *s = d->schema, *slash = strchr(s, '/');
	char what[256];
	size_t i;

	if (strncmp(s, "scaletrace.", 11) || !slash)
		return bad_doc(d->name, "not a scaletrace JSON document (no \"schema\")");
	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		const char *k = kind_names[kinds[i]];

		if (strlen(k) != (size_t)(slash - s - 11) || strncmp(s + 11, k, strlen(k)))
			continue;
		d->kind = kinds[i];
		/* Another version is refused by cmp_check(), after any mismatch is named. */
		d->readable = !strcmp(slash, "/1");
		return 0;
	}
	snprintf(what, sizeof(what),
		 "%s documents cannot be compared (nodestage, iolat, offcpu or profile JSON, or "
		 "folded stacks)",
		 s);
	return bad_doc(d->name, what);
}

int cmp_doc_from_json(struct cmp_doc *d, json_object *root, const char *name)
{
	json_object *v;
	int err;

	memset(d, 0, sizeof(*d));
	d->name = strdup(name);
	d->root = json_object_get(root);
	if (!d->name)
		return -ENOMEM;
	if (!json_object_is_type(root, json_type_object) ||
	    !json_object_object_get_ex(root, "schema", &v) ||
	    !json_object_is_type(v, json_type_string))
		return bad_doc(name, "not a scaletrace JSON document (no \"schema\")");
	d->schema = strdup(json_object_get_string(v));
	v = json_object_object_get(root, "unit");
	d->unit = strdup(v ? json_object_get_string(v) : "");
	if (!d->schema || !d->unit)
		return -ENOMEM;
	err = kind_of(d);
	if (!err && d->readable && (d->kind == CMP_OFFCPU || d->kind == CMP_PROFILE))
		err = load_stacks(d);
	return err;
}

/* One "stack count" line; blank lines are skipped. */
static int folded_line(struct cmp_doc *d, size_t *cap, const char *line, size_t len, size_t lineno)
{
	const char *sp;
	char num[32], what[64];
	uint64_t count;

	while (len && (line[len - 1] == '\r' || line[len - 1] == ' '))
		len--;
	if (!len)
		return 0;
	sp = memrchr(line, ' ', len);
	if (sp && sp > line && (size_t)(line + len - sp - 1) < sizeof(num)) {
		memcpy(num, sp + 1, (size_t)(line + len - sp - 1));
		num[line + len - sp - 1] = '\0';
		if (!st_parse_u64(num, 0, UINT64_MAX, &count))
			return add_rec(d, cap, strndup(line, (size_t)(sp - line)), 0,
				       (double)count);
	}
	snprintf(what, sizeof(what), "line %zu is not \"frame;frame;... COUNT\"", lineno);
	return bad_doc(d->name, what);
}

int cmp_doc_from_folded(struct cmp_doc *d, const char *text, size_t len, const char *name)
{
	const char *p = text, *end = text + len;
	size_t cap = 0, lineno = 0;
	int err = 0;

	memset(d, 0, sizeof(*d));
	d->kind = CMP_FOLDED;
	d->readable = true;
	d->name = strdup(name);
	d->schema = strdup("folded");
	d->unit = strdup("");
	if (!d->name || !d->schema || !d->unit)
		return -ENOMEM;
	while (!err && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);

		err = folded_line(d, &cap, p, l, ++lineno);
		p += l + 1;
	}
	if (!err && !d->nrecs)
		return bad_doc(name, "no folded stacks in it");
	return err;
}

static int parse_json_text(struct cmp_doc *d, const char *buf, size_t len, const char *path)
{
	struct json_tokener *tok = json_tokener_new();
	json_object *root;
	char what[160];
	int err;

	if (!tok)
		return -ENOMEM;
	root = json_tokener_parse_ex(tok, buf, (int)len);
	if (!root || json_tokener_get_error(tok) != json_tokener_success) {
		snprintf(what, sizeof(what), "invalid JSON near byte %zu: %s",
			 (size_t)json_tokener_get_parse_end(tok),
			 json_tokener_error_desc(json_tokener_get_error(tok)));
		json_object_put(root);
		json_tokener_free(tok);
		memset(d, 0, sizeof(*d));
		return bad_doc(path, what);
	}
	json_tokener_free(tok);
	err = cmp_doc_from_json(d, root, path);
	json_object_put(root);
	return err;
}

int cmp_doc_load(struct cmp_doc *d, const char *path)
{
	size_t len = 0, i = 0;
	char *buf = st_read_file(path, CMP_MAX_FILE, &len);
	int err;

	memset(d, 0, sizeof(*d));
	if (!buf) {
		err = -errno;
		st_err("cannot read %s: %s", path, strerror(errno));
		return err ? err : -EIO;
	}
	if (len >= CMP_MAX_FILE) {
		free(buf);
		return bad_doc(path, "larger than 1 GiB");
	}
	while (i < len && strchr(" \t\r\n", buf[i]))
		i++;
	if (i < len && buf[i] == '{')
		err = parse_json_text(d, buf, len, path);
	else
		err = cmp_doc_from_folded(d, buf, len, path);
	free(buf);
	return err;
}

static const char *describe(const struct cmp_doc *d)
{
	return d->kind == CMP_FOLDED ? "folded stacks" : d->schema;
}

int cmp_check(const struct cmp_doc *base, const struct cmp_doc *new, char *why, size_t len)
{
	if (base->kind != new->kind) {
		snprintf(why, len,
			 "cannot compare runs of different subcommands: %s is %s, %s is %s",
			 base->name, describe(base), new->name, describe(new));
		return -EINVAL;
	}
	if (strcmp(base->schema, new->schema)) {
		snprintf(why, len, "cannot compare different schema versions: %s is %s, %s is %s",
			 base->name, base->schema, new->name, new->schema);
		return -EINVAL;
	}
	if (strcmp(base->unit, new->unit)) {
		snprintf(why, len, "cannot compare different units: %s is in '%s', %s in '%s'",
			 base->name, base->unit, new->name, new->unit);
		return -EINVAL;
	}
	if (!base->readable) {
		snprintf(why, len, "cannot read schema %s (this scaletrace reads scaletrace.%s/1)",
			 base->schema, cmp_kind_name(base->kind));
		return -EINVAL;
	}
	return 0;
}

/* ---- stacks for the differential flamegraph ----------------------------------------- */

static int fold_nodestage(const struct cmp_doc *d, struct fg *t)
{
	json_object *ops = json_object_object_get(d->root, "operations"), *cats;
	size_t i, j, n = ops ? json_object_array_length(ops) : 0;
	int c, err = 0;

	for (i = 0; !err && i < n; i++) {
		json_object *phases =
		    json_object_object_get(json_object_array_get_idx(ops, i), "phases");
		size_t np = phases ? json_object_array_length(phases) : 0;

		for (j = 0; !err && j < np; j++) {
			json_object *p = json_object_array_get_idx(phases, j);
			const char *fr[2] = { json_object_get_string(
			    json_object_object_get(p, "name")) };
			char leaf[32];

			cats = json_object_object_get(p, "categories_us");
			for (c = 0; !err && cats && c < NSM_CAT_NR; c++) {
				int64_t us = json_object_get_int64(
				    json_object_object_get(cats, nsm_cat_name(c)));

				snprintf(leaf, sizeof(leaf), "[%s]", nsm_cat_name(c));
				fr[1] = leaf;
				if (fr[0] && us > 0)
					err = fg__add_stack(t, fr, 2, (uint64_t)us);
			}
		}
	}
	return err;
}

/* iolat keeps percentiles, not sums: mean x count is each component's time. */
static int fold_iolat(const struct cmp_doc *d, struct fg *t)
{
	static const char *const comps[] = { "kernel", "network", "target" };
	json_object *groups = json_object_object_get(d->root, "groups");
	size_t i, n = groups ? json_object_array_length(groups) : 0, c;
	int err = 0;

	for (i = 0; !err && i < n; i++) {
		json_object *g = json_object_array_get_idx(groups, i);
		uint64_t count =
		    (uint64_t)json_object_get_int64(json_object_object_get(g, "count"));
		const char *fr[2] = { json_object_get_string(json_object_object_get(g, "group")) };
		char leaf[32];

		for (c = 0; !err && fr[0] && c < ARRAY_SIZE(comps); c++) {
			json_object *h = json_object_object_get(g, comps[c]);
			uint64_t mean =
			    (uint64_t)json_object_get_int64(json_object_object_get(h, "mean_us"));

			snprintf(leaf, sizeof(leaf), "[%s]", comps[c]);
			fr[1] = leaf;
			if (mean && count)
				err = fg__add_stack(t, fr, 2, mean * count);
		}
	}
	return err;
}

int cmp_doc_fold(const struct cmp_doc *d, struct fg *t)
{
	size_t i;
	int err = 0;

	if (d->kind == CMP_NODESTAGE)
		return fold_nodestage(d, t);
	if (d->kind == CMP_IOLAT)
		return fold_iolat(d, t);
	for (i = 0; !err && i < d->nrecs; i++)
		if (d->recs[i].v >= 0.5)
			err = fg__add_folded_stack(t, d->recs[i].key, strlen(d->recs[i].key),
						   (uint64_t)llround(d->recs[i].v));
	return err;
}
