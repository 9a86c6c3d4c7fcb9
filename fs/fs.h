/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The file-system table: one handler per file system a partition can hold,
 * each in its own file (fs/fs-ext4.c, fs/fs-vfat.c), each owning everything
 * about its kind: the name layouts use, its label rule, how much room a
 * tree needs, how to format it, how to fill it, what GRUB needs to read it
 * and how its id is shown. The image engine knows file systems only through
 * this table: adding one (erofs, squashfs) is one new file and one row in
 * fs/fs.c.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/guid.h"
#include "content/content.h"

/* A file system's ids, derived from the image's seed by the plan. */
struct fs_ids {
        guid_t uuid;              /* file-system UUID, for those that have one */
        guid_t hash_seed;         /* directory hash seed, likewise */
        uint32_t volume_id;       /* 32-bit volume id (FAT) */
};

/* One partition's file system, as the engine planned it. */
struct fs_target {
        const char *image_path;   /* the image file, for tools that open it by path */
        int fd;                   /* the same file, open for reading and writing */
        uint64_t offset;          /* where the partition starts, bytes */
        uint64_t size;            /* its size, bytes */
        const char *name;         /* how messages name it: partition "root" */
        const char *label;        /* or NULL */
        struct fs_ids ids;
        int64_t clamp_time;       /* SOURCE_DATE_EPOCH, or -1 */
        uint64_t inodes;          /* inodes the content needs; 0: the file system's default */
};

/* What a tree needs of a file system, from one scan (fs_handler.estimate). */
struct fs_need {
        uint64_t bytes;
        uint64_t inodes;
};

struct fs_handler {
        const char *name;         /* as layouts spell it: fs = ext4 */
        size_t label_max;         /* longest label, in bytes */
        /* NULL if label is one the file system takes, else why not; NULL: any (within label_max). */
        const char *(*label_problem)(const char *label);
        const char *grub_module;  /* the GRUB module that reads it, or NULL */
        /*
         * Room a tree (a directory or an archive, as content_open() takes
         * it) needs, with headroom_percent more for what the system writes
         * later. NULL for file systems that take no tree.
         */
        int (*estimate)(const char *source, uint64_t headroom_percent, struct fs_need *ret);
        /*
         * -ENOSPC, and the smallest size that works in *ret_min_size, if
         * the file system cannot be made in t->size (not logged: the engine
         * knows which option or layout key the user can change); the why
         * is min_size_rule. NULL: any size.
         */
        int (*check_size)(const struct fs_target *t, uint64_t *ret_min_size);
        const char *min_size_rule;  /* "FAT32 (at least 65,525 clusters)" */
        /* Write an empty file system into the partition. */
        int (*format)(const struct fs_target *t);
        /* Put a tree in the formatted file system; NULL: takes no tree. */
        int (*fill)(const struct fs_target *t, struct content *c);
        /* The id as blkid shows it (UUID=) and GRUB's search --fs-uuid takes it, into buf. */
        const char *(*id_string)(const struct fs_ids *ids, char *buf, size_t len);
};

/* By name, as a layout gives it (case-insensitive); NULL if unknown. */
const struct fs_handler *fs_find(const char *name);
/* "vfat, ext4", or with take_tree only those that hold a tree: for messages. */
const char *fs_names(bool take_tree, char *buf, size_t len);
/* Whether the file system can hold a tree (ROOTFS). */
static inline bool fs_takes_tree(const struct fs_handler *fs)
{
        return fs && fs->estimate && fs->fill;
}

extern const struct fs_handler fs_ext4;
extern const struct fs_handler fs_vfat;
