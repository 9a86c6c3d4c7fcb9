/* SPDX-License-Identifier: MIT */
/*
 * The FAT32 filler. Layout and field names follow Microsoft's "FAT: General
 * Overview of On-Disk Format" (the FAT32 BPB, FSInfo, directory entries and
 * VFAT long-name entries).
 *
 * Why the work is split the way it is:
 * - File data is written as it is added (the source may be a stream), into
 *   clusters taken in order from the free space, so the set of clusters used
 *   by files is always "the first N free ones".
 * - For the image to be the same whatever order the files came in,
 *   fat_finish() then permutes those clusters in place so that files lie in
 *   the order of a sorted tree walk, assigns the generated short names in
 *   sorted order, and only then allocates and writes the directories.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "fs/fat.h"
#include "fs/fat-names.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/byteorder.h"
#include "base/log.h"
#include "base/util.h"

#define FAT_ENTRY_MASK     UINT32_C(0x0FFFFFFF)
#define FAT_BAD            UINT32_C(0x0FFFFFF7)
#define FAT_EOC            UINT32_C(0x0FFFFFFF)
#define FAT_EOC_MIN        UINT32_C(0x0FFFFFF8)
#define FAT32_MIN_CLUSTERS UINT32_C(65525)
/* Highest valid cluster number is 0x0FFFFFF6; numbering starts at 2. */
#define FAT32_MAX_CLUSTERS UINT32_C(0x0FFFFFF5)

#define DIRENT_SIZE        32
#define DIR_MAX_ENTRIES    65536   /* a directory may not exceed 2 MiB */
#define LFN_UNITS_PER_SLOT 13

#define ATTR_VOLUME_ID     0x08
#define ATTR_DIRECTORY     0x10
#define ATTR_ARCHIVE       0x20
#define ATTR_LFN           0x0F
#define LFN_LAST           0x40

#define FSINFO_LEAD_SIG    UINT32_C(0x41615252)
#define FSINFO_STRUCT_SIG  UINT32_C(0x61417272)
#define FSINFO_TRAIL_SIG   UINT32_C(0xAA550000)

#define IO_BUFFER_SIZE     ((size_t)MIB)

#ifndef MIN
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#endif

static bool streq(const char *a, const char *b)
{
        return strcmp(a, b) == 0;
}

/* FAT time stamps cover 1980-01-01 00:00:00 .. 2107-12-31 23:59:58. */
#define FAT_TIME_MIN       INT64_C(315532800)
#define FAT_TIME_MAX       INT64_C(4354819198)

struct fat_run {
        uint32_t start;
        uint32_t len;
};

struct node_table {
        struct fat_node **slots;
        size_t cap;     /* power of two, or 0 */
        size_t count;
};

struct fat_node {
        struct fat_node *parent;
        char *name;             /* UTF-8 as given: the long name and the sort key */
        char *folded;           /* ASCII letters upper-cased: FAT lookups ignore case */
        uint16_t *lfn;          /* UTF-16 long name, when one is needed */
        size_t lfn_len;
        bool needs_lfn;
        char short_name[12];    /* 11 significant bytes, space padded */
        bool is_dir;
        bool explicit_dir;      /* made by fat_mkdir, not only as a parent */
        int64_t mtime;
        uint64_t size;

        /* File data or directory clusters. */
        struct fat_run *runs;
        size_t n_runs;
        struct fat_run *new_runs;       /* fat_finish(): canonical place of the data */
        size_t n_new_runs;

        /* Directories only. */
        struct fat_node **children;
        size_t n_children, children_cap;
        struct node_table by_folded;
        size_t n_entries;       /* 32-byte entries, with ".", ".." or the label */
};

struct fat_fs {
        int fd;
        uint64_t offset;
        uint64_t size;

        uint32_t bytes_per_sector;
        uint32_t cluster_size;
        uint32_t n_fats;
        uint64_t fat_bytes;             /* size of one FAT copy */
        uint64_t fat_offset;            /* relative to `offset` */
        uint64_t data_offset;
        uint32_t cluster_count;         /* data clusters are 2 .. cluster_count + 1 */
        uint32_t root_cluster;
        uint64_t fsinfo_offset;
        uint64_t backup_fsinfo_offset;  /* 0: none */

        uint32_t *fat;                  /* cluster_count + 2 entries, host order */
        uint8_t *dirty;                 /* bit per cluster: on disk it may not be zero */
        uint32_t free_clusters;
        uint32_t cursor;                /* first cluster that may be free */
        uint32_t root_chain_len;        /* clusters mkfs.fat gave the root */
        uint64_t dir_clusters_pending;  /* needed by directories, not yet allocated */

        uint8_t label_entry[DIRENT_SIZE];
        bool has_label;

        struct fat_node *root;
        uint8_t *buffer;                /* IO_BUFFER_SIZE */
        bool finished;
};

/* ---- clusters ---- */

static uint64_t cluster_offset(const struct fat_fs *fs, uint32_t cluster)
{
        return fs->offset + fs->data_offset + (uint64_t)(cluster - 2) * fs->cluster_size;
}

static bool cluster_is_valid(const struct fat_fs *fs, uint32_t cluster)
{
        return cluster >= 2 && cluster - 2 < fs->cluster_count;
}

static bool cluster_is_dirty(const struct fat_fs *fs, uint32_t c)
{
        return fs->dirty[c / 8] & (1u << (c % 8));
}

static void cluster_set_dirty(struct fat_fs *fs, uint32_t c, bool dirty)
{
        if (dirty)
                fs->dirty[c / 8] |= (uint8_t)(1u << (c % 8));
        else
                fs->dirty[c / 8] &= (uint8_t)~(1u << (c % 8));
}

static uint64_t clusters_for_bytes(const struct fat_fs *fs, uint64_t bytes)
{
        return (bytes + fs->cluster_size - 1) / fs->cluster_size;
}

static bool buffer_is_zero(const uint8_t *p, size_t n)
{
        return n == 0 || (p[0] == 0 && memcmp(p, p + 1, n - 1) == 0);
}

static int append_run(struct fat_run **runs, size_t *n_runs, uint32_t cluster)
{
        if (*n_runs > 0) {
                struct fat_run *last = &(*runs)[*n_runs - 1];
                if (last->start + last->len == cluster) {
                        last->len++;
                        return 0;
                }
        }
        struct fat_run *n = realloc(*runs, (*n_runs + 1) * sizeof(**runs));
        if (!n)
                return -ENOMEM;
        n[*n_runs] = (struct fat_run) { cluster, 1 };
        *runs = n;
        (*n_runs)++;
        return 0;
}

/* First-fit from the cursor: nothing is freed except a failed add's own
 * clusters, so allocations are contiguous on a fresh file system. */
