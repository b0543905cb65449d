// SPDX-License-Identifier: GPL-2.0
#include "faketree.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void mkdirs(const char *path)
{
	char tmp[PATH_MAX];
	char *p;

	snprintf(tmp, sizeof(tmp), "%s", path);
	for (p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		mkdir(tmp, 0755);
		*p = '/';
	}
	mkdir(tmp, 0755);
}

void mkdirf(const char *root, const char *rel)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s%s", root, rel);
	mkdirs(path);
}

/* ROOT/REL as a path, with its parent directory created */
static void parent_made(const char *root, const char *rel, char *path, size_t len)
{
	snprintf(path, len, "%s%s", root, rel);
	*strrchr(path, '/') = '\0';
	mkdirs(path);
	path[strlen(path)] = '/';
}

void write_file(const char *root, const char *rel, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	parent_made(root, rel, path, sizeof(path));
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

void symlinkf(const char *root, const char *rel, const char *target)
{
	char path[PATH_MAX];

	parent_made(root, rel, path, sizeof(path));
	assert_int_equal(symlink(target, path), 0);
}

char *fake_root(const char *name)
{
	char tmpl[PATH_MAX];

	snprintf(tmpl, sizeof(tmpl), "/tmp/st-%s-test.XXXXXX", name);
	assert_non_null(mkdtemp(tmpl));
	return strdup(tmpl);
}

void remove_tree(char *root)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
	free(root);
}

unsigned long long fake_ino(const char *root, const char *rel)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s%s", root, rel);
	assert_int_equal(stat(path, &st), 0);
	return st.st_ino;
}
