// SPDX-License-Identifier: GPL-2.0
/*
 * fold2pprof FOLDED OUT TYPE UNIT [DURATION_NS]: folded stacks -> pprof through
 * fold__add() and pprof_write_fold(), the path the --pprof option takes.
 * Built by tests/integration/test-pprof.sh against libscaletrace.a.
 */
#include "fold.h"
#include "pprof.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FRAMES 512

/* "a;b;c 12": split in place into frames, root first. -1 on a malformed line. */
static int parse_line(char *line, const char **frames, unsigned long long *count)
{
	char *sp = strrchr(line, ' '), *end, *tok, *save = NULL;
	int n = 0;

	if (!sp)
		return -1;
	*sp = '\0';
	*count = strtoull(sp + 1, &end, 10);
	if (end == sp + 1 || (*end && *end != '\n'))
		return -1;
	for (tok = strtok_r(line, ";", &save); tok && n < MAX_FRAMES;
	     tok = strtok_r(NULL, ";", &save))
		frames[n++] = tok;
	return n ? n : -1;
}

int main(int argc, char **argv)
{
	const char *frames[MAX_FRAMES];
	struct pprof_meta m = { 0 };
	unsigned long long count;
	struct fold *f = fold__new();
	char *line = NULL;
	size_t cap = 0;
	FILE *in;
	int n, err = 0;

	if (argc < 5 || !f) {
		fprintf(stderr, "usage: fold2pprof FOLDED OUT TYPE UNIT [DURATION_NS]\n");
		return 2;
	}
	in = strcmp(argv[1], "-") ? fopen(argv[1], "r") : stdin;
	if (!in) {
		perror(argv[1]);
		return 1;
	}
	while (!err && getline(&line, &cap, in) > 0) {
		n = parse_line(line, frames, &count);
		err = n < 0 ? -1 : fold__add(f, frames, n, count);
	}
	m.sample_type = argv[3];
	m.unit = argv[4];
	m.period = 1;
	m.duration_ns = argc > 5 ? strtoll(argv[5], NULL, 10) : 0;
	if (!err)
		err = pprof_write_fold(f, argv[2], &m);
	free(line);
	fold__free(f);
	if (in != stdin)
		fclose(in);
	return err ? 1 : 0;
}
