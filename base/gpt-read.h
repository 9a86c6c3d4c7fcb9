/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/gpt-types.h"
#include "base/guid.h"

/*
 * The one GPT reader: every program that looks into a disk image (the
 * variable-store tools, the bundle, the boot harness's pre-flight check)
 * reads its partition table here. mkimage/gpt.c writes GPTs with libfdisk.
 *
 * Reading is done by libblkid's partition prober, not libfdisk: it is the
 * code udev runs on every disk that appears, so it is made for hostile
 * input (and fuzzed upstream); it is read-only by design, prints nothing,
 * and can be told to look for GPT only. It checks the header and
 * partition-array CRCs, MyLBA, the usable range and the entry size, and
 * drops entries outside the usable range. libfdisk is an editor: it probes
 * every label type, repairs in memory and warns on stderr.
 *
 * The primary header (one sector) is first checked here for what libblkid
 * would not tell: a missing signature or a wrong header CRC get their own
 * messages, and an array of more than GPT_MAX_ENTRIES entries is refused
 * before anything allocates it. libblkid then parses a copy: a sparse
 * memory file the size of the disk the header describes, holding only that
 * header and its array. So all it reads has been bounded here (at most
 * 128 KiB of the image); the backup GPT reads as zeros, so a damaged
 * primary is refused rather than silently replaced by the backup (these
 * are images we made or are about to boot: damage should be noticed); and
 * a truncated image still shows its partitions, which are then marked as
 * lying outside it.
 *
 * Sectors are 512 bytes; a disk must be larger than a floppy (1.4 MiB).
 */

#define GPT_SECTOR_SIZE 512u
#define GPT_MAX_ENTRIES 1024u
#define GPT_MIN_DISK_SIZE (1440u * 1024 + 1) /* libblkid reads no GPT on a floppy-sized disk */
#define GPT_NAME_MAX (36 * 3 + 1) /* 36 UTF-16 units as UTF-8, with the NUL */

struct gpt_partition {
        unsigned partno;         /* 1-based: its entry's index in the array + 1 */
        guid_t type;             /* partition type, string order */
        guid_t uuid;             /* unique partition GUID (PARTUUID), string order */
        uint64_t offset;         /* bytes */
        uint64_t size;           /* bytes */
        char name[GPT_NAME_MAX]; /* UTF-8, "" if none */
        bool inside;             /* lies wholly within the image (else offset and size are untrusted) */
};

struct gpt_table {
        guid_t disk_guid;
        uint64_t image_size;     /* bytes the image really has */
        struct gpt_partition *parts; /* used entries, in entry order */
        size_t n_parts;
};

/*
 * Reads the GPT of the image open as fd (a regular file or a block device;
 * `what` names it in messages). Returns 0 and a table to free with
 * gpt_table_free(); -EBADMSG (logged) when fd holds no usable GPT, e.g.
 * "IMG is not a GPT disk image (no "EFI PART" header at LBA 1)" or
 * "IMG: GPT header CRC is wrong"; -errno (logged) for I/O.
 */
int gpt_read(int fd, const char *what, struct gpt_table **ret);
void gpt_table_free(struct gpt_table *t);
static inline void gpt_table_freep(struct gpt_table **t)
{
        gpt_table_free(*t);
}

/* The first partition of the type, or NULL. */
const struct gpt_partition *gpt_table_find(const struct gpt_table *t, const guid_t *type);

/*
 * gpt_read(), then the first partition of the type: returns 1 and fills
 * *ret, 0 if the disk has none, -EBADMSG (logged) if there is no usable
 * GPT or that partition lies outside the image ("IMG: partition 3 lies
 * outside the image"), -errno for I/O.
 */
int gpt_find_partition(int fd, const char *what, const guid_t *type, struct gpt_partition *ret);
