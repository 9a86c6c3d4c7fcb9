/* SPDX-License-Identifier: MIT */
/*
 * Test-only driver for fs/fat.c: fills the FAT32 file system at OFFSET of
 * IMAGE with the tree SRC_DIR, the way the ESP handler will.
 *
 *   fatfill IMAGE OFFSET SIZE SRC_DIR [--order=sorted|reverse|shuffle] [--buffer|--stream]
 *           [--extra=PATH]... [--mkdir=PATH]...
 *
 * --order chooses the order the entries are added in (shuffle uses a fixed
 * seed); --buffer adds files through fat_add_buffer() instead of an fd,
 * --stream through fat_add_stream() with a reader giving short reads;
 * --extra adds a 6-byte file "extra\n" at PATH after the tree, --mkdir a
 * directory (both for names no host file system can hold). --short=PATH,
 * before the tree, adds a file announced as 3 MiB whose reader gives 1 MiB
 * of 0xAB and then ends: that must fail with -EIO and leave nothing behind
 * (its clusters go back to the free space holding that data).
 * On failure prints the error code's text.
 * Prints "free BYTES cluster BYTES" after finishing.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "fs/fat.h"

struct entry {
        char *path;     /* relative to SRC_DIR */
        bool is_dir;
        uint64_t size;
        int64_t mtime;
};

static struct entry *entries;
static size_t n_entries, cap_entries;
static size_t src_len;

static int collect(const char *fpath, const struct stat *st, int type, struct FTW *ftw)
{
        if (ftw->level == 0)
                return 0;
        if (type != FTW_F && type != FTW_D) {
                fprintf(stderr, "fatfill: %s: not a file or directory\n", fpath);
                return -1;
        }
        if (n_entries == cap_entries) {
                cap_entries = cap_entries ? cap_entries * 2 : 256;
                entries = realloc(entries, cap_entries * sizeof(*entries));
                if (!entries)
                        return -1;
        }
        entries[n_entries++] = (struct entry) {
                .path = strdup(fpath + src_len + 1),
                .is_dir = type == FTW_D,
                .size = (uint64_t)st->st_size,
                .mtime = st->st_mtime,
        };
        return 0;
}

static int compare_paths(const void *a, const void *b)
{
        return strcmp(((const struct entry *)a)->path, ((const struct entry *)b)->path);
}

static void reorder(const char *order)
{
        qsort(entries, n_entries, sizeof(*entries), compare_paths);
        if (strcmp(order, "reverse") == 0) {
                for (size_t i = 0; i < n_entries / 2; i++) {
                        struct entry t = entries[i];
                        entries[i] = entries[n_entries - 1 - i];
                        entries[n_entries - 1 - i] = t;
                }
        } else if (strcmp(order, "shuffle") == 0) {
                uint64_t x = 0x9E3779B97F4A7C15ULL;
                for (size_t i = n_entries; i > 1; i--) {
                        x ^= x << 13;
                        x ^= x >> 7;
                        x ^= x << 17;
                        size_t j = (size_t)(x % i);
                        struct entry t = entries[i - 1];
                        entries[i - 1] = entries[j];
                        entries[j] = t;
                }
        }
}

enum via { VIA_FD, VIA_BUFFER, VIA_STREAM };

static ssize_t read_short(void *userdata, void *buf, size_t len)
{
        uint64_t *left = userdata;
        size_t n = len < *left ? len : (size_t)*left;
        memset(buf, 0xAB, n);
        *left -= n;
        return (ssize_t)n;
}

static int add_short(struct fat_fs *fs, const char *path)
{
        uint64_t left = MIB;
        int r = fat_add_stream(fs, path, 3 * MIB, 1600000000, read_short, &left);
        if (r != -EIO) {
                fprintf(stderr, "fatfill: %s: a short source gave %d, expected -EIO\n", path, r);
                return -EPROTO;
        }
        return 0;
}

/* Hands out at most 1000 bytes a call, so the filler must loop. */
static ssize_t read_in_bits(void *userdata, void *buf, size_t len)
{
        ssize_t n = read(*(int *)userdata, buf, len < 1000 ? len : 1000);
        return n < 0 ? -errno : n;
}

