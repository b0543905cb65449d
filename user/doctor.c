// SPDX-License-Identifier: GPL-2.0
/*
 * scaletrace doctor: what this kernel supports (probed, never guessed from the
 * version) and which attach variant each scaletrace probe will use.
 */
#include "cmds.h"
#include "kfeat.h"
#include "loader.h"
#include "opts.h"
#include "output.h"
#include "table.h"
#include "util.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

enum { OPT_MOUNT = 256, OPT_VERIFY };

struct doctor_opts {
	bool mount_tracefs;
	bool verify;
};

static const struct st_optdef doctor_defs[] = {
	{ "mount-tracefs", 0, NULL, "mount tracefs at /sys/kernel/tracing when it is missing",
	  OPT_MOUNT },
	{ "verify", 0, NULL, "load every usable variant of every probe: does the verifier take it?",
	  OPT_VERIFY },
};

static int doctor_opt(void *ctx, int id, const char *arg)
{
	struct doctor_opts *o = ctx;

	(void)arg;
	if (id == OPT_MOUNT)
		o->mount_tracefs = true;
	else if (id == OPT_VERIFY)
		o->verify = true;
	return 0;
}

static const char *const storage_modules[] = {
	"iscsi_tcp", "libiscsi",     "libiscsi_tcp", "scsi_transport_iscsi",
	"nvme_tcp",  "nvme_fabrics", "nvme_core",    "sd_mod",
	"nfs",	     "sunrpc",
};

struct verdict {
	bool ok;
	char why[256];
};

static void judge(const struct st_features *f, bool privileged, struct verdict *v)
{
	v->ok = false;
	if (!privileged)
		snprintf(v->why, sizeof(v->why),
			 "not privileged: run as root or with CAP_BPF and CAP_PERFMON");
	else if (!f->ok[ST_F_BTF])
		snprintf(v->why, sizeof(v->why), "no kernel BTF: CO-RE programs cannot load");
	else if (!f->ok[ST_F_TRACEFS])
		snprintf(v->why, sizeof(v->why),
			 "tracefs not mounted: run 'scaletrace doctor --mount-tracefs' or "
			 "'mount -t tracefs nodev /sys/kernel/tracing'");
	else if (!f->ok[ST_F_TRACEPOINT] && !f->ok[ST_F_RAW_TP] && !f->ok[ST_F_TP_BTF])
		snprintf(v->why, sizeof(v->why), "no tracepoint program type attaches");
	else if (!f->ok[ST_F_RINGBUF])
		snprintf(v->why, sizeof(v->why), "no BPF ring buffer (kernel older than 5.8)");
	else {
		v->ok = true;
		snprintf(v->why, sizeof(v->why), "tracing can work here");
	}
}

struct probe_row {
	const char *tracer, *probe, *purpose;
	const char *kind, *precision;
	char why[512];
};

/* Explain each probe: the variant that wins and why the better ones lost. */
static void probe_rows(struct st_features *f, void (*emit)(const struct probe_row *, void *),
		       void *ctx)
{
	int t, i, j;

	for (t = 0; st_all_tracers[t]; t++) {
		const struct st_tracer_spec *s = st_all_tracers[t];

		for (i = 0; i < s->nprobes; i++) {
			const struct st_probe_spec *p = &s->probes[i];
			struct probe_row r = { s->name, p->name, p->purpose, "none", "", "" };
			size_t used = 0;

			for (j = 0; j < p->nvariants; j++) {
				char why[160];
				const struct st_variant *v = &p->variants[j];

				if (st_variant_usable(v, f, why, sizeof(why))) {
					r.kind = st_attach_kind_name(v->kind);
					r.precision = v->precision ? v->precision : "";
					break;
				}
				used += (size_t)snprintf(r.why + used, sizeof(r.why) - used,
							 "%s%s: %s", used ? "; " : "",
							 st_attach_kind_name(v->kind), why);
				if (used >= sizeof(r.why))
					used = sizeof(r.why) - 1;
			}
			if (j == p->nvariants && p->optional)
				r.precision = "optional: the tracer runs with less precision";
			emit(&r, ctx);
		}
	}
}

static void emit_text(const struct probe_row *r, void *ctx)
{
	struct st_table *t = ctx;
	char name[96];

	snprintf(name, sizeof(name), "%s/%s", r->tracer, r->probe);
	st_table__row(t, (const char *[]){ name, r->kind, r->precision });
	if (r->why[0])
		st_table__row(t, (const char *[]){ "", "", r->why[0] ? r->why : "" });
}

