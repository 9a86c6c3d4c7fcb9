/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdint.h>
#include <stdio.h>

#include "base/arch.h"
#include "base/guid.h"
#include "mkimage/layout.h"

/*
 * The plan: every size, offset and GUID decided before a byte is written,
 * so that a bad combination fails before any output exists.
 */

#define PLAN_ALIGN (1024 * 1024)          /* partitions start and end on 1 MiB */
#define SECTOR_SIZE 512
#define GPT_BACKUP_BYTES (33 * SECTOR_SIZE) /* backup entries + header at the end */
#define VARSTORE_SIZE (64 * 1024 * 1024)    /* QEMU refuses a pflash of another size */
#define ESP_DEFAULT_SIZE (256 * 1024 * 1024)
#define ROOT_MIN_SIZE (64 * 1024 * 1024)

struct plan_partition {
        const struct layout_partition *layout;
        unsigned number;        /* GPT entry, 1-based */
        guid_t type;
        guid_t uuid;            /* partition GUID (PARTUUID) */
        uint64_t offset;        /* bytes from the start of the disk */
        uint64_t size;          /* bytes */
        struct fs_ids fs_ids;   /* for its file system, whichever it is */
};

struct plan {
        const struct arch *arch;
        struct seed seed;
        int64_t clamp_time;     /* SOURCE_DATE_EPOCH, or -1 */
        uint64_t disk_size;
        guid_t disk_guid;
        struct plan_partition *parts;
        size_t n_parts;
};

struct plan_request {
        const struct layout *layout;
        const struct arch *arch;
        struct seed seed;
        int64_t clamp_time;
        uint64_t disk_size;      /* --size; 0 = from the layout */
        uint64_t esp_size;       /* --esp-size; 0 = from the layout */
        const uint64_t *needed;  /* per layout partition: bytes its content needs for
                                    size = auto (0 = the kind's default); may be NULL */
};

int plan_make(const struct plan_request *req, struct plan **ret);
void plan_free(struct plan *p);
/* The plan as a table for people (--print-plan). */
void plan_print(const struct plan *p, FILE *f);
/* The same as JSON, for scripts: the disk, then each partition with its
 * number, name, kind, type GUID, PARTUUID, offset, size, fs and fs UUID. */
int plan_print_json(const struct plan *p, FILE *f);
/* The partition of a kind, or NULL. */
const struct plan_partition *plan_find(const struct plan *p, enum part_kind kind);
