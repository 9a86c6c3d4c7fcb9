/* SPDX-License-Identifier: MIT */
#include "esp/bootfiles.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/log.h"
#include "base/util.h"
#include "content/content.h"

/* What the boot chain may look at; symlinks are taken from everywhere, since
 * one (lib -> usr/lib) can be on the way to any of these. */
static bool is_wanted(const char *path, const char *grub_format)
{
        static const char *const prefixes[] = {
                "boot/",
                "usr/lib/systemd/boot/efi/",
                "lib/systemd/boot/efi/",
                "etc/os-release",
                "usr/lib/os-release",
        };
        char grub[64];

        for (size_t i = 0; i < ELEMENTSOF(prefixes); i++)
                if (strncmp(path, prefixes[i], strlen(prefixes[i])) == 0)
                        return true;
        snprintf(grub, sizeof(grub), "usr/lib/grub/%s/", grub_format);
        return strncmp(path, grub, strlen(grub)) == 0;
}

static int open_in_root(int dir_fd, const char *path, int flags, int *ret)
{
        struct open_how how = {
                .flags = (uint64_t)(flags | O_CLOEXEC),
                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
        };
        long fd;

        fd = syscall(SYS_openat2, dir_fd, *path ? path : ".", &how, sizeof(how));
        if (fd < 0)
                return -errno;
        *ret = (int)fd;
        return 0;
}

/*
 * The directory that will hold `path`, created as needed. Each prefix is
 * resolved from the top inside the root, so a symlink in the archive
 * (boot -> /etc) cannot send a later entry out of it.
 */
static int open_parent(int dir_fd, const char *path, int *ret_fd, const char **ret_name)
{
        const char *slash = strrchr(path, '/');
        _cleanup_free_ char *dirs = NULL;
        _cleanup_close_ int cur = -1;
        char prefix[4096] = "", *save = NULL;
        int r;

        *ret_name = slash ? slash + 1 : path;
        r = open_in_root(dir_fd, "", O_PATH | O_DIRECTORY, &cur);
        if (r < 0 || !slash)
                goto done;
        dirs = strndup(path, (size_t)(slash - path));
        if (!dirs)
                return -ENOMEM;

        for (char *comp = strtok_r(dirs, "/", &save); comp; comp = strtok_r(NULL, "/", &save)) {
                int next = -1;

                if (strlen(prefix) + strlen(comp) + 2 > sizeof(prefix))
                        return -ENAMETOOLONG;
                if (*prefix)
                        strcat(prefix, "/");
                strcat(prefix, comp);
                r = open_in_root(dir_fd, prefix, O_PATH | O_DIRECTORY, &next);
                if (r == -ENOENT) {
                        if (mkdirat(cur, comp, 0755) < 0 && errno != EEXIST)
                                return -errno;
                        r = open_in_root(dir_fd, prefix, O_PATH | O_DIRECTORY, &next);
                }
                if (r < 0)
                        return r;
                close(cur);
                cur = next;
        }
done:
        if (r < 0)
                return r;
        *ret_fd = cur;
        cur = -1;
        return 0;
}

static int write_data(struct content *c, int fd, const struct content_entry *e)
{
        uint64_t off = 0;
        char buf[1 << 16];
        ssize_t n;
        int r;

        while ((n = content_read(c, buf, sizeof(buf))) > 0) {
                r = pwrite_all(fd, buf, (size_t)n, off);
                if (r < 0)
                        return r;
                off += (uint64_t)n;
        }
        if (n < 0)
                return (int)n;
        /* Kept: the ESP copies get the file's own (clamped) time. */
        return futimens(fd, (struct timespec[2]) {
                { .tv_sec = e->mtime, .tv_nsec = e->mtime_nsec },
                { .tv_sec = e->mtime, .tv_nsec = e->mtime_nsec },
        }) < 0 ? -errno : 0;
}

static int extract_file(struct content *c, int parent, const char *name, const struct content_entry *e)
{
        _cleanup_close_ int fd = -1;

        (void)unlinkat(parent, name, 0);
        fd = openat(parent, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0)
                return -errno;
        return write_data(c, fd, e);
}

/* A hard link carrying its group's data (cpio newc: the last name has it,
 * the target was extracted empty): the data goes to the target, if it was
 * extracted. */
static int fill_link_target(struct bootfiles *b, struct content *c, const struct content_entry *e)
{
        _cleanup_close_ int fd = -1;
        int r;

        r = open_in_root(b->dir_fd, e->link_target, O_WRONLY | O_NOFOLLOW, &fd);
        if (r == -ENOENT)
                return 0;
        return r < 0 ? r : write_data(c, fd, e);
}