static int allocate_clusters(struct fat_fs *fs, uint64_t count, struct fat_run **runs, size_t *n_runs)
{
        if (count > fs->free_clusters)
                return -ENOSPC;

        for (uint64_t i = 0; i < count; i++) {
                while (fs->fat[fs->cursor] != 0)
                        fs->cursor++;   /* free_clusters > 0 keeps this below the end */
                int r = append_run(runs, n_runs, fs->cursor);
                if (r < 0)
                        return r;
                fs->fat[fs->cursor] = FAT_EOC;
                fs->free_clusters--;
        }
        return 0;
}

static void release_clusters(struct fat_fs *fs, struct fat_run *runs, size_t n_runs)
{
        for (size_t i = 0; i < n_runs; i++)
                for (uint32_t c = runs[i].start; c < runs[i].start + runs[i].len; c++) {
                        fs->fat[c] = 0;
                        fs->free_clusters++;
                        if (c < fs->cursor)
                                fs->cursor = c;
                }
}

static void link_chain(struct fat_fs *fs, const struct fat_run *runs, size_t n_runs)
{
        for (size_t i = 0; i < n_runs; i++)
                for (uint32_t k = 0; k < runs[i].len; k++) {
                        uint32_t c = runs[i].start + k;
                        uint32_t next;
                        if (k + 1 < runs[i].len)
                                next = c + 1;
                        else if (i + 1 < n_runs)
                                next = runs[i + 1].start;
                        else
                                next = FAT_EOC;
                        fs->fat[c] = next;
                }
}

static uint64_t runs_total(const struct fat_run *runs, size_t n_runs)
{
        uint64_t n = 0;
        for (size_t i = 0; i < n_runs; i++)
                n += runs[i].len;
        return n;
}

/* Zeroing is needed only where a cluster may hold something already. */
static int zero_cluster(struct fat_fs *fs, uint32_t c)
{
        if (!cluster_is_dirty(fs, c))
                return 0;
        if (fallocate(fs->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                      (off_t)cluster_offset(fs, c), fs->cluster_size) < 0) {
                _cleanup_free_ uint8_t *zero = calloc(1, fs->cluster_size);
                if (!zero)
                        return -ENOMEM;
                int r = pwrite_all(fs->fd, zero, fs->cluster_size, cluster_offset(fs, c));
                if (r < 0)
                        return r;
        }
        cluster_set_dirty(fs, c, false);
        return 0;
}

/* ---- the boot sector ---- */

static int refuse(const struct fat_fs *fs, const char *why)
{
        return log_error(-EINVAL, "FAT file system at byte %llu: %s; expected an empty FAT32 made by mkfs.fat -F 32",
                         (unsigned long long)fs->offset, why);
}

static bool is_power_of_two(uint32_t v)
{
        return v != 0 && (v & (v - 1)) == 0;
}

static int parse_boot_sector(struct fat_fs *fs, const uint8_t *bs)
{
        if (bs[510] != 0x55 || bs[511] != 0xAA)
                return refuse(fs, "no boot sector signature");

        uint32_t bps = get_le16(bs + 11);
        uint32_t spc = bs[13];
        uint32_t reserved = get_le16(bs + 14);
        uint32_t n_fats = bs[16];
        uint32_t root_entries = get_le16(bs + 17);
        uint32_t total16 = get_le16(bs + 19);
        uint32_t fat16_size = get_le16(bs + 22);
        uint32_t total32 = get_le32(bs + 32);
        uint32_t fat32_size = get_le32(bs + 36);
        uint32_t fs_version = get_le16(bs + 42);
        uint32_t root_cluster = get_le32(bs + 44);
        uint32_t fsinfo = get_le16(bs + 48);
        uint32_t backup = get_le16(bs + 50);

        if (bps != 512 && bps != 1024 && bps != 2048 && bps != 4096)
                return refuse(fs, "bytes per sector is not 512, 1024, 2048 or 4096");
        if (!is_power_of_two(spc) || spc > 128 || bps * spc > 64 * KIB)
                return refuse(fs, "bad sectors per cluster");
        if (root_entries != 0 || total16 != 0 || fat16_size != 0 || fat32_size == 0)
                return refuse(fs, "not FAT32 (FAT12/16 fields are set)");
        if (fs_version != 0)
                return refuse(fs, "unknown FAT32 version");
        if (reserved < 2 || n_fats < 1 || n_fats > 4)
                return refuse(fs, "bad reserved sector or FAT count");
        if (fsinfo < 1 || fsinfo >= reserved)
                return refuse(fs, "no FSInfo sector");
        if ((uint64_t)total32 * bps > fs->size)
                return refuse(fs, "file system is larger than its partition");

        uint64_t data_sector = reserved + (uint64_t)n_fats * fat32_size;
        if (data_sector >= total32)
                return refuse(fs, "FATs do not fit");
        uint64_t clusters = (total32 - data_sector) / spc;
        if (clusters < FAT32_MIN_CLUSTERS)
                return refuse(fs, "fewer than 65525 clusters (too small for FAT32: use smaller clusters or a larger partition)");
        if (clusters > FAT32_MAX_CLUSTERS)
                return refuse(fs, "too many clusters");
        if ((uint64_t)fat32_size * bps < (clusters + 2) * 4)
                return refuse(fs, "FAT too small for the cluster count");

        fs->bytes_per_sector = bps;
        fs->cluster_size = bps * spc;
        fs->n_fats = n_fats;
        fs->fat_bytes = (uint64_t)fat32_size * bps;
        fs->fat_offset = (uint64_t)reserved * bps;
        fs->data_offset = data_sector * bps;
        fs->cluster_count = (uint32_t)clusters;
        fs->fsinfo_offset = (uint64_t)fsinfo * bps;
        if (backup != 0 && backup != 0xFFFF && backup + 1 < reserved)
                fs->backup_fsinfo_offset = (uint64_t)(backup + 1) * bps;

        if (!cluster_is_valid(fs, root_cluster))
                return refuse(fs, "root cluster out of range");
        fs->root_cluster = root_cluster;
        return 0;
}

static bool sector_is_fsinfo(const uint8_t *s)
{
        return get_le32(s) == FSINFO_LEAD_SIG && get_le32(s + 484) == FSINFO_STRUCT_SIG &&
               get_le32(s + 508) == FSINFO_TRAIL_SIG;
}

static int check_fsinfo(struct fat_fs *fs)
{
        uint8_t s[512];
        int r = pread_all(fs->fd, s, sizeof(s), fs->offset + fs->fsinfo_offset);
        if (r < 0)
                return log_error_errno(r, "cannot read FSInfo sector at byte %llu",
                                       (unsigned long long)fs->offset);
        if (!sector_is_fsinfo(s))
                return refuse(fs, "FSInfo sector has bad signatures");

        if (fs->backup_fsinfo_offset != 0) {
                r = pread_all(fs->fd, s, sizeof(s), fs->offset + fs->backup_fsinfo_offset);
                if (r < 0 || !sector_is_fsinfo(s))
                        fs->backup_fsinfo_offset = 0;   /* nothing there to keep in step */
        }
        return 0;
}

