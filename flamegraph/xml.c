// SPDX-License-Identifier: GPL-2.0
/* Clean UTF-8 and XML escaping for frame names, titles and labels. */
#include "fg_tree.h"
#include "fg_xml.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define BAD_CP	    0xffffffffu
#define REPLACEMENT "\xef\xbf\xbd" /* U+FFFD */

void fg_buf__free(struct fg_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

static int buf_reserve(struct fg_buf *b, size_t n)
{
	size_t ncap = n < 256 ? 256 : n + n / 2;

	if (n <= b->cap)
		return 0;
	if (fg_resize(&b->p, ncap, 1))
		return -ENOMEM;
	b->cap = ncap;
	return 0;
}

/*
 * One strict UTF-8 sequence (no overlongs, surrogates or > U+10FFFF). A bad
 * sequence consumes its longest valid prefix (at least one byte), so it turns
 * into a single U+FFFD as browsers do ("maximal subpart", Unicode ch. 3).
 */
static uint32_t decode(const unsigned char *s, size_t n, size_t *adv)
{
	unsigned char lo = 0x80, hi = 0xbf; /* range of the second byte */
	uint32_t cp;
	size_t need, i;

	*adv = 1;
	if (s[0] < 0x80)
		return s[0];
	if (s[0] < 0xc2 || s[0] > 0xf4)
		return BAD_CP;
	need = s[0] < 0xe0 ? 1 : s[0] < 0xf0 ? 2 : 3;
	cp = s[0] & (0x3f >> need);
	if (s[0] == 0xe0)
		lo = 0xa0; /* overlong */
	else if (s[0] == 0xed)
		hi = 0x9f; /* surrogates */
	else if (s[0] == 0xf0)
		lo = 0x90; /* overlong */
	else if (s[0] == 0xf4)
		hi = 0x8f; /* > U+10FFFF */
	for (i = 1; i <= need; i++) {
		if (i >= n || s[i] < lo || s[i] > hi) {
			*adv = i;
			return BAD_CP;
		}
		cp = cp << 6 | (s[i] & 0x3f);
		lo = 0x80;
		hi = 0xbf;
	}
	*adv = need + 1;
	return cp;
}

/* Characters XML 1.0 forbids or that would confuse a reader of the graph. */
static bool unwanted(uint32_t cp)
{
	return cp == BAD_CP || (cp < 0x20 && cp != '\t') || (cp >= 0x7f && cp <= 0x9f) ||
	       cp == 0xfffe || cp == 0xffff;
}

int64_t fg_utf8_clean(const char *s, size_t n, struct fg_buf *b)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, adv;
	int64_t ncp = 0;

	/* At most 3 output bytes per input byte (one bad byte -> U+FFFD). */
	if (buf_reserve(b, n * 3 + 1))
		return -ENOMEM;
	b->len = 0;
	while (i < n) {
		uint32_t cp = decode(u + i, n - i, &adv);

		if (cp == '\t') {
			b->p[b->len++] = ' ';
		} else if (unwanted(cp)) {
			memcpy(b->p + b->len, REPLACEMENT, 3);
			b->len += 3;
		} else {
			memcpy(b->p + b->len, s + i, adv);
			b->len += adv;
		}
		i += adv;
		ncp++;
	}
	b->p[b->len] = '\0';
	return ncp;
}

size_t fg_utf8_prefix(const char *s, size_t len, size_t ncp)
{
	size_t i = 0;

	while (i < len && ncp) {
		i++;
		while (i < len && ((unsigned char)s[i] & 0xc0) == 0x80)
			i++;
		ncp--;
	}
	return i;
}

void fg_xml_put(FILE *f, const char *s, size_t n)
{
	size_t i, run = 0;

	for (i = 0; i < n; i++) {
		const char *ent;

		switch (s[i]) {
		case '&':
			ent = "&amp;";
			break;
		case '<':
			ent = "&lt;";
			break;
		case '>':
			ent = "&gt;";
			break;
		case '"':
			ent = "&quot;";
			break;
		case '\'':
			ent = "&#39;";
			break;
		default:
			continue;
		}
		fwrite(s + run, 1, i - run, f);
		fputs(ent, f);
		run = i + 1;
	}
	fwrite(s + run, 1, n - run, f);
}

int fg_xml_put_raw(FILE *f, const char *s, size_t n, struct fg_buf *scratch)
{
	if (fg_utf8_clean(s, n, scratch) < 0)
		return -ENOMEM;
	fg_xml_put(f, scratch->p, scratch->len);
	return 0;
}

size_t fg_fit_chars(double w, double charw)
{
	double c = floor((w - 3) / charw);

	return c < 3 ? 0 : (size_t)c;
}

void fg_xml_put_label(FILE *f, const char *clean, size_t len, size_t ncp, size_t fit)
{
	if (fit < 3)
		return;
	if (ncp <= fit) {
		fg_xml_put(f, clean, len);
		return;
	}
	fg_xml_put(f, clean, fg_utf8_prefix(clean, len, fit - 2));
	fputs("..", f);
}
