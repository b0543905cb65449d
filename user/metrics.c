// SPDX-License-Identifier: GPL-2.0
#include "metrics.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static const double bucket_le[METRIC_BUCKETS] = {
	0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
	0.1,	 0.25,	 0.5,	  1,	  2.5,	 5,	 10,	30,   60,    120,
};

struct series {
	char *values[4];
	uint64_t touched;
	double value; /* counter / gauge */
	uint64_t count;
	double sum;
	uint64_t buckets[METRIC_BUCKETS]; /* non-cumulative */
};

struct metric {
	char *name, *help;
	enum metric_type type;
	int nlabels, max_series;
	char *labels[4];
	struct series *s;
	int n;
	struct metrics *owner;
};

struct metrics {
	struct metric *m[32];
	int n;
	uint64_t evicted;
};

struct metrics *metrics__new(void)
{
	return calloc(1, sizeof(struct metrics));
}

static void free_series(struct metric *m, struct series *s)
{
	int i;

	for (i = 0; i < m->nlabels; i++)
		free(s->values[i]);
}

void metrics__free(struct metrics *r)
{
	int i, j;

	if (!r)
		return;
	for (i = 0; i < r->n; i++) {
		struct metric *m = r->m[i];

		for (j = 0; j < m->n; j++)
			free_series(m, &m->s[j]);
		for (j = 0; j < m->nlabels; j++)
			free(m->labels[j]);
		free(m->s);
		free(m->name);
		free(m->help);
		free(m);
	}
	free(r);
}

struct metric *metrics__add(struct metrics *r, const char *name, const char *help,
			    enum metric_type t, int max_series, int nlabels,
			    const char *const *labels)
{
	struct metric *m;
	int i;

	if (r->n >= 32 || nlabels > 4 || max_series < 1)
		return NULL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->s = calloc((size_t)max_series, sizeof(*m->s));
	m->name = strdup(name);
	m->help = strdup(help);
	if (!m->s || !m->name || !m->help) {
		free(m->s);
		free(m->name);
		free(m->help);
		free(m);
		return NULL;
	}
	m->type = t;
	m->nlabels = nlabels;
	m->max_series = max_series;
	m->owner = r;
	for (i = 0; i < nlabels; i++)
		m->labels[i] = strdup(labels[i]);
	r->m[r->n++] = m;
	return m;
}

static bool same_values(const struct metric *m, const struct series *s, const char *const *v)
{
	int i;

	for (i = 0; i < m->nlabels; i++)
		if (strcmp(s->values[i], v[i]))
			return false;
	return true;
}

/* The series of @v, created (evicting the stalest when full) if needed. */
static struct series *series_of(struct metric *m, const char *const *v, uint64_t now)
{
	struct series *s;
	int i, oldest = 0;

	for (i = 0; i < m->n; i++)
		if (same_values(m, &m->s[i], v)) {
			m->s[i].touched = now;
			return &m->s[i];
		}
	if (m->n == m->max_series) {
		for (i = 1; i < m->n; i++)
			if (m->s[i].touched < m->s[oldest].touched)
				oldest = i;
		free_series(m, &m->s[oldest]);
		m->s[oldest] = m->s[--m->n];
		m->owner->evicted++;
	}
	s = &m->s[m->n];
	memset(s, 0, sizeof(*s));
	for (i = 0; i < m->nlabels; i++) {
		s->values[i] = strdup(v[i] ? v[i] : "");
		if (!s->values[i]) {
			while (i-- > 0)
				free(s->values[i]);
			return NULL;
		}
	}
	s->touched = now;
	m->n++;
	return s;
}

void metric__inc(struct metric *m, const char *const *values, double by, uint64_t now)
{
	struct series *s = m ? series_of(m, values, now) : NULL;

	if (s)
		s->value += by;
}

void metric__set(struct metric *m, const char *const *values, double v, uint64_t now)
{
	struct series *s = m ? series_of(m, values, now) : NULL;

	if (s)
		s->value = v;
}