static int load_fat(struct fat_fs *fs)
{
        size_t n = (size_t)fs->cluster_count + 2;

        fs->fat = calloc(n, sizeof(uint32_t));
        fs->dirty = calloc(n / 8 + 1, 1);
        if (!fs->fat || !fs->dirty)
                return log_error(-ENOMEM, "out of memory for a FAT of %zu entries", n);

        for (size_t done = 0; done < n;) {
                size_t k = MIN(n - done, IO_BUFFER_SIZE / 4);
                int r = pread_all(fs->fd, fs->buffer, k * 4, fs->offset + fs->fat_offset + done * 4);
                if (r < 0)
                        return log_error_errno(r, "cannot read the FAT at byte %llu",
                                               (unsigned long long)fs->offset);
                for (size_t i = 0; i < k; i++)
                        fs->fat[done + i] = get_le32(fs->buffer + i * 4);
                done += k;
        }

        for (uint32_t c = 2; c < n; c++) {
                uint32_t v = fs->fat[c] & FAT_ENTRY_MASK;
                if (v == 0) {
                        fs->fat[c] = 0;         /* the top four bits are reserved */
                        fs->free_clusters++;
                } else
                        /* Whatever is in use may hold data: never assume it zero. */
                        cluster_set_dirty(fs, c, true);
        }
        fs->cursor = 2;
        return 0;
}

/* ---- the tree ---- */

static size_t hash_string(const char *s)
{
        size_t h = 14695981039346656037ULL & SIZE_MAX;
        for (; *s; s++)
                h = (h ^ (unsigned char)*s) * (size_t)1099511628211ULL;
        return h;
}

static struct fat_node *table_find(const struct node_table *t, const char *folded)
{
        if (t->cap == 0)
                return NULL;
        for (size_t i = hash_string(folded) & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
                struct fat_node *n = t->slots[i];
                if (!n)
                        return NULL;
                if (streq(n->folded, folded))
                        return n;
        }
}

static void table_place(struct node_table *t, struct fat_node *node)
{
        size_t i = hash_string(node->folded) & (t->cap - 1);
        while (t->slots[i])
                i = (i + 1) & (t->cap - 1);
        t->slots[i] = node;
        t->count++;
}

static int table_add(struct node_table *t, struct fat_node *node)
{
        if ((t->count + 1) * 2 > t->cap) {
                size_t cap = t->cap ? t->cap * 2 : 16;
                struct fat_node **old = t->slots;
                size_t old_cap = t->cap;

                t->slots = calloc(cap, sizeof(*t->slots));
                if (!t->slots) {
                        t->slots = old;
                        return -ENOMEM;
                }
                t->cap = cap;
                t->count = 0;
                for (size_t i = 0; i < old_cap; i++)
                        if (old[i])
                                table_place(t, old[i]);
                free(old);
        }
        table_place(t, node);
        return 0;
}

static void node_free(struct fat_node *n)
{
        if (!n)
                return;
        for (size_t i = 0; i < n->n_children; i++)
                node_free(n->children[i]);
        free(n->children);
        free(n->by_folded.slots);
        free(n->name);
        free(n->folded);
        free(n->lfn);
        free(n->runs);
        free(n->new_runs);
        free(n);
}

/* Clusters `dir` needs for `n_entries` entries that it does not have yet. */
static uint32_t dir_clusters_for(const struct fat_fs *fs, const struct fat_node *dir, size_t n_entries)
{
        uint64_t c = clusters_for_bytes(fs, (uint64_t)n_entries * DIRENT_SIZE);
        if (c == 0)
                c = 1;
        if (dir == fs->root)
                return c > fs->root_chain_len ? (uint32_t)(c - fs->root_chain_len) : 0;
        return (uint32_t)c;
}

static uint32_t dir_clusters_needed(const struct fat_fs *fs, const struct fat_node *dir)
{
        return dir_clusters_for(fs, dir, dir->n_entries);
}

static size_t node_entry_count(const struct fat_node *n)
{
        if (!n->needs_lfn)
                return 1;
        return 1 + (n->lfn_len + LFN_UNITS_PER_SLOT - 1) / LFN_UNITS_PER_SLOT;
}

/* ---- names ---- */

static char *fold_name(const char *name)
{
        char *f = strdup(name);
        if (!f)
                return NULL;
        for (char *p = f; *p; p++)
                if (*p >= 'a' && *p <= 'z')
                        *p = (char)(*p - 'a' + 'A');
        return f;
}

/* Checks that FAT can hold `name` and fills in its long and short forms. */
static int node_set_name(struct fat_node *n, const char *name, const char *path)
{
        uint16_t units[FAT_LFN_MAX_UNITS];
        const char *why = NULL;
        int n_units;

        n_units = fat_name_to_utf16(name, units, &why);
        if (n_units < 0)
                return log_error(n_units, "%s: %s", path, why);

        n->name = strdup(name);
        n->folded = fold_name(name);
        if (!n->name || !n->folded)
                return log_error(-ENOMEM, "%s: out of memory", path);

        if (fat_name_to_strict_short(name, n->short_name))
                return 0;

        n->needs_lfn = true;
        n->lfn = malloc((size_t)n_units * sizeof(uint16_t));
        if (!n->lfn)
                return log_error(-ENOMEM, "%s: out of memory", path);
        memcpy(n->lfn, units, (size_t)n_units * sizeof(uint16_t));
        n->lfn_len = (size_t)n_units;
        return 0;
}

/* ---- building the tree ---- */

static int dir_add_child(struct fat_fs *fs, struct fat_node *dir, struct fat_node *child, const char *path)
{
        size_t entries = node_entry_count(child);
        if (dir->n_entries + entries > DIR_MAX_ENTRIES)
                return log_error(-ENOSPC, "%s: the directory is full (FAT allows %d entries, long names take several)",
                                 path, DIR_MAX_ENTRIES);

        if (dir->n_children == dir->children_cap) {
                size_t cap = dir->children_cap ? dir->children_cap * 2 : 8;
                struct fat_node **c = realloc(dir->children, cap * sizeof(*c));
                if (!c)
                        return log_error(-ENOMEM, "%s: out of memory", path);
                dir->children = c;
                dir->children_cap = cap;
        }
        if (table_add(&dir->by_folded, child) < 0)
                return log_error(-ENOMEM, "%s: out of memory", path);
        dir->children[dir->n_children++] = child;

        uint32_t before = dir_clusters_needed(fs, dir);
        dir->n_entries += entries;
        fs->dir_clusters_pending += dir_clusters_needed(fs, dir) - before;
        child->parent = dir;
        return 0;
}