static int add_entry(struct fat_fs *fs, const char *src_dir, const struct entry *e, enum via via)
{
        if (e->is_dir)
                return fat_mkdir(fs, e->path, e->mtime);

        _cleanup_free_ char *full = NULL;
        if (asprintf(&full, "%s/%s", src_dir, e->path) < 0)
                return -ENOMEM;
        _cleanup_close_ int fd = open(full, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
                fprintf(stderr, "fatfill: %s: %m\n", full);
                return -errno;
        }
        if (via == VIA_FD)
                return fat_add_file(fs, e->path, fd, e->size, e->mtime);
        if (via == VIA_STREAM)
                return fat_add_stream(fs, e->path, e->size, e->mtime, read_in_bits, &fd);

        _cleanup_free_ uint8_t *data = malloc(e->size + 1);
        if (!data)
                return -ENOMEM;
        int r = pread_all(fd, data, e->size, 0);
        if (r < 0)
                return r;
        return fat_add_buffer(fs, e->path, data, e->size, e->mtime);
}

int main(int argc, char **argv)
{
        const char *order = "sorted";
        enum via via = VIA_FD;
        const char *extras[64], *shorts[64];
        size_t n_shorts = 0;
        bool extra_is_dir[64];
        size_t n_extras = 0;

        if (argc < 5) {
                fprintf(stderr, "usage: fatfill IMAGE OFFSET SIZE SRC_DIR [--order=sorted|reverse|shuffle] [--buffer|--stream] [--extra=PATH] [--mkdir=PATH]\n");
                return 2;
        }
        for (int i = 5; i < argc; i++) {
                if (strncmp(argv[i], "--order=", 8) == 0)
                        order = argv[i] + 8;
                else if (strcmp(argv[i], "--buffer") == 0)
                        via = VIA_BUFFER;
                else if (strcmp(argv[i], "--stream") == 0)
                        via = VIA_STREAM;
                else if (strncmp(argv[i], "--extra=", 8) == 0 && n_extras < 64) {
                        extra_is_dir[n_extras] = false;
                        extras[n_extras++] = argv[i] + 8;
                } else if (strncmp(argv[i], "--mkdir=", 8) == 0 && n_extras < 64) {
                        extra_is_dir[n_extras] = true;
                        extras[n_extras++] = argv[i] + 8;
                } else if (strncmp(argv[i], "--short=", 8) == 0 && n_shorts < 64) {
                        shorts[n_shorts++] = argv[i] + 8;
                } else {
                        fprintf(stderr, "fatfill: unknown option %s\n", argv[i]);
                        return 2;
                }
        }
        uint64_t offset = strtoull(argv[2], NULL, 0);
        uint64_t size = strtoull(argv[3], NULL, 0);
        const char *src_dir = argv[4];
        src_len = strlen(src_dir);

        if (nftw(src_dir, collect, 64, FTW_PHYS) != 0) {
                fprintf(stderr, "fatfill: cannot walk %s\n", src_dir);
                return 1;
        }
        reorder(order);

        _cleanup_close_ int fd = open(argv[1], O_RDWR | O_CLOEXEC);
        if (fd < 0) {
                fprintf(stderr, "fatfill: %s: %m\n", argv[1]);
                return 1;
        }
        struct fat_fs *fs;
        int r = fat_open(fd, offset, size, &fs);
        if (r < 0)
                return 1;
        for (size_t i = 0; i < n_shorts && r >= 0; i++)
                r = add_short(fs, shorts[i]);
        for (size_t i = 0; i < n_entries && r >= 0; i++)
                r = add_entry(fs, src_dir, &entries[i], via);
        for (size_t i = 0; i < n_extras && r >= 0; i++)
                r = extra_is_dir[i] ? fat_mkdir(fs, extras[i], 1600000000) :
                                      fat_add_buffer(fs, extras[i], "extra\n", 6, 1600000000);
        if (r >= 0)
                r = fat_finish(fs);
        if (r >= 0)
                printf("free %" PRIu64 " cluster %" PRIu32 "\n", fat_free_bytes(fs), fat_cluster_size(fs));
        if (r < 0)
                fprintf(stderr, "fatfill: failed: %s\n", strerror(-r));
        fat_free(fs);

        for (size_t i = 0; i < n_entries; i++)
                free(entries[i].path);
        free(entries);
        return r < 0 ? 1 : 0;
}
