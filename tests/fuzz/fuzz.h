/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the libFuzzer harnesses: take option bytes from the front of the input, copy
 * the rest as the exact-size heap buffers ASan guards, and fail loudly when an invariant
 * of the API under test does not hold (abort() = a crash libFuzzer keeps).
 */
#ifndef ST_FUZZ_H
#define ST_FUZZ_H

#include <sanitizer/common_interface_defs.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

struct fz_in {
	const uint8_t *p;
	size_t n;
};

/* The next byte of option input, 0 once the input is used up. */
static inline uint8_t fz_byte(struct fz_in *in)
{
	uint8_t b = 0;

	if (in->n) {
		b = in->p[0];
		in->p++;
		in->n--;
	}
	return b;
}

/* The next 8 bytes, little-endian, zero-padded. */
static inline uint64_t fz_u64(struct fz_in *in)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v |= (uint64_t)fz_byte(in) << (8 * i);
	return v;
}

/* A malloc'd copy of @n bytes with a NUL after them (at least 1 byte). */
static inline char *fz_strndup(const uint8_t *p, size_t n)
{
	char *s = malloc(n + 1);

	if (!s)
		abort();
	if (n)
		memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

/* @s made printable for a message (\xNN escapes, cut at 96 bytes); 4 rotating buffers. */
static inline const char *fz_show(const char *s)
{
	static char bufs[4][4 * 96 + 4];
	static unsigned next;
	char *b = bufs[next++ % 4], *p = b;

	for (size_t i = 0; s[i] && i < 96; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f && c != '\\')
			*p++ = (char)c;
		else
			p += sprintf(p, "\\x%02x", c);
	}
	*p = '\0';
	return b;
}

/*
 * Stderr is closed while fuzzing (-close_fd_mask): the message goes where the sanitizers
 * report, as a "SUMMARY:" line run-all shows.
 */
#define FZ_CHECK(cond, ...)                                                                     \
	do {                                                                                    \
		if (!(cond)) {                                                                  \
			char fz_msg_[512];                                                      \
			int fz_n_ =                                                             \
			    snprintf(fz_msg_, sizeof(fz_msg_),                                  \
				     "SUMMARY: fuzz invariant failed at %s:%d: %s: ", __FILE__, \
				     __LINE__, #cond);                                          \
			if (fz_n_ >= 0 && (size_t)fz_n_ < sizeof(fz_msg_))                      \
				snprintf(fz_msg_ + fz_n_, sizeof(fz_msg_) - (size_t)fz_n_,      \
					 __VA_ARGS__);                                          \
			__sanitizer_report_error_summary(fz_msg_);                              \
			abort();                                                                \
		}                                                                               \
	} while (0)

#endif