static uint64_t usable_clusters(const struct fat_fs *fs)
{
        return fs->free_clusters > fs->dir_clusters_pending ? fs->free_clusters - fs->dir_clusters_pending : 0;
}

/* Space for `data_clusters` plus what adding `child` does to `dir`. */
static int check_space(struct fat_fs *fs, const struct fat_node *dir, const struct fat_node *child,
                       uint64_t data_clusters, const char *path)
{
        uint64_t dir_growth = dir_clusters_for(fs, dir, dir->n_entries + node_entry_count(child)) -
                              dir_clusters_needed(fs, dir);
        if (child->is_dir)
                dir_growth++;
        uint64_t need = data_clusters + dir_growth;

        if (need > usable_clusters(fs))
                return log_error(-ENOSPC, "%s: ESP is full: %llu bytes needed, %llu bytes free (cluster size %u)",
                                 path, (unsigned long long)(need * fs->cluster_size),
                                 (unsigned long long)fat_free_bytes(fs), fs->cluster_size);
        return 0;
}

static int new_node(struct fat_fs *fs, struct fat_node *dir, const char *name, bool is_dir,
                    int64_t mtime, uint64_t data_clusters, const char *path, struct fat_node **ret)
{
        struct fat_node *n = calloc(1, sizeof(*n));
        if (!n)
                return log_error(-ENOMEM, "%s: out of memory", path);
        n->is_dir = is_dir;
        n->mtime = mtime;
        if (is_dir)
                n->n_entries = 2;       /* "." and ".." */

        int r = node_set_name(n, name, path);
        if (r >= 0)
                r = check_space(fs, dir, n, data_clusters, path);
        if (r >= 0 && is_dir) {
                fs->dir_clusters_pending++;
        }
        if (r >= 0) {
                r = dir_add_child(fs, dir, n, path);
                if (r < 0 && is_dir)
                        fs->dir_clusters_pending--;
        }
        if (r < 0) {
                node_free(n);
                return r;
        }
        *ret = n;
        return 0;
}

/* The node named `name` in dir (FAT names ignore case), or NULL; -ENOMEM. */
static int dir_lookup(const struct fat_node *dir, const char *name, struct fat_node **ret)
{
        _cleanup_free_ char *folded = fold_name(name);

        if (!folded)
                return -ENOMEM;
        *ret = table_find(&dir->by_folded, folded);
        return 0;
}

/* Walks `path`, creating missing directories; returns the parent of the last
 * component and that component's name (a pointer into `buf`). */
static int walk_to_parent(struct fat_fs *fs, const char *path, char *buf, int64_t mtime,
                          struct fat_node **ret_dir, const char **ret_name)
{
        struct fat_node *dir = fs->root;
        char *save = NULL;
        char *name = strtok_r(buf, "/", &save);

        if (!name)
                return log_error(-EINVAL, "\"%s\": empty FAT path", path);

        for (char *next; (next = strtok_r(NULL, "/", &save)); name = next) {
                struct fat_node *child;

                if (dir_lookup(dir, name, &child) < 0)
                        return log_error(-ENOMEM, "%s: out of memory", path);
                if (child && !child->is_dir)
                        return log_error(-ENOTDIR, "%s: %s is a file, not a directory", path, child->name);
                if (!child) {
                        int r = new_node(fs, dir, name, true, mtime, 0, path, &child);
                        if (r < 0)
                                return r;
                } else if (!child->explicit_dir && mtime > child->mtime)
                        /* Implicit parents take the newest time that made them: any order, same result. */
                        child->mtime = mtime;
                dir = child;
        }

        *ret_dir = dir;
        *ret_name = name;
        return 0;
}

static int check_usable(const struct fat_fs *fs, const char *path)
{
        if (fs->finished)
                return log_error(-EINVAL, "%s: the FAT file system is already finished", path);
        if (strlen(path) >= PATH_MAX)
                return log_error(-ENAMETOOLONG, "%.64s...: path too long", path);
        return 0;
}

/*
 * Where `path` goes: its parent directory (made as needed), the last
 * component (a pointer into *buf, which the caller frees) and what already
 * has that name there, if anything.
 */
static int locate(struct fat_fs *fs, const char *path, int64_t mtime, char **buf,
                  struct fat_node **ret_dir, const char **ret_name, struct fat_node **ret_existing)
{
        int r = check_usable(fs, path);
        if (r < 0)
                return r;
        *buf = strdup(path);
        if (!*buf)
                return log_error(-ENOMEM, "%s: out of memory", path);
        r = walk_to_parent(fs, path, *buf, mtime, ret_dir, ret_name);
        if (r < 0)
                return r;
        if (dir_lookup(*ret_dir, *ret_name, ret_existing) < 0)
                return log_error(-ENOMEM, "%s: out of memory", path);
        return 0;
}

static int64_t clamp_time(int64_t t)
{
        return t < FAT_TIME_MIN ? FAT_TIME_MIN : t > FAT_TIME_MAX ? FAT_TIME_MAX : t;
}

int fat_mkdir(struct fat_fs *fs, const char *path, int64_t mtime)
{
        _cleanup_free_ char *buf = NULL;
        struct fat_node *dir, *n;
        const char *name;
        int r;

        mtime = clamp_time(mtime);
        r = locate(fs, path, mtime, &buf, &dir, &name, &n);
        if (r < 0)
                return r;
        if (n) {
                if (!n->is_dir)
                        return log_error(-EEXIST, "%s: exists as a file on the ESP", path);
                /* Several calls for one directory: keep the newest, whatever their order. */
                if (!n->explicit_dir || mtime > n->mtime)
                        n->mtime = mtime;
                n->explicit_dir = true;
                return 0;
        }

        r = new_node(fs, dir, name, true, mtime, 0, path, &n);
        if (r < 0)
                return r;
        n->explicit_dir = true;
        return 0;
}

/* ---- file data ---- */

struct data_source {
        int fd;                 /* or -1: from `mem`, or from `read` */
        const uint8_t *mem;
        fat_read_fn read;
        void *userdata;
        uint64_t pos;
};

static ssize_t read_some(struct data_source *src, uint8_t *buf, size_t n)
{
        if (src->read) {
                ssize_t k = src->read(src->userdata, buf, n);
                return k > (ssize_t)n ? -EIO : k;
        }
        ssize_t k = read(src->fd, buf, n);
        return k < 0 ? -errno : k;
}

static int read_source(struct data_source *src, uint8_t *buf, size_t n)
{
        if (src->fd < 0 && !src->read) {
                memcpy(buf, src->mem + src->pos, n);
                src->pos += n;
                return 0;
        }
        while (n > 0) {
                ssize_t k = read_some(src, buf, n);
                if (k == -EINTR)
                        continue;
                if (k < 0)
                        return (int)k;
                if (k == 0)
                        return -ENODATA;        /* shorter than announced */
                buf += k;
                n -= (size_t)k;
                src->pos += (uint64_t)k;
        }
        return 0;
}

