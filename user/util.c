// SPDX-License-Identifier: GPL-2.0
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *cmdname;
static int verbosity;
static volatile sig_atomic_t exiting;
static volatile sig_atomic_t child_signalled;

void st_set_cmdname(const char *name)
{
	cmdname = name;
}

const char *st_cmdname(void)
{
	return cmdname;
}

void st_set_verbosity(int level)
{
	verbosity = level;
}

int st_verbosity(void)
{
	return verbosity;
}

static void vmsg(const char *kind, const char *fmt, va_list ap)
{
	char line[1024];

	vsnprintf(line, sizeof(line), fmt, ap);
	if (cmdname)
		fprintf(stderr, "scaletrace %s: %s%s\n", cmdname, kind, line);
	else
		fprintf(stderr, "scaletrace: %s%s\n", kind, line);
}

void st_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
}

void st_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("warning: ", fmt, ap);
	va_end(ap);
}

void st_info(int level, const char *fmt, ...)
{
	va_list ap;

	if (verbosity < level)
		return;
	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
}

int st_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	/* strtoull() would skip any blank and negate a '-': "\t-1" must not be UINT64_MAX. */
	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	if (errno || *end)
		return -EINVAL;
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int st_parse_int(const char *s, int min, int max, int *out)
{
	long v;
	char *end;

	if (!s || !*s || isspace((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	if (errno || *end)
		return -EINVAL;
	if (v < min || v > max)
		return -ERANGE;
	*out = (int)v;
	return 0;
}

int st_parse_double(const char *s, double min, double max, double *out)
{
	double v;
	char *end;

	if (!s || !*s || isspace((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno == ERANGE)
		return -ERANGE;
	if (errno || *end || !isfinite(v))
		return -EINVAL;
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

static const struct {
	const char *suffix;
	uint64_t ns;
} duration_units[] = {
	{ "ns", 1 },	       { "us", NSEC_PER_USEC },	   { "ms", NSEC_PER_MSEC },
	{ "s", NSEC_PER_SEC }, { "m", 60 * NSEC_PER_SEC }, { "h", 3600 * NSEC_PER_SEC },
};

int st_parse_duration(const char *s, uint64_t unit_ns, uint64_t *out_ns)
{
	uint64_t unit = unit_ns;
	char *end;
	double v;

	if (!s || !*s || !(*s == '.' || (*s >= '0' && *s <= '9')))
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || !isfinite(v) || v < 0)
		return -EINVAL;
	if (*end) {
		size_t i;

		for (i = 0; i < ARRAY_SIZE(duration_units); i++)
			if (!strcmp(end, duration_units[i].suffix))
				break;
		if (i == ARRAY_SIZE(duration_units))
			return -EINVAL;
		unit = duration_units[i].ns;
	}
	if (v * (double)unit >= 18e18)
		return -ERANGE;
	/* Not llround(): its long long overflows from 2^63 ns up. v >= 0: round half up. */
	*out_ns = (uint64_t)(v * (double)unit + 0.5);
	return 0;
}

const char *st_fmt_duration(uint64_t ns, char *buf, size_t len)
{
	if (ns < 10 * NSEC_PER_USEC)
		snprintf(buf, len, "%.1fus", ns / 1e3);
	else if (ns < NSEC_PER_MSEC)
		snprintf(buf, len, "%.0fus", ns / 1e3);
	else if (ns < 100 * NSEC_PER_MSEC)
		snprintf(buf, len, "%.2fms", ns / 1e6);
	else if (ns < NSEC_PER_SEC)
		snprintf(buf, len, "%.0fms", ns / 1e6);
	else
		snprintf(buf, len, "%.2fs", ns / 1e9);
	return buf;
}

static void on_exit_signal(int sig)
{
	(void)sig;
	exiting = 1;
}

static void on_child_signal(int sig)
{
	(void)sig;
	child_signalled = 1;
}

void st_signals_install(void)
{
	struct sigaction sa = { 0 };

	sa.sa_handler = on_exit_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_child_signal;
	sa.sa_flags = SA_NOCLDSTOP;
	sigaction(SIGCHLD, &sa, NULL);
	/* A closed output pipe must not kill us before detach: EPIPE is handled. */
	signal(SIGPIPE, SIG_IGN);
}

bool st_exiting(void)
{
	return exiting;
}

void st_request_exit(void)
{
	exiting = 1;
}

bool st_child_signalled(void)
{
	return child_signalled;
}

void st_clear_child_signal(void)
{
	child_signalled = 0;
}

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

uint64_t st_now_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

uint64_t st_realtime_ns(void)
{
	return clock_ns(CLOCK_REALTIME);
}

int64_t st_mono_to_real_offset(void)
{
	uint64_t m1 = st_now_ns(), r = st_realtime_ns(), m2 = st_now_ns();

	return (int64_t)r - (int64_t)((m1 + m2) / 2);
}

char *st_read_file(const char *path, size_t max, size_t *len_out)
{
	size_t cap = 4096, len = 0;
	char *buf = NULL;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	for (;;) {
		ssize_t n;

		if (len + 1 >= cap || !buf) {
			char *nb;

			if (buf)
				cap *= 2;
			if (cap > max + 1)
				cap = max + 1;
			nb = realloc(buf, cap);
			if (!nb)
				goto fail;
			buf = nb;
		}
		if (len >= max)
			break;
		n = read(fd, buf + len, cap - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	if (len_out)
		*len_out = len;
	return buf;
fail:
	free(buf);
	close(fd);
	return NULL;
}
