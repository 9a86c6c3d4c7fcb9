/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "esp/esp.h"
#include "fs/fs.h"
#include "mkimage/plan.h"

struct image_vars;

/*
 * Writing the partitions. Each partition's file system (the layout's fs,
 * a row of fs/fs.h) is formatted by its handler; then what the partition
 * holds comes from its kind's filler: the ESP gets the boot chain, the
 * root the ROOTFS tree, the varstore the image's UEFI variables. The
 * engine never special-cases a file system.
 */

/* What goes into the partitions. */
struct job {
        const struct plan *plan;
        const char *image_path;   /* the temporary file, for tools that open by path */
        int fd;
        const struct esp_request *esp; /* the ESP's content */
        const char *rootfs;       /* ROOTFS: a directory or archive (a spooled stdin), or NULL */
        const struct plan_partition *root; /* where ROOTFS goes */
        uint64_t root_inodes;     /* inodes ROOTFS needs (0: the file system's default) */
        const struct image_vars *vars; /* for a varstore partition, or NULL */
        bool owner_set;           /* --owner: every entry owned by uid:gid */
        uid_t uid;
        gid_t gid;
};

/* Refuse a plan whose partitions cannot hold their file systems, before anything is written. */
int partitions_check(const struct job *job);
/* Format and fill every partition. */
int partitions_write(const struct job *job);

/* What a partition of one kind holds, once its file system is formatted. */
struct part_filler {
        enum part_kind kind;
        int (*fill)(const struct job *job, const struct plan_partition *pp, const struct fs_target *t);
};

extern const struct part_filler esp_filler;
extern const struct part_filler root_filler;
extern const struct part_filler varstore_filler;