struct cluster_cursor {
        const struct fat_run *runs;
        size_t run;
        uint32_t in_run;
};

static uint32_t cursor_next(struct cluster_cursor *cc)
{
        uint32_t c = cc->runs[cc->run].start + cc->in_run;
        if (++cc->in_run == cc->runs[cc->run].len) {
                cc->run++;
                cc->in_run = 0;
        }
        return c;
}

/* Writes `n` whole clusters from `buf`, merging neighbours into one write
 * and leaving all-zero clusters unwritten where the disk is zero already. */
static int write_clusters(struct fat_fs *fs, struct cluster_cursor *cc, const uint8_t *buf, size_t n)
{
        uint32_t cs = fs->cluster_size;
        uint32_t pending_start = 0;
        size_t pending_count = 0;
        const uint8_t *pending_data = NULL;
        int r;

        for (size_t i = 0; i <= n; i++) {
                uint32_t c = 0;
                bool skip = true;
                if (i < n) {
                        c = cursor_next(cc);
                        skip = buffer_is_zero(buf + i * cs, cs) && !cluster_is_dirty(fs, c);
                }
                if (pending_count > 0 && (skip || c != pending_start + pending_count)) {
                        r = pwrite_all(fs->fd, pending_data, pending_count * cs, cluster_offset(fs, pending_start));
                        if (r < 0)
                                return r;
                        pending_count = 0;
                }
                if (skip)
                        continue;
                if (pending_count == 0) {
                        pending_start = c;
                        pending_data = buf + i * cs;
                }
                pending_count++;
                cluster_set_dirty(fs, c, true);
        }
        return 0;
}

static int write_file_data(struct fat_fs *fs, struct fat_node *file, struct data_source *src, const char *path)
{
        struct cluster_cursor cc = { .runs = file->runs };
        uint64_t left = file->size;
        size_t chunk_max = IO_BUFFER_SIZE / fs->cluster_size * fs->cluster_size;

        while (left > 0) {
                size_t chunk = (size_t)MIN(left, (uint64_t)chunk_max);
                int r = read_source(src, fs->buffer, chunk);
                if (r == -ENODATA)
                        return log_error(-EIO, "%s: source ended after %llu of %llu bytes", path,
                                         (unsigned long long)src->pos, (unsigned long long)file->size);
                if (r < 0)
                        return log_error_errno(r, "%s: cannot read the source", path);

                size_t padded = (size_t)round_up(chunk, fs->cluster_size);
                memset(fs->buffer + chunk, 0, padded - chunk);
                r = write_clusters(fs, &cc, fs->buffer, padded / fs->cluster_size);
                if (r < 0)
                        return log_error_errno(r, "%s: cannot write to the image", path);
                left -= chunk;
        }
        return 0;
}

static int add_file(struct fat_fs *fs, const char *path, struct data_source *src, uint64_t size, int64_t mtime)
{
        _cleanup_free_ char *buf = NULL;
        struct fat_node *dir, *clash;
        const char *name;
        int r;

        mtime = clamp_time(mtime);
        r = locate(fs, path, mtime, &buf, &dir, &name, &clash);
        if (r < 0)
                return r;
        if (clash)
                return log_error(-EEXIST, "%s: %s already exists on the ESP (FAT names ignore case)",
                                 path, clash->name);
        if (size > UINT32_MAX)
                return log_error(-EFBIG, "%s: %llu bytes is more than a FAT file can hold (4 GiB - 1)",
                                 path, (unsigned long long)size);

        uint64_t clusters = clusters_for_bytes(fs, size);
        struct fat_node *file;
        r = new_node(fs, dir, name, false, mtime, clusters, path, &file);
        if (r < 0)
                return r;
        file->size = size;

        r = allocate_clusters(fs, clusters, &file->runs, &file->n_runs);
        if (r < 0)
                log_error_errno(r, "%s: cannot allocate %llu clusters", path, (unsigned long long)clusters);
        else
                r = write_file_data(fs, file, src, path);
        if (r < 0) {
                /* Undo: the entry goes, its clusters go back (and stay marked dirty). */
                release_clusters(fs, file->runs, file->n_runs);
                free(file->runs);
                file->runs = NULL;
                file->n_runs = 0;
                file->size = 0;
                uint32_t before = dir_clusters_needed(fs, dir);
                dir->n_entries -= node_entry_count(file);
                fs->dir_clusters_pending -= before - dir_clusters_needed(fs, dir);
                dir->n_children--;
                /* Rebuild the lookup table without it. */
                free(dir->by_folded.slots);
                dir->by_folded = (struct node_table) {};
                for (size_t i = 0; i < dir->n_children; i++)
                        if (table_add(&dir->by_folded, dir->children[i]) < 0)
                                return log_error(-ENOMEM, "%s: out of memory", path);
                node_free(file);
                return r;
        }
        return 0;
}

int fat_add_file(struct fat_fs *fs, const char *path, int src_fd, uint64_t size, int64_t mtime)
{
        struct data_source src = { .fd = src_fd };
        if (src_fd < 0)
                return log_error(-EBADF, "%s: no source file", path);
        return add_file(fs, path, &src, size, mtime);
}

int fat_add_buffer(struct fat_fs *fs, const char *path, const void *data, size_t size, int64_t mtime)
{
        struct data_source src = { .fd = -1, .mem = data };
        if (!data && size > 0)
                return log_error(-EINVAL, "%s: no data", path);
        return add_file(fs, path, &src, size, mtime);
}

int fat_add_stream(struct fat_fs *fs, const char *path, uint64_t size, int64_t mtime,
                   fat_read_fn read_fn, void *userdata)
{
        struct data_source src = { .fd = -1, .read = read_fn, .userdata = userdata };
        if (!read_fn)
                return log_error(-EINVAL, "%s: no reader", path);
        return add_file(fs, path, &src, size, mtime);
}

uint64_t fat_free_bytes(const struct fat_fs *fs)
{
        return usable_clusters(fs) * fs->cluster_size;
}

uint32_t fat_cluster_size(const struct fat_fs *fs)
{
        return fs->cluster_size;
}

/* ---- fat_finish: canonical data order ---- */

static int compare_nodes(const void *a, const void *b)
{
        const struct fat_node *x = *(struct fat_node *const *)a, *y = *(struct fat_node *const *)b;
        return strcmp(x->name, y->name);
}

static void sort_tree(struct fat_node *dir)
{
        if (dir->n_children > 1)
                qsort(dir->children, dir->n_children, sizeof(*dir->children), compare_nodes);
        for (size_t i = 0; i < dir->n_children; i++)
                if (dir->children[i]->is_dir)
                        sort_tree(dir->children[i]);
}

