/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>

#include "base/log.h"
#include "base/size.h"
#include "base/spawn.h"
#include "esp/esp.h"
#include "mkimage/handler.h"

#define FAT32_MIN_CLUSTERS 65525
#define FAT_RESERVED_SECTORS 32

/*
 * An estimate of the clusters mkfs.fat makes: reserved sectors, two FATs of
 * four bytes per cluster, then data. It errs low by a cluster's worth of
 * alignment, and fat_open() checks the real count afterwards.
 */
static uint64_t fat32_clusters(uint64_t bytes, unsigned sectors_per_cluster)
{
        uint64_t sectors = bytes / SECTOR_SIZE, clusters, fat_sectors;

        if (sectors < FAT_RESERVED_SECTORS + 2 * sectors_per_cluster)
                return 0;
        clusters = (sectors - FAT_RESERVED_SECTORS) / sectors_per_cluster;
        fat_sectors = ((clusters + 2) * 4 + SECTOR_SIZE - 1) / SECTOR_SIZE;
        if (sectors < FAT_RESERVED_SECTORS + 2 * fat_sectors + sectors_per_cluster)
                return 0;
        return (sectors - FAT_RESERVED_SECTORS - 2 * fat_sectors - sectors_per_cluster) / sectors_per_cluster;
}

/*
 * The largest cluster (up to 4 KiB) that still gives FAT32's minimum
 * cluster count: mkfs.fat's own default lands just under it at 256 MiB.
 * 0 if even 512-byte clusters are too few.
 */
static unsigned pick_sectors_per_cluster(uint64_t bytes)
{
        for (unsigned spc = 8; spc >= 1; spc /= 2)
                if (fat32_clusters(bytes, spc) >= FAT32_MIN_CLUSTERS)
                        return spc;
        return 0;
}

static uint64_t fat32_min_size(void)
{
        uint64_t size = PLAN_ALIGN;

        while (fat32_clusters(size, 1) < FAT32_MIN_CLUSTERS)
                size += PLAN_ALIGN;
        return size;
}

static int vfat_check(const struct job *job, const struct plan_partition *pp)
{
        char a[32], b[32];

        if (pick_sectors_per_cluster(pp->size) == 0)
                return log_error(-EINVAL, "partition '%s' is %s, too small for FAT32 (at least 65,525 clusters): it needs at least %s%s",
                                 pp->layout->name, format_size(pp->size, a, sizeof(a)),
                                 format_size(fat32_min_size(), b, sizeof(b)),
                                 pp->layout->kind == PART_ESP ? " (--esp-size)" : "");
        return 0;
}

static int vfat_format(const struct job *job, const struct plan_partition *pp)
{
        char spc[8], volid[16], offset[32], hidden[32], blocks[32];
        const char *label = pp->layout->label;
        const char *argv[20];
        size_t n = 0;

        snprintf(spc, sizeof(spc), "%u", pick_sectors_per_cluster(pp->size));
        snprintf(volid, sizeof(volid), "%08X", pp->fat_volume_id);
        snprintf(offset, sizeof(offset), "--offset=%llu", (unsigned long long)(pp->offset / SECTOR_SIZE));
        /* Hidden sectors = the partition's start, as on a real partitioned disk. */
        snprintf(hidden, sizeof(hidden), "%llu", (unsigned long long)(pp->offset / SECTOR_SIZE));
        snprintf(blocks, sizeof(blocks), "%llu", (unsigned long long)(pp->size / 1024));

        argv[n++] = "mkfs.fat";
        /*
         * mkfs.fat stamps the volume-label entry with the current time even
         * with SOURCE_DATE_EPOCH; --invariant fixes it (and the volume id,
         * which the -i after it sets back to ours).
         */
        if (job->plan->clamp_time >= 0)
                argv[n++] = "--invariant";
        argv[n++] = "-F";
        argv[n++] = "32";
        argv[n++] = "-S";
        argv[n++] = "512";
        argv[n++] = "-s";
        argv[n++] = spc;
        argv[n++] = "-i";
        argv[n++] = volid;
        argv[n++] = "-h";
        argv[n++] = hidden;
        if (label) {
                argv[n++] = "-n";
                argv[n++] = label;
        }
        argv[n++] = offset;
        argv[n++] = job->image_path;
        argv[n++] = blocks;
        argv[n] = NULL;

        return spawn_tool(argv, NULL, "dosfstools");
}

static int vfat_fill(const struct job *job, const struct plan_partition *pp)
{
        const struct arch *arch = job->plan->arch;
        struct esp_request req = {
                .removable_file = arch->removable_file,
                .pe_machine = arch->pe_machine,
                .pe_magic = arch->pe_magic,
                .bootloader = job->bootloader,
                .tree = job->esp_dir,
                .files = job->esp_files,
                .n_files = job->n_esp_files,
                .clamp_time = job->plan->clamp_time,
        };

        /* Only the ESP has content for now; another vfat partition stays empty. */
        if (pp->layout->kind != PART_ESP)
                return 0;
        return esp_populate(job->fd, pp->offset, pp->size, &req);
}

const struct part_handler vfat_handler = {
        .fs = FS_VFAT,
        .check = vfat_check,
        .format = vfat_format,
        .fill = vfat_fill,
};