static void print_text(struct st_features *f, bool privileged, const struct verdict *v)
{
	struct utsname u;
	struct st_table *t;
	size_t i;

	uname(&u);
	printf("kernel    %s %s\n", u.release, u.machine);
	printf("privilege %s\n\n", privileged ? "ok (CAP_BPF and CAP_PERFMON)" : "MISSING");
	printf("FEATURES\n");
	t = st_table__new(3, 0);
	for (i = 0; i < ST_F__NR; i++) {
		const char *state = !f->probed[i] ? "not probed" : f->ok[i] ? "yes" : "no";

		st_table__row(t, (const char *[]){ st_feature_name(i), state,
						   f->probed[i] ? f->why[i] : "needs privileges" });
	}
	st_table__print(t, stdout, 2);
	st_table__free(t);

	printf("\nSTORAGE MODULES\n");
	t = st_table__new(3, 0);
	for (i = 0; i < ARRAY_SIZE(storage_modules); i++) {
		char btf[128];
		bool loaded = st_module_loaded(storage_modules[i]);

		snprintf(btf, sizeof(btf), "/sys/kernel/btf/%s", storage_modules[i]);
		st_table__row(
		    t, (const char *[]){ storage_modules[i], loaded ? "loaded" : "not loaded",
					 loaded ? (access(btf, R_OK) ? "no BTF" : "BTF") : "" });
	}
	st_table__print(t, stdout, 2);
	st_table__free(t);

	if (st_all_tracers[0]) {
		printf("\nPROBES (tracer/probe, attach variant in use, precision)\n");
		t = st_table__new(3, 0);
		probe_rows(f, emit_text, t);
		st_table__print(t, stdout, 2);
		st_table__free(t);
	}
	printf("\n%s: %s\n", v->ok ? "OK" : "NOT OK", v->why);
}

static void emit_json(const struct probe_row *r, void *ctx)
{
	json_object *arr = ctx, *o = json_object_new_object();

	json_object_object_add(o, "tracer", json_object_new_string(r->tracer));
	json_object_object_add(o, "probe", json_object_new_string(r->probe));
	json_object_object_add(o, "purpose", json_object_new_string(r->purpose));
	json_object_object_add(o, "variant", json_object_new_string(r->kind));
	json_object_object_add(o, "precision", json_object_new_string(r->precision));
	json_object_object_add(o, "fallback_reasons", json_object_new_string(r->why));
	json_object_array_add(arr, o);
}

static int print_json(const char *path, struct st_features *f, bool privileged,
		      const struct verdict *v, json_object *verify)
{
	json_object *root = json_object_new_object(), *feats = json_object_new_object();
	json_object *mods = json_object_new_object(), *probes = json_object_new_array();
	struct st_out out;
	struct utsname u;
	size_t i;
	int err;

	uname(&u);
	json_object_object_add(root, "schema", json_object_new_string("scaletrace.doctor/1"));
	json_object_object_add(root, "kernel", json_object_new_string(u.release));
	json_object_object_add(root, "arch", json_object_new_string(u.machine));
	json_object_object_add(root, "privileged", json_object_new_boolean(privileged));
	for (i = 0; i < ST_F__NR; i++) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "usable", json_object_new_boolean(f->ok[i]));
		json_object_object_add(o, "probed", json_object_new_boolean(f->probed[i]));
		json_object_object_add(o, "detail", json_object_new_string(f->why[i]));
		json_object_object_add(feats, st_feature_name(i), o);
	}
	json_object_object_add(root, "features", feats);
	for (i = 0; i < ARRAY_SIZE(storage_modules); i++)
		json_object_object_add(
		    mods, storage_modules[i],
		    json_object_new_boolean(st_module_loaded(storage_modules[i])));
	json_object_object_add(root, "modules", mods);
	probe_rows(f, emit_json, probes);
	json_object_object_add(root, "probes", probes);
	if (verify)
		json_object_object_add(root, "verify", json_object_get(verify));
	json_object_object_add(root, "ok", json_object_new_boolean(v->ok));
	json_object_object_add(root, "reason", json_object_new_string(v->why));
	err = st_out_open(&out, path);
	if (!err) {
		fprintf(out.f, "%s\n",
			json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
								 JSON_C_TO_STRING_NOSLASHESCAPE));
		err = st_out_commit(&out);
	}
	json_object_put(root);
	return err;
}

/* Load one variant alone (every other program of the object off). 0 or -errno. */
static int load_variant(const struct st_tracer_spec *t, const struct st_variant *v, char *why,
			size_t len)
{
	void *skel = t->open();
	struct bpf_program *p;
	int err, i;

	if (!skel)
		return -errno;
	bpf_object__for_each_program (p, t->obj(skel)) {
		bool mine = false;

		for (i = 0; i < ST_VARIANT_PROGS && v->progs[i]; i++)
			mine |= !strcmp(bpf_program__name(p), v->progs[i]);
		bpf_program__set_autoload(p, mine);
	}
	err = t->load(skel);
	snprintf(why, len, "%s", err ? st_libbpf_last_error() : "");
	t->destroy(skel);
	return err;
}