static int collect_file_clusters(const struct fat_node *dir, uint32_t *all, size_t *n)
{
        for (size_t i = 0; i < dir->n_children; i++) {
                const struct fat_node *c = dir->children[i];
                if (c->is_dir)
                        collect_file_clusters(c, all, n);
                else
                        for (size_t k = 0; k < c->n_runs; k++)
                                for (uint32_t j = 0; j < c->runs[k].len; j++)
                                        all[(*n)++] = c->runs[k].start + j;
        }
        return 0;
}

static int compare_u32(const void *a, const void *b)
{
        uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
        return x < y ? -1 : x > y;
}

/* Gives each file, in sorted tree order, the next clusters of `slots`. */
static int assign_canonical_places(struct fat_node *dir, const uint32_t *slots, size_t *next, uint32_t *new_of)
{
        for (size_t i = 0; i < dir->n_children; i++) {
                struct fat_node *c = dir->children[i];
                int r;
                if (c->is_dir) {
                        r = assign_canonical_places(c, slots, next, new_of);
                        if (r < 0)
                                return r;
                        continue;
                }
                for (size_t k = 0; k < c->n_runs; k++)
                        for (uint32_t j = 0; j < c->runs[k].len; j++) {
                                uint32_t to = slots[(*next)++];
                                new_of[c->runs[k].start + j] = to;
                                r = append_run(&c->new_runs, &c->n_new_runs, to);
                                if (r < 0)
                                        return r;
                        }
        }
        return 0;
}

static void adopt_new_places(struct fat_node *dir)
{
        for (size_t i = 0; i < dir->n_children; i++) {
                struct fat_node *c = dir->children[i];
                if (c->is_dir) {
                        adopt_new_places(c);
                        continue;
                }
                free(c->runs);
                c->runs = c->new_runs;
                c->n_runs = c->n_new_runs;
                c->new_runs = NULL;
                c->n_new_runs = 0;
        }
}

static int read_cluster(struct fat_fs *fs, uint32_t c, uint8_t *buf, bool *zero)
{
        *zero = !cluster_is_dirty(fs, c);
        if (*zero)
                return 0;
        return pread_all(fs->fd, buf, fs->cluster_size, cluster_offset(fs, c));
}

static int write_cluster(struct fat_fs *fs, uint32_t c, const uint8_t *buf, bool zero)
{
        if (zero)
                return zero_cluster(fs, c);
        cluster_set_dirty(fs, c, true);
        return pwrite_all(fs->fd, buf, fs->cluster_size, cluster_offset(fs, c));
}

/* Moves every cluster to new_of[cluster] by following permutation cycles,
 * holding two clusters in memory at a time. */
static int apply_permutation(struct fat_fs *fs, uint32_t *new_of)
{
        _cleanup_free_ uint8_t *carried = malloc(fs->cluster_size);
        _cleanup_free_ uint8_t *displaced = malloc(fs->cluster_size);
        if (!carried || !displaced)
                return -ENOMEM;

        for (uint32_t start = 2; start < fs->cluster_count + 2; start++) {
                if (new_of[start] == 0 || new_of[start] == start)
                        continue;

                bool carried_zero, displaced_zero = true;
                int r = read_cluster(fs, start, carried, &carried_zero);
                if (r < 0)
                        return r;
                for (uint32_t cur = start;;) {
                        uint32_t to = new_of[cur];
                        new_of[cur] = 0;
                        if (to != start) {
                                r = read_cluster(fs, to, displaced, &displaced_zero);
                                if (r < 0)
                                        return r;
                        }
                        r = write_cluster(fs, to, carried, carried_zero);
                        if (r < 0)
                                return r;
                        if (to == start)
                                break;
                        uint8_t *t = carried;
                        carried = displaced;
                        displaced = t;
                        carried_zero = displaced_zero;
                        cur = to;
                }
        }
        return 0;
}

static int place_files_in_canonical_order(struct fat_fs *fs)
{
        size_t used = (size_t)fs->cluster_count - fs->free_clusters;
        _cleanup_free_ uint32_t *slots = malloc((used + 1) * sizeof(uint32_t));
        _cleanup_free_ uint32_t *new_of = calloc((size_t)fs->cluster_count + 2, sizeof(uint32_t));
        if (!slots || !new_of)
                return -ENOMEM;

        size_t n = 0;
        collect_file_clusters(fs->root, slots, &n);
        qsort(slots, n, sizeof(uint32_t), compare_u32);

        size_t next = 0;
        int r = assign_canonical_places(fs->root, slots, &next, new_of);
        if (r < 0)
                return r;
        r = apply_permutation(fs, new_of);
        if (r < 0)
                return r;
        adopt_new_places(fs->root);
        return 0;
}

/* ---- fat_finish: short names ---- */

struct short_set {
        char (*names)[12];
        size_t cap;
};

static size_t short_hash(const char *s)
{
        size_t h = 5381;
        for (size_t i = 0; i < 11; i++)
                h = h * 33 + (unsigned char)s[i];
        return h;
}

static bool short_set_add(struct short_set *set, const char name[static 12])
{
        size_t i = short_hash(name) & (set->cap - 1);
        for (; set->names[i][0]; i = (i + 1) & (set->cap - 1))
                if (memcmp(set->names[i], name, 11) == 0)
                        return false;
        memcpy(set->names[i], name, 12);
        return true;
}

static int generate_short_name(struct short_set *set, struct fat_node *n)
{
        for (unsigned tail = 1; tail <= 999999; tail++) {
                char cand[12];

                fat_short_name_candidate(n->name, tail, cand);
                if (short_set_add(set, cand)) {
                        memcpy(n->short_name, cand, 12);
                        return 0;
                }
        }
        return -ENOSPC;   /* cannot happen: a directory has fewer entries than tails */
}

/* Exact 8.3 names first, then long names whose upper case is a free 8.3
 * name, then BASIS~N for the rest, each in sorted order: unique within the
 * directory and independent of the order the names were added in. */
static int assign_short_names(struct fat_node *dir)
{
        struct short_set set = {};
        size_t cap = 16;
        while (cap < dir->n_children * 2 + 4)
                cap *= 2;
        set.cap = cap;
        set.names = calloc(cap, sizeof(*set.names));
        if (!set.names)
                return -ENOMEM;

        static const char dot[12] = ".          ", dotdot[12] = "..         ";
        short_set_add(&set, dot);
        short_set_add(&set, dotdot);

        int r = 0;
        for (size_t i = 0; i < dir->n_children; i++)
                if (!dir->children[i]->needs_lfn)
                        short_set_add(&set, dir->children[i]->short_name);
        for (size_t i = 0; i < dir->n_children; i++) {
                struct fat_node *c = dir->children[i];
                if (!c->needs_lfn)
                        continue;
                _cleanup_free_ char *upper = fold_name(c->name);
                if (!upper) {
                        r = -ENOMEM;
                        goto out;
                }
                char cand[12];
                if (fat_name_to_strict_short(upper, cand) && short_set_add(&set, cand))
                        memcpy(c->short_name, cand, 12);
                else
                        c->short_name[0] = 0;
        }
        for (size_t i = 0; i < dir->n_children; i++) {
                struct fat_node *c = dir->children[i];
                if (c->short_name[0] == 0) {
                        r = generate_short_name(&set, c);
                        if (r < 0)
                                goto out;
                }
        }
        for (size_t i = 0; i < dir->n_children; i++)
                if (dir->children[i]->is_dir) {
                        r = assign_short_names(dir->children[i]);
                        if (r < 0)
                                goto out;
                }
out:
        free(set.names);
        return r;
}

