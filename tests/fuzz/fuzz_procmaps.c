// SPDX-License-Identifier: GPL-2.0
/* /proc/PID/maps text: procmaps__parse_line() on the first line, procmaps__foreach_buf(). */
#include "fuzz.h"
#include "procmaps.h"

struct walk {
	const char *buf;
	size_t len;
	unsigned n;
};

static void check_map(const struct procmap *m, const char *buf, size_t len)
{
	size_t plen;

	FZ_CHECK(m->start <= m->end, "%llx-%llx", (unsigned long long)m->start,
		 (unsigned long long)m->end);
	FZ_CHECK(m->path, "path is never NULL");
	/* The path points into the parsed text, NUL-terminated, without its newline. */
	FZ_CHECK(m->path >= buf && m->path <= buf + len, "path outside the buffer");
	plen = strlen(m->path);
	FZ_CHECK(m->path + plen <= buf + len, "path runs past the buffer");
	FZ_CHECK(!memchr(m->path, '\n', plen), "newline in path '%s'", fz_show(m->path));
}

static int on_map(const struct procmap *m, void *ctx)
{
	struct walk *w = ctx;

	check_map(m, w->buf, w->len);
	/* A non-zero return stops the walk and is what foreach returns. */
	return ++w->n == 200 ? 42 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fz_strndup(data, size);
	size_t len = strlen(buf);
	struct walk w = { buf, len, 0 };
	struct procmap m;
	char *line;
	int err;

	line = fz_strndup((const uint8_t *)buf, strcspn(buf, "\n"));
	if (!procmaps__parse_line(line, &m))
		check_map(&m, line, strlen(line) + 1);
	free(line);

	err = procmaps__foreach_buf(buf, on_map, &w);
	FZ_CHECK(err == 0 || (err == 42 && w.n == 200), "foreach returned %d after %u maps", err,
		 w.n);
	free(buf);
	return 0;
}
