// SPDX-License-Identifier: GPL-2.0
/*
 * kallsyms text: ksyms__load_file() (on a memfd, no disk I/O), then lookups by address and
 * by name around every address and name the input mentions.
 */
#include "fuzz.h"
#include "ksyms.h"

#include <sys/mman.h>
#include <unistd.h>

#define MAX_PROBES 64

static int memfd = -1;
static char path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	memfd = memfd_create("fuzz-kallsyms", MFD_CLOEXEC);
	if (memfd < 0)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);
	return 0;
}

static void check_name(const struct ksyms *ks, uint64_t addr)
{
	static const char unset[] = "unset";
	const char *module = unset, *name;
	uint64_t off = ~0ULL;

	name = ksyms__name(ks, addr, &off, &module);
	if (!name)
		return;
	FZ_CHECK(off <= addr, "offset %llx past address %llx", (unsigned long long)off,
		 (unsigned long long)addr);
	/* NULL for the core kernel, else a non-empty module name. */
	FZ_CHECK(!module || (*module && module != unset), "module '%s'",
		 fz_show(module ? module : ""));
	/* Whatever ksyms__name() returns can be found by name. */
	FZ_CHECK(ksyms__addr(ks, name) != 0, "'%s' at %llx has no address by name", fz_show(name),
		 (unsigned long long)addr);
	/* Same lookup without the optional outputs. */
	FZ_CHECK(ksyms__name(ks, addr, NULL, NULL) == name, "lookup not repeatable");
}

static void check_by_name(const struct ksyms *ks, const char *name)
{
	uint64_t a = ksyms__addr(ks, name), off = ~0ULL;

	/*
	 * The address of a symbol resolves to a symbol at exactly that address; extents are
	 * half-open [addr, end), so a symbol at the very last address has none to resolve.
	 */
	if (!a || a == UINT64_MAX)
		return;
	FZ_CHECK(ksyms__name(ks, a, &off, NULL) && off == 0, "'%s' at %llx: offset %llx",
		 fz_show(name), (unsigned long long)a, (unsigned long long)off);
}

/* Addresses and names as the input spells them ("ADDR TYPE NAME..."), roughly. */
static void probe_input(const struct ksyms *ks, const char *text)
{
	const char *line = text;

	for (int i = 0; i < MAX_PROBES && line && *line; i++) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		char *copy = fz_strndup((const uint8_t *)line, len), *end, *name;
		uint64_t a = strtoull(copy, &end, 16);

		check_name(ks, a);
		check_name(ks, a - 1);
		check_name(ks, a + 1);
		check_name(ks, a + KSYMS_TAIL_MAX - 1);
		check_name(ks, a + KSYMS_TAIL_MAX);
		if (*end && end[1] && end[2]) {
			name = end + 3;
			name[strcspn(name, " \t")] = '\0';
			check_by_name(ks, name);
		}
		free(copy);
		line = nl ? nl + 1 : NULL;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ksyms *ks;
	char *text;

	if (ftruncate(memfd, 0) || (size && pwrite(memfd, data, size, 0) != (ssize_t)size))
		abort();
	ks = ksyms__load_file(path);
	if (!ks)
		return 0;
	FZ_CHECK(ksyms__count(ks) > 0, "a loaded table is never empty");
	text = fz_strndup(data, size);
	probe_input(ks, text);
	check_name(ks, 0);
	check_name(ks, UINT64_MAX);
	check_name(ks, 0xffffffff81000000ULL);
	check_by_name(ks, "");
	free(text);
	ksyms__free(ks);
	return 0;
}
