/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdint.h>

/*
 * The files of a root file system that the boot chain can use (kernels,
 * initrds, systemd-boot and its stub, GRUB's modules, os-release, the
 * symlinks on the way to them, and whatever --kernel and --initrd name),
 * taken out of the content stream into a private temporary directory. The
 * stream is the same for a directory and an archive, so both are handled
 * alike, and every later lookup resolves paths (and symlinks) inside that
 * root only: nothing in a root file system can make us read or write a host
 * file.
 *
 * The directory (mode 0700, only we write there) holds:
 *   root/          the extracted files, as ROOTFS has them
 *   grub-modules/  GRUB's module directory as grub-mkimage gets it
 *                  (bootfiles_stage_dir): regular files only
 *   grub.efi, grub-early.cfg   grub-mkimage's output and its config
 *
 * Bounded: only the files above are copied, holes stay holes (a sparse
 * file costs no disk), and a file the ESP could not hold (FAT32 files end
 * at 4 GiB - 1) is refused, naming it.
 */
struct bootfiles {
        char *dir;      /* the private temporary directory */
        int dir_fd;
        char *root;     /* dir/root: paths inside ROOTFS resolve here */
        int root_fd;
};

/* A boot file larger than this is refused: FAT32's largest file. */
#define BOOTFILE_MAX_BYTES UINT64_C(0xFFFFFFFF)

/* What to take besides the fixed list: the GRUB format's module directory,
 * and the files --kernel/--initrd name (NULL: none). */
struct bootfiles_want {
        const char *grub_format;   /* usr/lib/grub/<format>/ */
        const char *kernel;
        const char *initrd;
};

/* Extract from `source` (as content_open() takes it) into a new directory
 * beside `near` (a path whose directory has room, e.g. the output). */
int bootfiles_extract(const char *source, const char *near, const struct bootfiles_want *want,
                      struct bootfiles *ret);
/* Remove the directory and everything in it. */
void bootfiles_release(struct bootfiles *b);

/*
 * Open `path` (relative to the root file system; symlinks resolved inside
 * it) read-only. -ENOENT if absent. The canonical path (symlinks resolved,
 * no leading slash) goes to *ret_canonical if not NULL (caller frees).
 */
int bootfiles_open(const struct bootfiles *b, const char *path, int *ret_fd, char **ret_canonical);

/*
 * A tool's view of the root's directory `path`: b->dir/`name`/, holding a
 * hard link to each file of `path`, every symlink resolved inside the root.
 * An entry that is not a regular file once resolved (a directory, device,
 * FIFO or socket) or a symlink to nothing the root holds (one that leaves
 * it) is an error naming it as /path/ENTRY. The host path of the new
 * directory goes to *ret (caller frees). -ENOENT, not logged, if the root
 * has no directory `path`; every other error is logged.
 */
int bootfiles_stage_dir(const struct bootfiles *b, const char *path, const char *name, char **ret);
