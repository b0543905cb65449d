/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Making any byte string safe as XML text: frame names come from traced
 * programs and from files, so they may hold markup, quotes, control bytes and
 * invalid UTF-8.
 */
#ifndef ST_FG_XML_H
#define ST_FG_XML_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct fg_buf {
	char *p;
	size_t len, cap;
};

void fg_buf__free(struct fg_buf *b);

/*
 * Replace @b's contents with a clean UTF-8 copy of s[0..n): invalid sequences,
 * control characters (C0 but tab, DEL, C1) and U+FFFE/U+FFFF become U+FFFD, a
 * tab becomes a space. Returns the number of code points, or -ENOMEM.
 */
int64_t fg_utf8_clean(const char *s, size_t n, struct fg_buf *b);
/* Bytes taken by the first @ncp code points of clean UTF-8 s[0..len). */
size_t fg_utf8_prefix(const char *s, size_t len, size_t ncp);
/* Write clean UTF-8 s[0..n) with & < > " ' as character entities. */
void fg_xml_put(FILE *f, const char *s, size_t n);
/* Clean then escape arbitrary bytes (titles, units). 0 or -ENOMEM. */
int fg_xml_put_raw(FILE *f, const char *s, size_t n, struct fg_buf *scratch);

/*
 * Labels: how many characters fit a frame @w px wide (0 when fewer than 3), and
 * writing the label: the whole clean name of @ncp code points when it fits,
 * else its first @fit - 2 code points and "..". The script uses the same rule.
 */
size_t fg_fit_chars(double w, double charw);
void fg_xml_put_label(FILE *f, const char *clean, size_t len, size_t ncp, size_t fit);

#endif
