/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdint.h>

/*
 * The files of a root file system that the boot chain needs (kernels,
 * initrds, systemd-boot and its stub, GRUB's modules, os-release), taken out
 * of the content stream into a private temporary directory. The stream is
 * the same for a directory and an archive, so both are handled alike, and
 * every later lookup resolves paths (and symlinks) inside that directory
 * only: nothing in a root file system can make us read or write a host file.
 */
struct bootfiles {
        char *dir;      /* the temporary directory */
        int dir_fd;
};

/* Extract from `source` (as content_open() takes it) into a new directory
 * beside `near` (a path whose directory has room, e.g. the output). */
int bootfiles_extract(const char *source, const char *near, const char *grub_format, struct bootfiles *ret);
/* Remove the directory and everything in it. */
void bootfiles_release(struct bootfiles *b);

/*
 * Open `path` (relative to the root file system; symlinks resolved inside
 * it) read-only. -ENOENT if absent. The canonical path (symlinks resolved,
 * no leading slash) goes to *ret_canonical if not NULL (caller frees).
 */
int bootfiles_open(const struct bootfiles *b, const char *path, int *ret_fd, char **ret_canonical);
/* Host path of a directory inside the root file system, for tools (grub-mkimage). */
int bootfiles_host_path(const struct bootfiles *b, const char *path, char **ret);
