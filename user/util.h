/* SPDX-License-Identifier: GPL-2.0 */
/* Shared user-side helpers: messages, verbosity, strict parsing, signals, time. */
#ifndef ST_UTIL_H
#define ST_UTIL_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define NSEC_PER_SEC  1000000000ULL
#define NSEC_PER_MSEC 1000000ULL
#define NSEC_PER_USEC 1000ULL

/* Name of the running subcommand, for the "scaletrace CMD: " message prefix. */
void st_set_cmdname(const char *name);
const char *st_cmdname(void);

/* Verbosity from -v (0 = quiet, 3 = libbpf debug). */
void st_set_verbosity(int level);
int st_verbosity(void);

/* One line on stderr, prefixed "scaletrace[ CMD]: ". */
void st_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void st_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Printed only at verbosity >= level. */
void st_info(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Strict number parsing: the whole string must be a number within [min, max].
 * Return 0 or -EINVAL / -ERANGE; *out is untouched on error.
 */
int st_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);
int st_parse_int(const char *s, int min, int max, int *out);
int st_parse_double(const char *s, double min, double max, double *out);

/*
 * Durations: "1.5", "200ms", "30s", "2m", "1h", "150us", "10ns". A bare number is
 * in @unit_ns (e.g. NSEC_PER_SEC for -d SECONDS, NSEC_PER_USEC for -m MIN_US).
 * Negative, empty, overflowing or trailing-garbage input is -EINVAL / -ERANGE.
 */
int st_parse_duration(const char *s, uint64_t unit_ns, uint64_t *out_ns);

/* Format @ns with an adaptive unit ("812us", "4.21ms", "1.50s") into buf. */
const char *st_fmt_duration(uint64_t ns, char *buf, size_t len);

/* SIGINT/SIGTERM set the flag; SIGCHLD sets the child flag. */
void st_signals_install(void);
bool st_exiting(void);
void st_request_exit(void);
bool st_child_signalled(void);
void st_clear_child_signal(void);

uint64_t st_now_ns(void);      /* CLOCK_MONOTONIC, the clock bpf_ktime_get_ns() uses */
uint64_t st_realtime_ns(void); /* CLOCK_REALTIME */
/* Offset to add to a bpf_ktime_get_ns() timestamp to get wall-clock ns. */
int64_t st_mono_to_real_offset(void);

/* Read a whole small file into a NUL-terminated malloc'd buffer; NULL on error. */
char *st_read_file(const char *path, size_t max, size_t *len_out);

#endif
