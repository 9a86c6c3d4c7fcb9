/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Filling an empty FAT32 file system (as written by `mkfs.fat -F 32`) inside
 * a disk image, through the image's fd at the partition's byte offset.
 *
 * File data is streamed into clusters as it is added; directories, both FAT
 * copies and the FSInfo sector are written by fat_finish(). The result
 * depends only on the set of calls, not on their order: directory entries
 * are sorted, short names are assigned at the end, and file data is put in
 * a canonical order (tree walk in sorted order) by fat_finish().
 *
 * Data clusters that mkfs.fat left free are assumed to read as zero (a
 * fresh, sparse image): all-zero input clusters are not written.
 *
 * Every function returns 0 (or a count) on success and a negative errno on
 * failure, having logged the reason with the path concerned.
 */

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct fat_fs;

/* Open the FAT32 file system that mkfs.fat wrote at byte `offset` of `fd`,
 * `size` bytes long. Validates the boot sector (bytes/sector, FAT32 fields,
 * cluster count >= 65525, sizes within `size`) and refuses anything else with a
 * clear message. Keeps what mkfs.fat put in the root directory (volume label). */
int fat_open(int fd, uint64_t offset, uint64_t size, struct fat_fs **ret);

/* Create directory `path` ('/'-separated, relative to the root, no "." or ".."
 * components); missing parents are created. Existing directory: no error. */
int fat_mkdir(struct fat_fs *fs, const char *path, int64_t mtime);

/* Add regular file `path` whose `size` bytes are read from src_fd (read() from
 * its current position). Parents are created. -EEXIST if the name exists.
 * -ENOSPC with a message saying how many bytes were needed and free. */
int fat_add_file(struct fat_fs *fs, const char *path, int src_fd, uint64_t size, int64_t mtime);

/* Same, from memory. */
int fat_add_buffer(struct fat_fs *fs, const char *path, const void *data, size_t size, int64_t mtime);

/* Same, from a reader: read_fn(userdata, buf, len) returns how many bytes
 * it put in buf (short reads are fine; 0 at the end) or a negative errno.
 * Exactly `size` bytes are taken; ending early is -EIO. */
typedef ssize_t (*fat_read_fn)(void *userdata, void *buf, size_t len);
int fat_add_stream(struct fat_fs *fs, const char *path, uint64_t size, int64_t mtime,
                   fat_read_fn read_fn, void *userdata);

/* Bytes still free (whole clusters), less what the directories added so far
 * will need. */
uint64_t fat_free_bytes(const struct fat_fs *fs);

/* Cluster size in bytes, so callers can compute space needs. */
uint32_t fat_cluster_size(const struct fat_fs *fs);

/* Write every directory (entries in sorted order), both FAT copies and the
 * FSInfo sector. Nothing is final before this returns 0. May be called once;
 * it does not fsync. */
int fat_finish(struct fat_fs *fs);

void fat_free(struct fat_fs *fs);  /* NULL ok */
