// SPDX-License-Identifier: GPL-2.0
/*
 * Comparing stack profiles (offcpu, profile, folded): per stack and per frame
 * (inclusive: a frame counts each stack it is on once), the total and its share
 * of the run, and a test on the per-process totals. A process of the same name
 * (the stack's first frame) that never ran a stack counts as 0 for it, so a
 * stack that appears only in the new run is tested too. Folded files have no
 * processes: their rows are not tested.
 */
#include "compare.h"
#include "util.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CMP_MAX_COMMS 16

struct srec {
	const char *key;
	const char *comm; /* the first frame of the stack it came from */
	size_t comm_len;
	long long pid;
	double v;
};

struct sproc {
	long long pid;
	const char *comm;
	size_t comm_len;
};

/* One key of one run: recs[first .. first + n) and its per-process sums. */
struct sagg {
	const char *key;
	size_t first, n;
	double sum;
};

struct sside {
	struct srec *recs;
	size_t nrecs, cap;
	struct sagg *agg;
	size_t nagg;
	struct sproc *procs;
	size_t nprocs;
	double total;
	bool has_pids;
};

static int cmp_srec(const void *x, const void *y)
{
	const struct srec *a = x, *b = y;
	int c = strcmp(a->key, b->key);

	return c ? c : a->pid < b->pid ? -1 : a->pid > b->pid;
}

static int cmp_sproc(const void *x, const void *y)
{
	const struct sproc *a = x, *b = y;

	return a->pid < b->pid ? -1 : a->pid > b->pid;
}

static size_t comm_len(const char *key)
{
	const char *semi = strchr(key, ';');

	return semi ? (size_t)(semi - key) : strlen(key);
}

