/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The ext4 root partition: mke2fs formats a byte range of the image in
 * place, libext2fs (opened at that offset) fills it from a content stream
 * in one pass. No staging copy, no loop device, no mount, no root.
 */

#include <stdint.h>

#include "content/content.h"

struct ext4_params {
        const char *name;       /* how messages name it ("partition \"root\""); NULL: by offset and path */
        const char *label;      /* -L; NULL: none */
        const char *uuid;       /* file-system UUID string; NULL: random */
        const char *hash_seed;  /* htree hash seed (UUID string); NULL: random */
        int64_t clamp_time;     /* SOURCE_DATE_EPOCH: every time is at most this,
                                   and it is "now" for mke2fs and libext2fs; -1: none */
        uint64_t inodes;        /* -N; 0: mke2fs's default ratio */
};

/* Block size of every file system made here. */
#define EXT4_BLOCK_SIZE 4096

/*
 * Format [offset, offset + size) of the image file `path` with
 * `mke2fs -t ext4` (run with fork/exec, no shell). The range must read as
 * zeros (a freshly truncated sparse file): mke2fs is told so and then
 * writes only metadata, which keeps the image sparse. size is rounded down
 * to EXT4_BLOCK_SIZE. Root directory owned by 0:0.
 */
int ext4_format(const char *path, uint64_t offset, uint64_t size, const struct ext4_params *p);

/*
 * Create every entry of the content stream c in the file system at
 * `offset` of image `path` (made by ext4_format). Regular files keep their
 * holes, and all-zero blocks become holes too, so a tree and its tarball
 * give the same bytes. With p->clamp_time set (reproducible builds), mtime
 * is clamped to it, atime = that mtime, ctime = crtime = clamp_time: atime
 * and ctime of a tree differ from its tarball's, so they cannot be kept.
 * Without it, all times are kept as the content gives them. Times outside
 * ext4's range (1901-12-13T20:45:52Z .. 2446-05-10T22:38:55Z), the clamp
 * time included, are stored as the nearest time in it, with one warning
 * that names the first such entry and counts them. A directory whose first
 * block fills is indexed (htree), as the kernel does it.
 * Sockets are stored as sockets. Errors (logged, naming the entry): a
 * regular file larger than ext4 holds (16 TiB - 4 KiB), a name
 * longer than 255 bytes, a hard link to an entry not created before, an
 * entry that exists already (directories: their metadata is updated
 * instead), content that does not fit (-ENOSPC: the message says how much
 * space the whole content needs), more entries than inodes.
 */
int ext4_fill(const char *path, uint64_t offset, struct content *c, const struct ext4_params *p);

/*
 * Size of a file system for the content at `source` (a directory, an
 * archive or "-"... although stdin cannot be scanned twice, so the caller
 * should not estimate "-"): one scan with content_open().
 *
 *   data    = sum over regular files (each hard-linked file once) of its
 *             size rounded up to blocks and its extent-tree blocks (sizes
 *             declared, holes included; a file above 16 TiB - 4 KiB is an
 *             error), plus one block per symlink longer
 *             than 59 bytes, plus one block per inode whose xattrs need
 *             more than the 96 bytes free inside a 256-byte inode, plus
 *             directory blocks: one per directory plus the entries'
 *             record bytes (8 + name, rounded to 4) / block size
 *   inodes  = entries * (100 + headroom_percent) / 100 + 64
 *   size    = smallest S with
 *             S >= (data * (100 + headroom_percent) / 100 + overhead(S)) / 0.95
 *             overhead(S) = journal (mke2fs's default for S) + inode tables
 *             (inodes * 256) + per 128 MiB group: 2 bitmap blocks + group
 *             descriptors + reserved GDT blocks; 0.95 leaves mke2fs's 5 %
 *             root reserve free;
 *             rounded up to 1 MiB, at least 16 MiB.
 * *ret_inodes is meant for ext4_params.inodes.
 */
int ext4_estimate(const char *source, uint64_t headroom_percent, uint64_t *ret_bytes, uint64_t *ret_inodes);
