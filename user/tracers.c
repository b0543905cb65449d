// SPDX-License-Identifier: GPL-2.0
/* The probe tables of every tracer, so doctor can say which variant each will use. */
#include "loader.h"

extern const struct st_tracer_spec st_offcpu_spec;
extern const struct st_tracer_spec st_iolat_spec;
extern const struct st_tracer_spec st_nodestage_spec;
extern const struct st_tracer_spec st_profile_spec;

const struct st_tracer_spec *const st_all_tracers[] = {
	&st_offcpu_spec, &st_iolat_spec, &st_nodestage_spec, &st_profile_spec, NULL,
};