static int extract_entry(struct bootfiles *b, struct content *c, const struct content_entry *e)
{
        _cleanup_close_ int parent = -1, target = -1;
        const char *name;
        int r;

        r = open_parent(b->dir_fd, e->path, &parent, &name);
        if (r < 0)
                return r;
        switch (e->type) {
        case CONTENT_DIR:
                return mkdirat(parent, name, 0755) < 0 && errno != EEXIST ? -errno : 0;
        case CONTENT_REG:
                return extract_file(c, parent, name, e);
        case CONTENT_SYMLINK:
                (void)unlinkat(parent, name, 0);
                return symlinkat(e->link_target, parent, name) < 0 ? -errno : 0;
        case CONTENT_HARDLINK:
                /* Its target was extracted too if it was wanted; else there is nothing to link. */
                r = open_in_root(b->dir_fd, e->link_target, O_PATH, &target);
                if (r == -ENOENT)
                        return e->size > 0 ? extract_file(c, parent, name, e) : 0;
                if (r < 0)
                        return r;
                (void)unlinkat(parent, name, 0);
                if (linkat(target, "", parent, name, AT_EMPTY_PATH) < 0)
                        return -errno;
                return e->size > 0 ? fill_link_target(b, c, e) : 0;
        default:
                return 0;
        }
}

int bootfiles_extract(const char *source, const char *near, const char *grub_format, struct bootfiles *ret)
{
        _cleanup_content_ struct content *c = NULL;
        _cleanup_free_ char *copy = strdup(near);
        struct bootfiles b = { .dir_fd = -1 };
        const struct content_entry *e;
        char *absolute;
        int r;

        if (!copy || asprintf(&b.dir, "%s/.mkvmimage-boot.XXXXXX", dirname(copy)) < 0)
                return log_error(-ENOMEM, "out of memory");
        if (!mkdtemp(b.dir)) {
                r = log_error_errno(-errno, "cannot create a temporary directory beside %s", near);
                free(b.dir);
                return r;
        }
        /* canonical_path() compares what /proc says of a file with this
         * name, so it must be absolute and free of symlinks as /proc's is
         * (an output path like "disk.img" gives "./.mkvmimage-boot..."). */
        absolute = realpath(b.dir, NULL);
        if (!absolute) {
                r = log_error_errno(-errno, "cannot resolve %s", b.dir);
                goto fail;
        }
        free(b.dir);
        b.dir = absolute;
        b.dir_fd = open(b.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (b.dir_fd < 0) {
                r = log_error_errno(-errno, "cannot open %s", b.dir);
                goto fail;
        }

        r = content_open(source, &c);
        if (r < 0)
                goto fail;
        while ((r = content_next(c, &e)) > 0) {
                if (strcmp(e->path, ".") == 0)
                        continue;
                if (e->type == CONTENT_HARDLINK && e->size > 0 && !is_wanted(e->path, grub_format))
                        r = fill_link_target(&b, c, e);
                else if (e->type != CONTENT_SYMLINK && !is_wanted(e->path, grub_format))
                        continue;
                else
                        r = extract_entry(&b, c, e);
                if (r < 0) {
                        r = log_error_errno(r, "%s: cannot take %s out for the boot chain", source, e->path);
                        goto fail;
                }
        }
        if (r < 0)
                goto fail;
        *ret = b;
        return 0;
fail:
        bootfiles_release(&b);
        return r;
}

static int remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
        (void)st;
        (void)ftw;
        return (type == FTW_DP ? rmdir(path) : unlink(path)) < 0 ? -1 : 0;
}

void bootfiles_release(struct bootfiles *b)
{
        if (b->dir_fd >= 0)
                close(b->dir_fd);
        b->dir_fd = -1;
        if (b->dir) {
                /* FTW_PHYS: never follow the extracted symlinks. */
                (void)nftw(b->dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
                free(b->dir);
                b->dir = NULL;
        }
}

static int canonical_path(const struct bootfiles *b, int fd, char **ret)
{
        char proc[64], target[4096];
        size_t n = strlen(b->dir);
        ssize_t len;

        snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
        len = readlink(proc, target, sizeof(target) - 1);
        if (len < 0)
                return -errno;
        target[len] = '\0';
        if (strncmp(target, b->dir, n) != 0 || (target[n] != '/' && target[n] != '\0'))
                return -EXDEV;
        *ret = strdup(target[n] == '/' ? target + n + 1 : "");
        return *ret ? 0 : -ENOMEM;
}

int bootfiles_open(const struct bootfiles *b, const char *path, int *ret_fd, char **ret_canonical)
{
        _cleanup_close_ int fd = -1;
        int r;

        r = open_in_root(b->dir_fd, path, O_RDONLY, &fd);
        if (r < 0)
                return r;
        if (ret_canonical) {
                r = canonical_path(b, fd, ret_canonical);
                if (r < 0)
                        return r;
        }
        *ret_fd = fd;
        fd = -1;
        return 0;
}

int bootfiles_host_path(const struct bootfiles *b, const char *path, char **ret)
{
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *canonical = NULL;
        int r;

        r = open_in_root(b->dir_fd, path, O_PATH | O_DIRECTORY, &fd);
        if (r < 0)
                return r;
        r = canonical_path(b, fd, &canonical);
        if (r < 0)
                return r;
        return asprintf(ret, "%s/%s", b->dir, canonical) < 0 ? -ENOMEM : 0;
}
