/* SPDX-License-Identifier: MIT */
#include "esp/esp.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "base/file.h"
#include "base/log.h"
#include "base/util.h"
#include "content/content.h"
#include "esp/pe.h"
#include "fs/fat.h"

static int64_t clamp(int64_t t, int64_t limit)
{
        return limit >= 0 && t > limit ? limit : t;
}

static void fat_freep(struct fat_fs **fs)
{
        fat_free(*fs);
}

static ssize_t read_content(void *userdata, void *buf, size_t len)
{
        return content_read(userdata, buf, len);
}

/* The removable-media path, as it is spelled on the ESP. */
static void removable_path(const struct esp_request *req, char *buf, size_t len)
{
        snprintf(buf, len, "EFI/BOOT/%s", req->removable_file);
}

/*
 * A bootloader that comes with the tree is checked like one given with
 * --bootloader; FAT names are case-insensitive, so is this match.
 */
static int check_tree_bootloader(const struct esp_request *req, const char *path)
{
        _cleanup_free_ char *full = NULL, *what = NULL;
        _cleanup_close_ int fd = -1;

        if (asprintf(&full, "%s/%s", req->tree, path) < 0 ||
            asprintf(&what, "bootloader %s", full) < 0)
                return log_error(-ENOMEM, "out of memory");
        fd = open(full, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return log_error_errno(-errno, "cannot open %s", full);
        return pe_check_efi_app(fd, what, req->pe_machine, req->pe_magic);
}

static int copy_tree(struct fat_fs *fs, const struct esp_request *req)
{
        _cleanup_content_ struct content *c = NULL;
        const struct content_entry *e;
        char boot_path[64];
        int r;

        removable_path(req, boot_path, sizeof(boot_path));
        r = content_open(req->tree, &c);
        if (r < 0)
                return r;

        while ((r = content_next(c, &e)) > 0) {
                int64_t mtime = clamp(e->mtime, req->clamp_time);

                if (strcmp(e->path, ".") == 0)
                        continue;
                switch (e->type) {
                case CONTENT_DIR:
                        r = fat_mkdir(fs, e->path, mtime);
                        break;
                case CONTENT_REG:
                        if (strcasecmp(e->path, boot_path) == 0) {
                                r = check_tree_bootloader(req, e->path);
                                if (r < 0)
                                        return r;
                        }
                        r = fat_add_stream(fs, e->path, e->size, mtime, read_content, c);
                        break;
                default:
                        /* FAT has no links, devices or FIFOs: following a link could leave the tree. */
                        return log_error(-EINVAL, "--esp-dir %s: %s is not a regular file or directory; FAT can hold only those",
                                         req->tree, e->path);
                }
                if (r < 0)
                        return r;
        }
        return r;
}

static int place_bootloader(struct fat_fs *fs, const struct esp_request *req)
{
        _cleanup_free_ char *what = NULL;
        _cleanup_close_ int fd = -1;
        char boot_path[64];
        struct stat st;
        int r;

        fd = open_regular_file(req->bootloader, O_RDONLY, "bootloader");
        if (fd < 0)
                return fd;
        if (fstat(fd, &st) < 0)
                return log_error_errno(-errno, "cannot stat bootloader %s", req->bootloader);
        if (asprintf(&what, "bootloader %s", req->bootloader) < 0)
                return log_error(-ENOMEM, "out of memory");

        r = pe_check_efi_app(fd, what, req->pe_machine, req->pe_magic);
        if (r < 0)
                return r;

        removable_path(req, boot_path, sizeof(boot_path));
        if (lseek(fd, 0, SEEK_SET) < 0)
                return log_error_errno(-errno, "cannot read bootloader %s", req->bootloader);
        r = fat_add_file(fs, boot_path, fd, (uint64_t)st.st_size, clamp(st.st_mtime, req->clamp_time));
        if (r == -EEXIST)
                return log_error(r, "%s is both in --esp-dir and given with --bootloader: keep one", boot_path);
        return r;
}

static int add_files(struct fat_fs *fs, const struct esp_request *req)
{
        for (size_t i = 0; i < req->n_files; i++) {
                const struct esp_file *f = &req->files[i];
                int64_t mtime = clamp(f->mtime, req->clamp_time);
                int r;

                if (f->fd >= 0) {
                        struct stat st;

                        if (fstat(f->fd, &st) < 0 || lseek(f->fd, 0, SEEK_SET) < 0)
                                return log_error_errno(-errno, "cannot read the file for %s", f->path);
                        r = fat_add_file(fs, f->path, f->fd, (uint64_t)st.st_size, mtime);
                } else
                        r = fat_add_buffer(fs, f->path, f->data, f->size, mtime);
                if (r == -EEXIST && req->tree)
                        return log_error(r, "--esp-dir %s already has %s, which the boot chain writes: remove it there, or pass --bootloader none to keep yours",
                                         req->tree, f->path);
                if (r < 0)
                        return r;
        }
        return 0;
}

int esp_populate(int fd, uint64_t offset, uint64_t size, const struct esp_request *req)
{
        _cleanup_(fat_freep) struct fat_fs *fs = NULL;
        int r;

        r = fat_open(fd, offset, size, &fs);
        if (r < 0)
                return r;
        if (req->tree) {
                r = copy_tree(fs, req);
                if (r < 0)
                        return r;
        }
        if (req->bootloader) {
                r = place_bootloader(fs, req);
                if (r < 0)
                        return r;
        }
        r = add_files(fs, req);
        if (r < 0)
                return r;
        return fat_finish(fs);
}
