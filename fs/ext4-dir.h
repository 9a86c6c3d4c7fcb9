/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Directories of the ext4 filler (fs/ext4.c) that stay fast when large:
 * a directory whose first block fills becomes an htree (hashed b-tree,
 * the dir_index feature), as the kernel does it, and from then on
 * libext2fs's ext2fs_link() inserts through the index and lookups go
 * through it too. Without this, every insert and every lookup scans the
 * whole directory: quadratic time in a large flat directory, and slow
 * lookups inside the guest.
 *
 * Private to fs/: the functions take libext2fs types and return its
 * error codes (errcode_t, 0 on success).
 */

#include <ext2fs/ext2_fs.h>
#include <ext2fs/ext2fs.h>
#include <stddef.h>

/* The directories made indexed, so that ext4_dirs_finish() can tidy them. */
struct ext4_dirs {
        ext2_ino_t *indexed;
        size_t n_indexed;
        size_t allocated;
};

/*
 * Add `name` -> ino (ftype: EXT2_FT_*) to directory `dir`, growing it as
 * needed: a full one-block directory is made indexed when the file
 * system has dir_index, an indexed one grows through libext2fs's htree
 * code, any other gets a block more.
 */
errcode_t ext4_dir_link(ext2_filsys fs, struct ext4_dirs *dirs, ext2_ino_t dir, const char *name,
                        ext2_ino_t ino, int ftype);

/*
 * Look `name` up in directory `dir`: through the index if it has one,
 * else by a scan (ext2fs_lookup). EXT2_ET_FILE_NOT_FOUND if absent.
 */
errcode_t ext4_dir_lookup(ext2_filsys fs, ext2_ino_t dir, const char *name, ext2_ino_t *ret);

/*
 * Before the file system is closed: libext2fs's leaf split (1.47) leaves
 * uninitialised heap bytes in the unused tail of directory entries and
 * of index blocks; zero them, so that the image is the same bytes every
 * time and holds nothing of our memory. Frees dirs.
 */
errcode_t ext4_dirs_finish(ext2_filsys fs, struct ext4_dirs *dirs);

/* Frees dirs' memory only (error paths). */
void ext4_dirs_free(struct ext4_dirs *dirs);