static int push(struct sside *s, const char *key, const struct cmp_rec *from)
{
	if (s->nrecs == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;
		struct srec *n = realloc(s->recs, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		s->recs = n;
		s->cap = cap;
	}
	s->recs[s->nrecs++] =
	    (struct srec){ key, from->key, comm_len(from->key), from->pid, from->v };
	return 0;
}

/* Frame names copied out of stack keys, owned by one section run (both sides). */
struct names {
	char **v;
	size_t n, cap;
};

static char *names__add(struct names *nm, const char *p, size_t len)
{
	if (nm->n == nm->cap) {
		size_t cap = nm->cap ? nm->cap * 2 : 256;
		char **v = realloc(nm->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		nm->v = v;
		nm->cap = cap;
	}
	nm->v[nm->n] = strndup(p, len);
	return nm->v[nm->n] ? nm->v[nm->n++] : NULL;
}

static void names__free(struct names *nm)
{
	size_t i;

	for (i = 0; i < nm->n; i++)
		free(nm->v[i]);
	free(nm->v);
	memset(nm, 0, sizeof(*nm));
}

/* Distinct frames of every stack, each once per stack; their names go to @owned. */
static int frame_recs(struct sside *s, const struct cmp_doc *d, struct names *owned)
{
	size_t i, k;

	for (i = 0; i < d->nrecs; i++) {
		const char *p = d->recs[i].key;
		size_t first = s->nrecs;

		while (*p) {
			size_t len = strcspn(p, ";");
			bool dup = false;
			const char *name;

			for (k = first; k < s->nrecs && !dup; k++)
				dup = strlen(s->recs[k].key) == len &&
				      !strncmp(s->recs[k].key, p, len);
			if (!dup) {
				name = names__add(owned, p, len);
				if (!name || push(s, name, &d->recs[i]))
					return -ENOMEM;
			}
			p += len + (p[len] == ';');
		}
	}
	return 0;
}

static int build_procs(struct sside *s, const struct cmp_doc *d)
{
	size_t i, n = 0;

	s->procs = calloc(d->nrecs + 1, sizeof(*s->procs));
	if (!s->procs)
		return -ENOMEM;
	for (i = 0; i < d->nrecs; i++) {
		s->procs[i] =
		    (struct sproc){ d->recs[i].pid, d->recs[i].key, comm_len(d->recs[i].key) };
		s->has_pids |= d->recs[i].pid != 0;
		s->total += d->recs[i].v;
	}
	qsort(s->procs, d->nrecs, sizeof(*s->procs), cmp_sproc);
	for (i = 0; i < d->nrecs; i++)
		if (!n || s->procs[n - 1].pid != s->procs[i].pid)
			s->procs[n++] = s->procs[i];
	s->nprocs = n;
	return 0;
}

static int aggregate(struct sside *s)
{
	size_t i, j;

	qsort(s->recs, s->nrecs, sizeof(*s->recs), cmp_srec);
	s->agg = calloc(s->nrecs + 1, sizeof(*s->agg));
	if (!s->agg)
		return -ENOMEM;
	for (i = 0; i < s->nrecs; i = j) {
		struct sagg *a = &s->agg[s->nagg++];

		a->key = s->recs[i].key;
		a->first = i;
		for (j = i; j < s->nrecs && !strcmp(s->recs[j].key, a->key); j++)
			a->sum += s->recs[j].v;
		a->n = j - i;
	}
	return 0;
}

struct comms {
	const char *v[CMP_MAX_COMMS];
	size_t len[CMP_MAX_COMMS];
	int n;
	bool overflow;
};

static void add_comms(struct comms *c, const struct sside *s, const struct sagg *a)
{
	size_t i;
	int k;

	for (i = a ? a->first : 0; a && i < a->first + a->n; i++) {
		const struct srec *r = &s->recs[i];

		for (k = 0; k < c->n; k++)
			if (c->len[k] == r->comm_len && !strncmp(c->v[k], r->comm, r->comm_len))
				break;
		if (k < c->n)
			continue;
		if (c->n == CMP_MAX_COMMS) {
			c->overflow = true;
			continue;
		}
		c->v[c->n] = r->comm;
		c->len[c->n++] = r->comm_len;
	}
}

static bool in_comms(const struct comms *c, const struct sproc *p)
{
	int k;

	for (k = 0; k < c->n; k++)
		if (c->len[k] == p->comm_len && !strncmp(c->v[k], p->comm, p->comm_len))
			return true;
	return false;
}

/* Per-process totals of key @a: every process named in @c (0 when it never ran the key). */
static size_t samples(const struct sside *s, const struct sagg *a, const struct comms *c,
		      double *out)
{
	size_t i, r = a ? a->first : 0, end = a ? a->first + a->n : 0, n = 0;

	for (i = 0; i < s->nprocs; i++) {
		const struct sproc *p = &s->procs[i];
		double v = 0;
		bool ran = false;

		while (r < end && s->recs[r].pid < p->pid)
			r++;
		for (; r < end && s->recs[r].pid == p->pid; r++) {
			v += s->recs[r].v;
			ran = true;
		}
		if (ran || (!c->overflow && in_comms(c, p)))
			out[n++] = v;
	}
	return n;
}

static int stack_row(struct cmp_result *r, const char *section, const struct sside *s,
		     const struct sagg *ab, const struct sagg *an, const struct cmp_opts *o,
		     double *a, double *b)
{
	struct cmp_row *w = cmp__new_row(r, section, ab ? ab->key : an->key, NULL);
	struct comms c = { .n = 0 };
	int err = 0;

	if (!w)
		return -ENOMEM;
	w->sum_base = ab ? ab->sum : 0;
	w->sum_new = an ? an->sum : 0;
	w->share_base = s[0].total > 0 ? w->sum_base / s[0].total : 0;
	w->share_new = s[1].total > 0 ? w->sum_new / s[1].total : 0;
	if (s[0].has_pids && s[1].has_pids) {
		add_comms(&c, &s[0], ab);
		add_comms(&c, &s[1], an);
		err =
		    cmp__fill(w, a, samples(&s[0], ab, &c, a), b, samples(&s[1], an, &c, b), true);
	} else {
		w->n_base = ab ? 1 : 0;
		w->n_new = an ? 1 : 0;
		w->untested = "folded stacks hold one sum per stack, no per-process samples";
	}
	return err;
}

static double max_share(const struct cmp_row *w)
{
	return fmax(w->share_base, w->share_new);
}

static int by_share(const void *x, const void *y)
{
	const struct cmp_row *a = x, *b = y;
	double d = max_share(b) - max_share(a);

	return d > 0 ? 1 : d < 0 ? -1 : strcmp(a->name, b->name);
}

/* The size of a change, as a share of the larger run: stable when a whole run scales. */
static int by_change(const void *x, const void *y, void *ctx)
{
	const struct cmp_row *a = x, *b = y;
	double big = *(const double *)ctx;
	double d = (fabs(b->sum_new - b->sum_base) - fabs(a->sum_new - a->sum_base)) / big;

	/* changes below 0.01% of the run are noise in the ordering: rank by share */
	return fabs(d) > 1e-4 ? (d > 0 ? 1 : -1) : by_share(x, y);
}

/* Merge the two runs' keys into rows, then keep the top ones shown. */
static int section_rows(struct cmp_result *r, const char *section, struct sside *s,
			const struct cmp_opts *o)
{
	size_t i = 0, j = 0, first = r->nrows, k;
	double big;
	double *a = calloc(s[0].nprocs + 1, sizeof(*a)), *b = calloc(s[1].nprocs + 1, sizeof(*b));
	int err = a && b ? 0 : -ENOMEM;

	while (!err && (i < s[0].nagg || j < s[1].nagg)) {
		int c = i == s[0].nagg	 ? 1
			: j == s[1].nagg ? -1
					 : strcmp(s[0].agg[i].key, s[1].agg[j].key);

		err = stack_row(r, section, s, c <= 0 ? &s[0].agg[i] : NULL,
				c >= 0 ? &s[1].agg[j] : NULL, o, a, b);
		i += c <= 0;
		j += c >= 0;
	}
	free(a);
	free(b);
	if (err)
		return err;
	big = fmax(fmax(s[0].total, s[1].total), 1);
	if (strcmp(section, "frame"))
		qsort(r->rows + first, r->nrows - first, sizeof(*r->rows), by_share);
	else
		qsort_r(r->rows + first, r->nrows - first, sizeof(*r->rows), by_change, &big);
	for (k = first; k < r->nrows; k++)
		r->rows[k].shown = k - first < (size_t)o->top;
	return 0;
}

static void side_free(struct sside *s)
{
	free(s->recs);
	free(s->agg);
	free(s->procs);
	memset(s, 0, sizeof(*s));
}

static int run_section(struct cmp_result *r, const struct cmp_doc *d[2], bool frames,
		       const struct cmp_opts *o)
{
	struct sside s[2] = { 0 };
	struct names owned = { 0 };
	size_t i, k;
	int err = 0;

	for (k = 0; !err && k < 2; k++) {
		err = build_procs(&s[k], d[k]);
		for (i = 0; !err && !frames && i < d[k]->nrecs; i++)
			err = push(&s[k], d[k]->recs[i].key, &d[k]->recs[i]);
		if (!err && frames)
			err = frame_recs(&s[k], d[k], &owned);
		if (!err)
			err = aggregate(&s[k]);
	}
	if (!err)
		err = section_rows(r, frames ? "frame" : "stack", s, o);
	r->total_base = s[0].total;
	r->total_new = s[1].total;
	for (k = 0; k < 2; k++)
		side_free(&s[k]);
	names__free(&owned);
	return err;
}

int cmp__run_stacks(const struct cmp_doc *base, const struct cmp_doc *new, const struct cmp_opts *o,
		    struct cmp_result *r)
{
	const struct cmp_doc *d[2] = { base, new };
	int err;

	r->sample_name = base->kind == CMP_FOLDED ? "stacks" : "processes";
	if (base->kind == CMP_FOLDED)
		cmp__note(r, "folded stacks hold one sum per stack: changes are not tested for "
			     "significance (compare the tracers' --json output for that)");
	err = run_section(r, d, false, o);
	if (!err)
		err = run_section(r, d, true, o);
	return err;
}
