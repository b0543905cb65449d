/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test helpers: build a fake file tree (a sysfs, a cgroup or a kubelet
 * directory) under a fresh temporary root, and remove it again.
 */
#ifndef ST_TEST_FAKETREE_H
#define ST_TEST_FAKETREE_H

/* A fresh directory under /tmp (malloc'd path); NAME goes into its name. */
char *fake_root(const char *name);
/* mkdir -p ROOT/REL */
void mkdirf(const char *root, const char *rel);
/* ROOT/REL with TEXT in it (parents created) */
void write_file(const char *root, const char *rel, const char *text);
/* ROOT/REL -> TARGET (parents created) */
void symlinkf(const char *root, const char *rel, const char *target);
/* The inode number of ROOT/REL (a cgroup directory's id) */
unsigned long long fake_ino(const char *root, const char *rel);
/* rm -rf ROOT, then free it */
void remove_tree(char *root);

#endif