/* ---- fat_finish: directories ---- */

static int allocate_directories(struct fat_fs *fs, struct fat_node *dir)
{
        uint32_t need = dir_clusters_needed(fs, dir);
        int r = allocate_clusters(fs, need, &dir->runs, &dir->n_runs);
        if (r < 0)
                return r;
        fs->dir_clusters_pending -= need;
        for (size_t i = 0; i < dir->n_children; i++)
                if (dir->children[i]->is_dir) {
                        r = allocate_directories(fs, dir->children[i]);
                        if (r < 0)
                                return r;
                }
        return 0;
}

static void fat_time(int64_t t, uint16_t *time, uint16_t *date)
{
        time_t tt = (time_t)clamp_time(t);
        struct tm tm;
        gmtime_r(&tt, &tm);
        *time = (uint16_t)(tm.tm_hour << 11 | tm.tm_min << 5 | tm.tm_sec / 2);
        *date = (uint16_t)((tm.tm_year + 1900 - 1980) << 9 | (tm.tm_mon + 1) << 5 | tm.tm_mday);
}

static uint32_t first_cluster(const struct fat_node *n)
{
        return n->n_runs > 0 ? n->runs[0].start : 0;
}

static void put_short_entry(uint8_t *e, const char name[static 11], uint8_t attr, uint32_t cluster,
                            uint32_t size, int64_t mtime)
{
        uint16_t t, d;
        fat_time(mtime, &t, &d);
        memcpy(e, name, 11);
        e[11] = attr;
        put_le16(e + 14, t);       /* creation */
        put_le16(e + 16, d);
        put_le16(e + 18, d);       /* last access */
        put_le16(e + 20, (uint16_t)(cluster >> 16));
        put_le16(e + 22, t);       /* write */
        put_le16(e + 24, d);
        put_le16(e + 26, (uint16_t)cluster);
        put_le32(e + 28, size);
}

static uint16_t lfn_unit(const struct fat_node *n, size_t i)
{
        if (i < n->lfn_len)
                return n->lfn[i];
        return i == n->lfn_len ? 0x0000 : 0xFFFF;      /* terminator, then padding */
}

/* Long-name slots come last-first before the short entry. */
static uint8_t *put_lfn_entries(uint8_t *e, const struct fat_node *n)
{
        static const uint8_t offsets[LFN_UNITS_PER_SLOT] = { 1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30 };
        size_t slots = (n->lfn_len + LFN_UNITS_PER_SLOT - 1) / LFN_UNITS_PER_SLOT;
        uint8_t sum = fat_short_name_checksum(n->short_name);

        for (size_t s = slots; s >= 1; s--, e += DIRENT_SIZE) {
                e[0] = (uint8_t)(s | (s == slots ? LFN_LAST : 0));
                e[11] = ATTR_LFN;
                e[13] = sum;
                for (size_t k = 0; k < LFN_UNITS_PER_SLOT; k++)
                        put_le16(e + offsets[k], lfn_unit(n, (s - 1) * LFN_UNITS_PER_SLOT + k));
        }
        return e;
}

static int write_runs(struct fat_fs *fs, const struct fat_run *runs, size_t n_runs, const uint8_t *buf)
{
        for (size_t i = 0; i < n_runs; i++) {
                size_t len = (size_t)runs[i].len * fs->cluster_size;
                int r = pwrite_all(fs->fd, buf, len, cluster_offset(fs, runs[i].start));
                if (r < 0)
                        return r;
                for (uint32_t k = 0; k < runs[i].len; k++)
                        cluster_set_dirty(fs, runs[i].start + k, true);
                buf += len;
        }
        return 0;
}

static int write_directory(struct fat_fs *fs, struct fat_node *dir)
{
        size_t bytes = (size_t)runs_total(dir->runs, dir->n_runs) * fs->cluster_size;
        _cleanup_free_ uint8_t *buf = calloc(1, bytes);
        if (!buf)
                return -ENOMEM;
        uint8_t *e = buf;

        if (dir == fs->root) {
                if (fs->has_label) {
                        memcpy(e, fs->label_entry, DIRENT_SIZE);
                        e += DIRENT_SIZE;
                }
        } else {
                put_short_entry(e, ".          ", ATTR_DIRECTORY, first_cluster(dir), 0, dir->mtime);
                e += DIRENT_SIZE;
                /* ".." of a first-level directory names the root as cluster 0. */
                put_short_entry(e, "..         ", ATTR_DIRECTORY,
                                dir->parent == fs->root ? 0 : first_cluster(dir->parent), 0, dir->mtime);
                e += DIRENT_SIZE;
        }

        for (size_t i = 0; i < dir->n_children; i++) {
                const struct fat_node *c = dir->children[i];
                if (c->needs_lfn)
                        e = put_lfn_entries(e, c);
                put_short_entry(e, c->short_name, c->is_dir ? ATTR_DIRECTORY : ATTR_ARCHIVE,
                                first_cluster(c), (uint32_t)c->size, c->mtime);
                e += DIRENT_SIZE;
        }

        int r = write_runs(fs, dir->runs, dir->n_runs, buf);
        if (r < 0)
                return r;
        for (size_t i = 0; i < dir->n_children; i++)
                if (dir->children[i]->is_dir) {
                        r = write_directory(fs, dir->children[i]);
                        if (r < 0)
                                return r;
                }
        return 0;
}

static void link_all_chains(struct fat_fs *fs, const struct fat_node *dir)
{
        link_chain(fs, dir->runs, dir->n_runs);
        for (size_t i = 0; i < dir->n_children; i++) {
                const struct fat_node *c = dir->children[i];
                if (c->is_dir)
                        link_all_chains(fs, c);
                else
                        link_chain(fs, c->runs, c->n_runs);
        }
}

