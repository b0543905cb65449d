// SPDX-License-Identifier: GPL-2.0
/*
 * nodestage --uprobe BIN:SYM: an entry uprobe on SYM and one uprobe on each of
 * its return instructions (found by disassembly). Never uretprobes: they
 * rewrite the return address on the stack, which Go's stack copying breaks.
 */
#include "funcaddr.h"
#include "nodestage.skel.h"
#include "nodestage_run.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#define MAX_RETS 60

static struct bpf_link *attach_at(struct bpf_program *prog, const char *bin, uint64_t off)
{
	return bpf_program__attach_uprobe(prog, false, -1, bin, (size_t)off);
}

int ns_attach_uprobe(struct ns_run *run)
{
	struct nodestage_bpf *skel = run->s.loader.skel;
	const char *colon = strchr(run->o.uprobe, ':');
	uint64_t rets[MAX_RETS];
	struct func_loc f;
	char bin[4096];
	int n, i, err;

	snprintf(bin, sizeof(bin), "%.*s", (int)(colon - run->o.uprobe), run->o.uprobe);
	err = func_find(bin, colon + 1, &f);
	if (err) {
		st_err("--uprobe: %s in %s: %s", colon + 1, bin,
		       err == -ENOENT ? "no such function (.symtab, .dynsym, .gopclntab)"
				      : strerror(-err));
		return err;
	}
	n = func_ret_offsets(bin, &f, rets, MAX_RETS);
	if (n <= 0) {
		st_err("--uprobe: no return instruction found in %s", colon + 1);
		return n < 0 ? n : -ENOENT;
	}
	run->ulinks[run->nulinks] = attach_at(skel->progs.ns_call_entry, bin, f.file_off);
	if (!run->ulinks[run->nulinks]) {
		err = -errno;
		st_err("--uprobe: cannot attach to %s in %s: %s", colon + 1, bin, strerror(-err));
		return err;
	}
	run->nulinks++;
	for (i = 0; i < n && run->nulinks < (int)ARRAY_SIZE(run->ulinks); i++) {
		run->ulinks[run->nulinks] = attach_at(skel->progs.ns_call_ret, bin, rets[i]);
		if (!run->ulinks[run->nulinks]) {
			err = -errno;
			st_err("--uprobe: cannot attach to a return of %s: %s", colon + 1,
			       strerror(-err));
			return err;
		}
		run->nulinks++;
	}
	st_info(1, "--uprobe %s: entry at file offset %#llx, %d returns", colon + 1,
		(unsigned long long)f.file_off, n);
	return 0;
}

void ns_detach_uprobe(struct ns_run *run)
{
	while (run->nulinks > 0)
		bpf_link__destroy(run->ulinks[--run->nulinks]);
}

bool ns_binary_is_go(const char *bin_sym)
{
	const char *colon = strchr(bin_sym, ':');
	char bin[4096];
	bool go = false;
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	Elf *elf;
	int fd;

	snprintf(bin, sizeof(bin), "%.*s", (int)(colon - bin_sym), bin_sym);
	fd = open(bin, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (elf && !elf_getshdrstrndx(elf, &shstrndx)) {
		while (!go && (scn = elf_nextscn(elf, scn))) {
			GElf_Shdr sh;
			const char *name;

			if (!gelf_getshdr(scn, &sh))
				continue;
			name = elf_strptr(elf, shstrndx, sh.sh_name);
			go = name &&
			     (!strcmp(name, ".gopclntab") || !strcmp(name, ".go.buildinfo") ||
			      !strcmp(name, ".note.go.buildid"));
		}
	}
	elf_end(elf);
	close(fd);
	return go;
}
