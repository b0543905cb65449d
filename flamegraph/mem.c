// SPDX-License-Identifier: GPL-2.0
/* Memory helpers shared by the flamegraph modules. */
#include "fg_tree.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>

#define HUGE_MIN (2u << 20)

int fg_resize(void *pp, size_t n, size_t size)
{
	void **p = pp, *np;

	if (size && n > SIZE_MAX / size)
		return -ENOMEM;
	np = realloc(*p, n && size ? n * size : 1);
	if (!np)
		return -ENOMEM;
	*p = np;
	return 0;
}

/*
 * A big table probed at random would miss the TLB on every probe with 4 KiB
 * pages: tables of 2 MiB and more come from mmap (zeroed) with transparent huge
 * pages asked for.
 */
void *fg_big_calloc(size_t len)
{
	void *p;

	if (len < HUGE_MIN)
		return calloc(1, len);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	madvise(p, len, MADV_HUGEPAGE);
	return p;
}

void fg_big_free(void *p, size_t len)
{
	if (len < HUGE_MIN)
		free(p);
	else if (p)
		munmap(p, len);
}