static void verify_print(json_object *arr)
{
	size_t i, n = json_object_array_length(arr);

	printf("\nVERIFY (tracer/probe variant: result)\n");
	for (i = 0; i < n; i++) {
		json_object *o = json_object_array_get_idx(arr, i);

		printf("  %s/%s %s: %s\n",
		       json_object_get_string(json_object_object_get(o, "tracer")),
		       json_object_get_string(json_object_object_get(o, "probe")),
		       json_object_get_string(json_object_object_get(o, "variant")),
		       json_object_get_string(json_object_object_get(o, "result")));
	}
}

/* --verify: every usable variant through the verifier; returns the failures. */
static int verify_all(struct st_features *f, json_object *arr)
{
	char why[160], res[200];
	int t, i, j, fails = 0;

	for (t = 0; st_all_tracers[t]; t++) {
		const struct st_tracer_spec *s = st_all_tracers[t];

		for (i = 0; i < s->nprobes; i++)
			for (j = 0; j < s->probes[i].nvariants; j++) {
				const struct st_variant *v = &s->probes[i].variants[j];
				int err;

				if (!st_variant_usable(v, f, why, sizeof(why))) {
					snprintf(res, sizeof(res), "not usable here: %s", why);
					err = 1;
				} else {
					err = load_variant(s, v, why, sizeof(why));
					fails += err < 0;
					snprintf(res, sizeof(res), "%s%s%s",
						 err ? "REFUSED: " : "verified", err ? why : "",
						 "");
				}
				{
					json_object *o = json_object_new_object();

					json_object_object_add(o, "tracer",
							       json_object_new_string(s->name));
					json_object_object_add(
					    o, "probe", json_object_new_string(s->probes[i].name));
					json_object_object_add(
					    o, "variant",
					    json_object_new_string(st_attach_kind_name(v->kind)));
					json_object_object_add(o, "verified",
							       json_object_new_boolean(!err));
					json_object_object_add(o, "result",
							       json_object_new_string(res));
					json_object_array_add(arr, o);
				}
			}
	}
	return fails;
}

int cmd_doctor(int argc, char **argv)
{
	struct doctor_opts o = { 0 };
	const struct st_cmdspec spec = {
		.name = "doctor",
		.usage = "[--json FILE] [--mount-tracefs]",
		.summary =
		    "Report what this kernel supports and which attach variant each probe uses.",
		.details =
		    "Every capability is probed by loading and attaching a tiny BPF program;\n"
		    "nothing is inferred from the kernel version. Exit status: 0 when tracing\n"
		    "can work here, 1 when it cannot (the last line says why), 2 on bad usage.",
		.examples =
		    "  scaletrace doctor                  # human table\n"
		    "  scaletrace doctor --json -         # machine-readable\n"
		    "  scaletrace doctor --mount-tracefs  # mount tracefs first if missing\n",
		.common = ST_OPT_JSON,
		.opts = doctor_defs,
		.nopts = ARRAY_SIZE(doctor_defs),
		.handle = doctor_opt,
		.ctx = &o,
	};
	struct st_common c;
	struct st_features f;
	json_object *verify = json_object_new_array();
	struct verdict v;
	bool privileged;
	int argi, r, fails;

	st_common_defaults(&c);
	r = st_parse_args(&spec, &c, argc, argv, &argi);
	if (r)
		return r > 0 ? 0 : 2;
	st_libbpf_setup(c.verbose);
	if (o.mount_tracefs && !st_tracefs_path(true))
		st_warn("could not mount tracefs at /sys/kernel/tracing");
	privileged = st_check_privileges_quiet();
	if (privileged) {
		st_features_probe(&f);
	} else {
		memset(&f, 0, sizeof(f));
		st_features_probe_static(&f);
		st_feature_ok(&f, ST_F_TASK_STORAGE_NOLOCK); /* from BTF: no privilege needed */
	}
	judge(&f, privileged, &v);
	if (o.verify && privileged) {
		fails = verify_all(&f, verify);
		if (fails) {
			v.ok = false;
			snprintf(v.why, sizeof(v.why), "%d probe variants refused by the verifier",
				 fails);
		}
	}
	if (c.json_path) {
		if (print_json(c.json_path, &f, privileged, &v, o.verify ? verify : NULL))
			return 1;
	}
	if (!c.json_path || strcmp(c.json_path, "-")) {
		print_text(&f, privileged, &v);
		if (o.verify && privileged)
			verify_print(verify);
	}
	json_object_put(verify);
	if (!v.ok && (c.json_path && !strcmp(c.json_path, "-")))
		st_err("%s", v.why);
	return v.ok ? 0 : 1;
}
