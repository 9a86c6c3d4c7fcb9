/* SPDX-License-Identifier: MIT */
/*
 * FAT32 in the file-system table: mkfs.fat formats, in place at the
 * partition's offset. It takes no tree from ROOTFS; the ESP's files come
 * from esp/esp.c through fs/fat.h.
 */
#include <errno.h>
#include <stdio.h>

#include "base/spawn.h"
#include "fs/fat-names.h"
#include "fs/fs.h"

#define SECTOR_SIZE 512
#define FAT32_MIN_CLUSTERS 65525
#define FAT_RESERVED_SECTORS 32
#define SIZE_STEP (1024 * 1024)  /* partitions grow in 1 MiB steps */

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

static int vfat_check_size(const struct fs_target *t, uint64_t *ret_min_size)
{
        uint64_t size = SIZE_STEP;

        if (pick_sectors_per_cluster(t->size) != 0)
                return 0;
        while (fat32_clusters(size, 1) < FAT32_MIN_CLUSTERS)
                size += SIZE_STEP;
        *ret_min_size = size;
        return -ENOSPC;
}

static int vfat_format(const struct fs_target *t)
{
        char spc[8], volid[16], offset[32], hidden[32], blocks[32];
        const char *argv[20];
        size_t n = 0;

        snprintf(spc, sizeof(spc), "%u", pick_sectors_per_cluster(t->size));
        snprintf(volid, sizeof(volid), "%08X", t->ids.volume_id);
        snprintf(offset, sizeof(offset), "--offset=%llu", (unsigned long long)(t->offset / SECTOR_SIZE));
        /* Hidden sectors = the partition's start, as on a real partitioned disk. */
        snprintf(hidden, sizeof(hidden), "%llu", (unsigned long long)(t->offset / SECTOR_SIZE));
        snprintf(blocks, sizeof(blocks), "%llu", (unsigned long long)(t->size / 1024));

        argv[n++] = "mkfs.fat";
        /*
         * mkfs.fat stamps the volume-label entry with the current time even
         * with SOURCE_DATE_EPOCH; --invariant fixes it (and the volume id,
         * which the -i after it sets back to ours).
         */
        if (t->clamp_time >= 0)
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
        if (t->label) {
                argv[n++] = "-n";
                argv[n++] = t->label;
        }
        argv[n++] = offset;
        argv[n++] = t->image_path;
        argv[n++] = blocks;
        argv[n] = NULL;

        return spawn_tool(argv, NULL, "dosfstools");
}

/* As blkid shows a FAT volume id: XXXX-XXXX. */
static const char *vfat_id_string(const struct fs_ids *ids, char *buf, size_t len)
{
        snprintf(buf, len, "%04X-%04X", ids->volume_id >> 16, ids->volume_id & 0xFFFF);
        return buf;
}

const struct fs_handler fs_vfat = {
        .name = "vfat",
        .label_max = 11,
        .label_problem = fat_label_problem,
        .grub_module = "fat",
        .check_size = vfat_check_size,
        .min_size_rule = "FAT32 (at least 65,525 clusters)",
        .format = vfat_format,
        .id_string = vfat_id_string,
};
