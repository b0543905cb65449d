// SPDX-License-Identifier: GPL-2.0
#include "ustack_recover.h"

static bool in_chain(const struct st_ustack *u, uint64_t w)
{
	uint32_t i;

	for (i = 1; i < u->nr && i < ST_MAX_STACK; i++)
		if (u->ips[i] == w)
			return true;
	return false;
}

int st_ustack_recover(const struct st_ustack *u, st_is_call_site_fn is_call_site, void *ctx,
		      uint64_t *out, int max)
{
	uint32_t i, nr = u->nr < ST_MAX_STACK ? u->nr : ST_MAX_STACK;
	int n = 0;

	if (!nr || max <= 0)
		return 0;
	out[n++] = u->ips[0];
	for (i = 0; i < u->nwin && i < ST_USTACK_WIN && n < max; i++) {
		uint64_t w = u->win[i];

		if (!w || w == u->ips[0])
			continue;
		if (in_chain(u, w))
			break;
		if (is_call_site(ctx, w))
			out[n++] = w;
	}
	for (i = 1; i < nr && n < max; i++)
		out[n++] = u->ips[i];
	return n;
}