void metric__observe(struct metric *m, const char *const *values, double seconds, uint64_t now)
{
	struct series *s = m ? series_of(m, values, now) : NULL;
	int b;

	if (!s)
		return;
	s->count++;
	s->sum += seconds;
	for (b = 0; b < METRIC_BUCKETS; b++)
		if (seconds <= bucket_le[b]) {
			s->buckets[b]++;
			break;
		}
}

void metric__expire(struct metric *m, uint64_t before)
{
	int i = 0;

	while (m && i < m->n) {
		if (m->s[i].touched < before) {
			free_series(m, &m->s[i]);
			m->s[i] = m->s[--m->n];
		} else {
			i++;
		}
	}
}

uint64_t metrics__evicted(const struct metrics *r)
{
	return r->evicted;
}

/* Label values are escaped as the exposition format requires. */
static void put_value(FILE *out, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			fputc('\\', out);
		if (*v == '\n') {
			fputs("\\n", out);
			continue;
		}
		fputc(*v, out);
	}
}

static void put_labels(FILE *out, const struct metric *m, const struct series *s, const char *le)
{
	int i;

	if (!m->nlabels && !le)
		return;
	fputc('{', out);
	for (i = 0; i < m->nlabels; i++) {
		fprintf(out, "%s%s=\"", i ? "," : "", m->labels[i]);
		put_value(out, s->values[i]);
		fputc('"', out);
	}
	if (le)
		fprintf(out, "%sle=\"%s\"", m->nlabels ? "," : "", le);
	fputc('}', out);
}

static int cmp_series(const void *a, const void *b, void *m)
{
	const struct metric *mt = m;
	int i, c;

	for (i = 0; i < mt->nlabels; i++) {
		c = strcmp(((const struct series *)a)->values[i],
			   ((const struct series *)b)->values[i]);
		if (c)
			return c;
	}
	return 0;
}

static void render_histogram(FILE *out, const struct metric *m, const struct series *s)
{
	uint64_t cum = 0;
	char le[24];
	int b;

	for (b = 0; b < METRIC_BUCKETS; b++) {
		cum += s->buckets[b];
		snprintf(le, sizeof(le), "%g", bucket_le[b]);
		fprintf(out, "%s_bucket", m->name);
		put_labels(out, m, s, le);
		fprintf(out, " %llu\n", (unsigned long long)cum);
	}
	fprintf(out, "%s_bucket", m->name);
	put_labels(out, m, s, "+Inf");
	fprintf(out, " %llu\n%s_sum", (unsigned long long)s->count, m->name);
	put_labels(out, m, s, NULL);
	fprintf(out, " %.9g\n%s_count", s->sum, m->name);
	put_labels(out, m, s, NULL);
	fprintf(out, " %llu\n", (unsigned long long)s->count);
}

int metrics__render(const struct metrics *r, FILE *out)
{
	static const char *const types[] = { "counter", "gauge", "histogram" };
	int i, j;

	for (i = 0; i < r->n; i++) {
		struct metric *m = r->m[i];

		/* Sorted series: the same state renders the same text. */
		qsort_r(m->s, (size_t)m->n, sizeof(*m->s), cmp_series, m);
		fprintf(out, "# TYPE %s %s\n# HELP %s %s\n", m->name, types[m->type], m->name,
			m->help);
		for (j = 0; j < m->n; j++) {
			if (m->type == METRIC_HISTOGRAM) {
				render_histogram(out, m, &m->s[j]);
				continue;
			}
			fprintf(out, "%s%s", m->name, m->type == METRIC_COUNTER ? "_total" : "");
			put_labels(out, m, &m->s[j], NULL);
			fprintf(out, " %.9g\n", m->s[j].value);
		}
	}
	fprintf(out, "# EOF\n");
	return ferror(out) ? -EIO : 0;
}
