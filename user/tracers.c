// SPDX-License-Identifier: GPL-2.0
/* The probe tables of every tracer, so doctor can say which variant each will use. */
#include "loader.h"

const struct st_tracer_spec *const st_all_tracers[] = {
	NULL,
};
