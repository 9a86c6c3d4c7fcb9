/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "esp/esp.h"
#include "mkimage/plan.h"

struct image_vars;

/* What a partition handler works on: the image being written and the inputs. */
struct job {
        const struct plan *plan;
        const char *image_path;   /* the temporary file, for tools that open by path */
        int fd;
        const char *bootloader;   /* --bootloader FILE, or NULL */
        const char *esp_dir;      /* --esp-dir DIR, or NULL */
        const struct esp_file *esp_files; /* the boot chain's files for the ESP */
        size_t n_esp_files;
        const char *rootfs;       /* ROOTFS: a directory or archive (a spooled stdin), or NULL */
        const struct plan_partition *root; /* where ROOTFS goes */
        uint64_t root_inodes;     /* inodes ROOTFS needs (0: mke2fs's default) */
        const struct image_vars *vars; /* for a varstore partition, or NULL */
        bool owner_set;           /* --owner: every entry owned by uid:gid */
        uid_t uid;
        gid_t gid;
};

/*
 * One handler per kind of partition content. The core loops over the
 * partitions and calls format, then fill; it never special-cases a file
 * system.
 */
struct part_handler {
        enum part_fs fs;
        /* Check what the partition can hold before anything is written. */
        int (*check)(const struct job *job, const struct plan_partition *pp);
        /* Write an empty file system into the partition. */
        int (*format)(const struct job *job, const struct plan_partition *pp);
        /* Put the content in. */
        int (*fill)(const struct job *job, const struct plan_partition *pp);
};

/* By the partition's file system; a varstore partition has its own. */
const struct part_handler *part_handler_for(const struct layout_partition *lp);

extern const struct part_handler vfat_handler;
extern const struct part_handler ext4_handler;
extern const struct part_handler varstore_handler;