static int write_fats(struct fat_fs *fs)
{
        size_t n = (size_t)fs->cluster_count + 2;

        for (uint32_t copy = 0; copy < fs->n_fats; copy++)
                for (size_t done = 0; done < n;) {
                        size_t k = MIN(n - done, IO_BUFFER_SIZE / 4);
                        for (size_t i = 0; i < k; i++)
                                put_le32(fs->buffer + i * 4, fs->fat[done + i]);
                        int r = pwrite_all(fs->fd, fs->buffer, k * 4,
                                           fs->offset + fs->fat_offset + copy * fs->fat_bytes + done * 4);
                        if (r < 0)
                                return r;
                        done += k;
                }
        return 0;
}

static int update_fsinfo_at(struct fat_fs *fs, uint64_t where)
{
        uint8_t s[512];
        int r = pread_all(fs->fd, s, sizeof(s), fs->offset + where);
        if (r < 0)
                return r;

        uint32_t next_free = UINT32_MAX;        /* "unknown": nothing is free */
        for (uint32_t c = 2; c < fs->cluster_count + 2; c++)
                if (fs->fat[c] == 0) {
                        next_free = c;
                        break;
                }
        put_le32(s + 488, fs->free_clusters);
        put_le32(s + 492, next_free);
        return pwrite_all(fs->fd, s, sizeof(s), fs->offset + where);
}

int fat_finish(struct fat_fs *fs)
{
        int r;

        if (fs->finished)
                return log_error(-EINVAL, "FAT file system at byte %llu: already finished",
                                 (unsigned long long)fs->offset);
        fs->finished = true;

        sort_tree(fs->root);

        r = place_files_in_canonical_order(fs);
        if (r < 0)
                return log_error_errno(r, "ESP at byte %llu: cannot put file data in order",
                                       (unsigned long long)fs->offset);
        r = assign_short_names(fs->root);
        if (r < 0)
                return log_error_errno(r, "ESP at byte %llu: cannot generate short names",
                                       (unsigned long long)fs->offset);
        r = allocate_directories(fs, fs->root);
        if (r < 0)
                return log_error_errno(r, "ESP at byte %llu: no room left for the directories",
                                       (unsigned long long)fs->offset);

        link_all_chains(fs, fs->root);

        r = write_directory(fs, fs->root);
        if (r < 0)
                return log_error_errno(r, "ESP at byte %llu: cannot write the directories",
                                       (unsigned long long)fs->offset);
        r = write_fats(fs);
        if (r < 0)
                return log_error_errno(r, "ESP at byte %llu: cannot write the FATs",
                                       (unsigned long long)fs->offset);
        r = update_fsinfo_at(fs, fs->fsinfo_offset);
        if (r >= 0 && fs->backup_fsinfo_offset != 0)
                r = update_fsinfo_at(fs, fs->backup_fsinfo_offset);
        if (r < 0)
                return log_error_errno(r, "ESP at byte %llu: cannot write FSInfo",
                                       (unsigned long long)fs->offset);
        return 0;
}

/* ---- fat_open ---- */

/* The root directory's chain as mkfs.fat left it; it is kept and extended. */
static int load_root_chain(struct fat_fs *fs)
{
        uint32_t c = fs->root_cluster;

        for (uint32_t count = 0;; count++) {
                if (count >= fs->cluster_count)
                        return refuse(fs, "root directory chain loops");
                if ((uint64_t)count * fs->cluster_size >= DIR_MAX_ENTRIES * DIRENT_SIZE)
                        return refuse(fs, "root directory is larger than FAT allows");
                int r = append_run(&fs->root->runs, &fs->root->n_runs, c);
                if (r < 0)
                        return log_error(-ENOMEM, "out of memory");
                fs->root_chain_len++;

                uint32_t next = fs->fat[c] & FAT_ENTRY_MASK;
                if (next >= FAT_EOC_MIN)
                        break;
                if (!cluster_is_valid(fs, next))
                        return refuse(fs, "root directory chain is broken");
                c = next;
        }
        return 0;
}

static int read_root_directory(struct fat_fs *fs)
{
        uint32_t cs = fs->cluster_size;
        struct cluster_cursor cc = { .runs = fs->root->runs };

        for (uint32_t i = 0; i < fs->root_chain_len; i++) {
                uint32_t c = cursor_next(&cc);
                int r = pread_all(fs->fd, fs->buffer, cs, cluster_offset(fs, c));
                if (r < 0)
                        return log_error_errno(r, "cannot read the root directory at byte %llu",
                                               (unsigned long long)fs->offset);
                for (uint32_t off = 0; off < cs; off += DIRENT_SIZE) {
                        const uint8_t *e = fs->buffer + off;
                        if (e[0] == 0)
                                return 0;
                        if (e[0] == 0xE5 || e[11] == ATTR_LFN)
                                continue;
                        if ((e[11] & (ATTR_VOLUME_ID | ATTR_DIRECTORY)) == ATTR_VOLUME_ID && !fs->has_label) {
                                memcpy(fs->label_entry, e, DIRENT_SIZE);
                                fs->has_label = true;
                                continue;
                        }
                        return refuse(fs, "root directory is not empty");
                }
        }
        return 0;
}

int fat_open(int fd, uint64_t offset, uint64_t size, struct fat_fs **ret)
{
        struct fat_fs *fs = calloc(1, sizeof(*fs));
        uint8_t bs[512];
        int r;

        if (!fs)
                return log_error(-ENOMEM, "out of memory");
        fs->fd = fd;
        fs->offset = offset;
        fs->size = size;

        if (offset > UINT64_MAX - size || size < 512) {
                r = refuse(fs, "partition too small");
                goto fail;
        }
        fs->buffer = malloc(IO_BUFFER_SIZE);
        fs->root = calloc(1, sizeof(*fs->root));
        if (!fs->buffer || !fs->root) {
                r = log_error(-ENOMEM, "out of memory");
                goto fail;
        }
        fs->root->is_dir = true;
        fs->root->name = strdup("");
        fs->root->folded = strdup("");
        if (!fs->root->name || !fs->root->folded) {
                r = log_error(-ENOMEM, "out of memory");
                goto fail;
        }

        r = pread_all(fd, bs, sizeof(bs), offset);
        if (r < 0) {
                r = log_error_errno(r, "cannot read the boot sector at byte %llu", (unsigned long long)offset);
                goto fail;
        }
        r = parse_boot_sector(fs, bs);
        if (r >= 0)
                r = check_fsinfo(fs);
        if (r >= 0)
                r = load_fat(fs);
        if (r >= 0)
                r = load_root_chain(fs);
        if (r >= 0)
                r = read_root_directory(fs);
        if (r < 0)
                goto fail;
        fs->root->n_entries = fs->has_label ? 1 : 0;

        *ret = fs;
        return 0;
fail:
        fat_free(fs);
        return r;
}

void fat_free(struct fat_fs *fs)
{
        if (!fs)
                return;
        node_free(fs->root);
        free(fs->fat);
        free(fs->dirty);
        free(fs->buffer);
        free(fs);
}
