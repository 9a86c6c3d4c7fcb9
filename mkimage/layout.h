/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/guid.h"
#include "fs/fs.h"

/*
 * A layout file describes the disk: an optional [disk] section and one
 * [partition NAME] section per partition, in disk order. See
 * docs/layout-format.md.
 */

enum part_kind {
        PART_ESP,       /* EFI System Partition */
        PART_ROOT,      /* the arch's Discoverable Partitions root type */
        PART_VARSTORE,  /* UEFI variable store (project-defined type) */
        PART_LINUX,     /* Linux generic data */
        PART_OTHER,     /* any type GUID given literally */
};

enum size_mode {
        SIZE_FIXED,
        SIZE_AUTO,      /* computed from content (or the kind's minimum) */
        SIZE_REST,      /* whatever the disk has left */
};

struct layout_partition {
        char *name;             /* GPT partition name: the section's NAME */
        unsigned line;          /* where its section starts, for messages */
        enum part_kind kind;
        guid_t type;            /* for PART_OTHER; others come from kind + arch */
        enum size_mode size_mode;
        uint64_t size;          /* for SIZE_FIXED */
        const struct fs_handler *fs; /* its file system (fs/fs.h); NULL: none */
        char *label;            /* file system label; NULL = none */
        bool uuid_set;
        guid_t uuid;            /* fixed partition GUID */
        bool fs_set;            /* fs given explicitly (else the kind's default) */
        unsigned label_line;    /* where label = was given, for messages */
};

struct layout {
        char *path;
        bool disk_size_set;
        uint64_t disk_size;     /* 0 with disk_size_set = "auto" */
        struct layout_partition *parts;
        size_t n_parts;
};

/* Name ("vmspec") or path; names are searched in the layout directories. */
int layout_load(const char *name_or_path, struct layout **ret);
/*
 * Parses an open layout file (what layout_load does after finding and
 * opening it; also the fuzz target's entry point). path only names the file
 * in messages. 0 and *ret, or -EINVAL/-ENOMEM/-EIO (logged, "path:line: why").
 */
int layout_parse(const char *path, FILE *f, struct layout **ret);
void layout_free(struct layout *l);

const char *part_kind_name(enum part_kind k);
/* The file system's name as layouts spell it, "none" for none. */
const char *part_fs_name(const struct fs_handler *fs);
