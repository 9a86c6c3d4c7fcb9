/* SPDX-License-Identifier: MIT */
#include "esp/bootfiles.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <ftw.h>
#include <inttypes.h>
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
#include "base/size.h"
#include "base/util.h"
#include "content/content.h"

/*
 * What the boot chain can use, as fnmatch() patterns (FNM_PATHNAME): the
 * kernels and initrds (in /boot, and in /usr/lib/modules/VERSION where
 * Debian and Fedora also ship them), systemd-boot and its stub, os-release.
 * GRUB's module directory and the files --kernel/--initrd name are added
 * per run (struct wanted).
 */
static const char *const boot_patterns[] = {
        "boot/vmlinuz", "boot/vmlinuz-*", "boot/initrd.img", "boot/initrd.img-*", "boot/initramfs-*",
        "usr/lib/modules/*/vmlinuz", "usr/lib/modules/*/initrd",
        "lib/modules/*/vmlinuz", "lib/modules/*/initrd",
        "usr/lib/systemd/boot/efi/systemd-boot*.efi", "usr/lib/systemd/boot/efi/linux*.efi.stub",
        "lib/systemd/boot/efi/systemd-boot*.efi", "lib/systemd/boot/efi/linux*.efi.stub",
        "etc/os-release", "usr/lib/os-release",
};
/* What grub-mkimage reads from usr/lib/grub/<format>/. */
static const char *const grub_patterns[] = { "*.mod", "*.lst", "kernel.img", "modinfo.sh" };

/* A bound on the data (holes excluded) taken out in all: a few kernels,
 * initrds and GRUB's modules are far less; a hostile tree cannot fill the disk. */
#define BOOTFILES_MAX_DATA (UINT64_C(16) << 30)

struct wanted {
        char *grub[ELEMENTSOF(grub_patterns)];
        char *literal[2];       /* --kernel and --initrd, normalized; NULL: not given */
};

static void wanted_done(struct wanted *w)
{
        for (size_t i = 0; i < ELEMENTSOF(w->grub); i++)
                free(w->grub[i]);
        for (size_t i = 0; i < ELEMENTSOF(w->literal); i++)
                free(w->literal[i]);
}

static int wanted_init(struct wanted *w, const struct bootfiles_want *want)
{
        const char *literal[2] = { want->kernel, want->initrd };

        *w = (struct wanted) { 0 };
        for (size_t i = 0; i < ELEMENTSOF(grub_patterns); i++)
                if (want->grub_format &&
                    asprintf(&w->grub[i], "usr/lib/grub/%s/%s", want->grub_format, grub_patterns[i]) < 0)
                        return -ENOMEM;
        /* An invalid name (a ".." in it) is left out: the lookup says it is not there. */
        for (size_t i = 0; i < ELEMENTSOF(literal); i++)
                if (literal[i] && content_normalize_path(literal[i], &w->literal[i]) == -ENOMEM)
                        return -ENOMEM;
        return 0;
}

enum match { MATCH_NONE, MATCH_ON_THE_WAY, MATCH_FULL };

/*
 * Whether `path` is what `pattern` names (MATCH_FULL), or a directory (or
 * a symlink standing for one) on the way to it (MATCH_ON_THE_WAY). A
 * literal pattern is compared as it is.
 */
static enum match match_path(const char *pattern, const char *path, bool literal)
{
        size_t n_slashes = 0, cut;
        char prefix[4096];
        bool full;

        for (const char *p = path; *p; p++)
                n_slashes += *p == '/';
        /* The pattern's first components, as many as the path has. */
        cut = 0;
        for (size_t k = 0; pattern[cut]; cut++)
                if (pattern[cut] == '/' && k++ == n_slashes)
                        break;
        if (cut >= sizeof(prefix))
                return MATCH_NONE;
        memcpy(prefix, pattern, cut);
        prefix[cut] = '\0';
        full = pattern[cut] == '\0';
        if (literal ? strcmp(prefix, path) != 0 : fnmatch(prefix, path, FNM_PATHNAME | FNM_PERIOD) != 0)
                return MATCH_NONE;
        return full ? MATCH_FULL : MATCH_ON_THE_WAY;
}

static enum match is_wanted(const struct wanted *w, const char *path)
{
        enum match best = MATCH_NONE, m;

        for (size_t i = 0; best != MATCH_FULL && i < ELEMENTSOF(boot_patterns); i++)
                if ((m = match_path(boot_patterns[i], path, false)) > best)
                        best = m;
        for (size_t i = 0; best != MATCH_FULL && i < ELEMENTSOF(w->grub); i++)
                if (w->grub[i] && (m = match_path(w->grub[i], path, false)) > best)
                        best = m;
        for (size_t i = 0; best != MATCH_FULL && i < ELEMENTSOF(w->literal); i++)
                if (w->literal[i] && (m = match_path(w->literal[i], path, true)) > best)
                        best = m;
        return best;
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

/* State of one extraction. */
struct extraction {
        struct bootfiles *b;
        const char *source;
        struct wanted wanted;
        uint64_t data_bytes;    /* written so far, holes excluded */
        char **pending;         /* hard links (name, target pairs) whose target was not taken */
        size_t n_pending;
        bool second_pass;
};

static void extraction_done(struct extraction *x)
{
        wanted_done(&x->wanted);
        for (size_t i = 0; i < 2 * x->n_pending; i++)
                free(x->pending[i]);
        free(x->pending);
}

static bool all_zero(const uint8_t *p, size_t n)
{
        return n == 0 || (p[0] == 0 && memcmp(p, p + 1, n - 1) == 0);
}

/* Write a block, leaving its all-zero 4 KiB pieces as holes. */
static int write_sparse(struct extraction *x, int fd, const uint8_t *buf, size_t len, uint64_t off)
{
        while (len > 0) {
                size_t n = 4096 - (size_t)(off % 4096);

                if (n > len)
                        n = len;
                if (!all_zero(buf, n)) {
                        int r = pwrite_all(fd, buf, n, off);

                        if (r < 0)
                                return r;
                        x->data_bytes += n;
                }
                buf += n;
                off += n;
                len -= n;
        }
        return 0;
}

/* The entry's data into fd, holes kept, with the entry's time. */
static int write_data(struct extraction *x, struct content *c, int fd, const struct content_entry *e)
{
        const void *buf;
        size_t len;
        int64_t off;
        int r;

        while ((r = content_read_block(c, &buf, &len, &off)) > 0) {
                r = write_sparse(x, fd, buf, len, (uint64_t)off);
                if (r < 0)
                        return r;
                if (x->data_bytes > BOOTFILES_MAX_DATA)
                        return -EFBIG;
        }
        if (r < 0)
                return r;
        /* The holes at the end, too. */
        if (ftruncate(fd, (off_t)e->size) < 0)
                return -errno;
        /* Kept: the ESP copies get the file's own (clamped) time. */
        return futimens(fd, (struct timespec[2]) {
                { .tv_sec = e->mtime, .tv_nsec = e->mtime_nsec },
                { .tv_sec = e->mtime, .tv_nsec = e->mtime_nsec },
        }) < 0 ? -errno : 0;
}

static int extract_file(struct extraction *x, struct content *c, int parent, const char *name,
                        const struct content_entry *e)
{
        _cleanup_close_ int fd = -1;

        (void)unlinkat(parent, name, 0);
        fd = openat(parent, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0)
                return -errno;
        return write_data(x, c, fd, e);
}

/* A hard link carrying its group's data (cpio newc: the last name has it,
 * the names before it, the target included, were extracted empty): the data
 * goes to the target, if it was taken out. */
static int fill_link_target(struct extraction *x, struct content *c, const struct content_entry *e)
{
        _cleanup_close_ int fd = -1;
        int r;

        r = open_in_root(x->b->root_fd, e->link_target, O_WRONLY | O_NOFOLLOW, &fd);
        if (r == -ENOENT)
                return 0;
        return r < 0 ? r : write_data(x, c, fd, e);
}

/* linkat(AT_EMPTY_PATH) needs CAP_DAC_READ_SEARCH; the /proc name does not. */
static int link_fd(int fd, int parent, const char *name)
{
        char proc[64];

        snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
        return linkat(AT_FDCWD, proc, parent, name, AT_SYMLINK_FOLLOW) < 0 ? -errno : 0;
}

static int remember_link(struct extraction *x, const struct content_entry *e)
{
        char **p = realloc(x->pending, (x->n_pending + 1) * 2 * sizeof(*p));

        if (!p)
                return -ENOMEM;
        x->pending = p;
        p[2 * x->n_pending] = strdup(e->path);
        p[2 * x->n_pending + 1] = strdup(e->link_target);
        x->n_pending++;
        return p[2 * x->n_pending - 2] && p[2 * x->n_pending - 1] ? 0 : -ENOMEM;
}

static int make_hardlink(struct extraction *x, struct content *c, int parent, const char *name,
                         const struct content_entry *e)
{
        _cleanup_close_ int target = -1;
        int r;

        r = open_in_root(x->b->root_fd, e->link_target, O_PATH | O_NOFOLLOW, &target);
        /* Its target was not taken, but this name carries the data itself. */
        if (r == -ENOENT && e->size > 0)
                return extract_file(x, c, parent, name, e);
        /* Its target was not wanted (it lies elsewhere): taken in a second pass. */
        if (r == -ENOENT && !x->second_pass)
                return remember_link(x, e);
        if (r < 0)
                return r;
        (void)unlinkat(parent, name, 0);
        r = link_fd(target, parent, name);
        if (r < 0 || e->size == 0)
                return r;
        return fill_link_target(x, c, e);
}

static int extract_entry(struct extraction *x, struct content *c, const struct content_entry *e)
{
        _cleanup_close_ int parent = -1;
        const char *name;
        int r;

        r = open_parent(x->b->root_fd, e->path, &parent, &name);
        if (r < 0)
                return r;
        switch (e->type) {
        case CONTENT_DIR:
                return mkdirat(parent, name, 0755) < 0 && errno != EEXIST ? -errno : 0;
        case CONTENT_REG:
                return extract_file(x, c, parent, name, e);
        case CONTENT_SYMLINK:
                (void)unlinkat(parent, name, 0);
                return symlinkat(e->link_target, parent, name) < 0 ? -errno : 0;
        case CONTENT_HARDLINK:
                return make_hardlink(x, c, parent, name, e);
        default:
                return 0;       /* devices, FIFOs, sockets: nothing a boot chain reads */
        }
}

/* First pass: what is wanted. Directories and symlinks on the way to it
 * come along, since one (lib -> usr/lib) can lead to any of it. */
static bool take_in_first_pass(const struct extraction *x, const struct content_entry *e)
{
        enum match m = is_wanted(&x->wanted, e->path);

        if (m == MATCH_FULL)
                return true;
        return m == MATCH_ON_THE_WAY && (e->type == CONTENT_DIR || e->type == CONTENT_SYMLINK);
}

/* Second pass: the files the pending hard links name. */
static bool take_in_second_pass(const struct extraction *x, const struct content_entry *e)
{
        if (e->type != CONTENT_REG)
                return false;
        for (size_t i = 0; i < x->n_pending; i++)
                if (strcmp(x->pending[2 * i + 1], e->path) == 0)
                        return true;
        return false;
}

/* A boot file the ESP could not hold is refused before anything is copied. */
static int check_size(const struct extraction *x, const struct content_entry *e)
{
        char size[32];

        if (e->type != CONTENT_REG || e->size <= BOOTFILE_MAX_BYTES)
                return 0;
        return log_error(-EFBIG, "%s: /%s is %s, more than a boot file can be (4 GiB - 1, the largest file "
                         "FAT32 can hold on the ESP): remove it from ROOTFS",
                         x->source, e->path, format_size(e->size, size, sizeof(size)));
}

static int extract_pass(struct extraction *x)
{
        _cleanup_content_ struct content *c = NULL;
        const struct content_entry *e;
        int r;

        r = content_open(x->source, &c);
        if (r < 0)
                return r;
        while ((r = content_next(c, &e)) > 0) {
                if (strcmp(e->path, ".") == 0)
                        continue;
                if (!(x->second_pass ? take_in_second_pass(x, e) : take_in_first_pass(x, e))) {
                        /* An unwanted name may still carry a wanted file's data. */
                        if (e->type == CONTENT_HARDLINK && e->size > 0) {
                                r = fill_link_target(x, c, e);
                                if (r < 0)
                                        return log_error_errno(r, "%s: cannot take %s out for the boot chain",
                                                               x->source, e->path);
                        }
                        continue;
                }
                r = check_size(x, e);
                if (r < 0)
                        return r;
                r = extract_entry(x, c, e);
                if (r == -EFBIG && x->data_bytes > BOOTFILES_MAX_DATA)
                        return log_error(r, "%s: the boot files (kernels, initrds, GRUB's modules) hold more than "
                                         "%" PRIu64 " GiB of data, at /%s: remove what is not needed from ROOTFS",
                                         x->source, BOOTFILES_MAX_DATA >> 30, e->path);
                if (r < 0)
                        return log_error_errno(r, "%s: cannot take %s out for the boot chain", x->source, e->path);
        }
        return r;
}

/* Wanted hard links to files that were not: read the source again for them. */
static int extract_pending_links(struct extraction *x)
{
        int r;

        if (x->n_pending == 0)
                return 0;
        x->second_pass = true;
        r = extract_pass(x);
        for (size_t i = 0; r >= 0 && i < x->n_pending; i++) {
                _cleanup_close_ int parent = -1;
                const char *name;

                r = open_parent(x->b->root_fd, x->pending[2 * i], &parent, &name);
                if (r >= 0)
                        r = make_hardlink(x, NULL, parent, name, &(struct content_entry) {
                                .path = x->pending[2 * i], .link_target = x->pending[2 * i + 1] });
                /* A link to nothing the source holds: absent, as its target. */
                if (r == -ENOENT)
                        r = 0;
                if (r < 0)
                        return log_error_errno(r, "%s: cannot take %s out for the boot chain", x->source,
                                               x->pending[2 * i]);
        }
        return r;
}

/* The private directory and its root/ subdirectory. */
static int make_private_dir(const char *near, struct bootfiles *b)
{
        _cleanup_free_ char *copy = strdup(near);
        char *absolute;

        if (!copy || asprintf(&b->dir, "%s/.mkvmimage-boot.XXXXXX", dirname(copy)) < 0)
                return log_error(-ENOMEM, "out of memory");
        if (!mkdtemp(b->dir)) {
                int r = log_error_errno(-errno, "cannot create a temporary directory beside %s", near);

                free(b->dir);
                b->dir = NULL;
                return r;
        }
        /* canonical_path() compares what /proc says of a file with this
         * name, so it must be absolute and free of symlinks as /proc's is
         * (an output path like "disk.img" gives "./.mkvmimage-boot..."). */
        absolute = realpath(b->dir, NULL);
        if (!absolute)
                return log_error_errno(-errno, "cannot resolve %s", b->dir);
        free(b->dir);
        b->dir = absolute;
        b->dir_fd = open(b->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (b->dir_fd < 0)
                return log_error_errno(-errno, "cannot open %s", b->dir);
        if (asprintf(&b->root, "%s/root", b->dir) < 0)
                return log_error(-ENOMEM, "out of memory");
        if (mkdirat(b->dir_fd, "root", 0700) < 0)
                return log_error_errno(-errno, "cannot create %s", b->root);
        b->root_fd = openat(b->dir_fd, "root", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (b->root_fd < 0)
                return log_error_errno(-errno, "cannot open %s", b->root);
        return 0;
}

int bootfiles_extract(const char *source, const char *near, const struct bootfiles_want *want,
                      struct bootfiles *ret)
{
        struct bootfiles b = { .dir_fd = -1, .root_fd = -1 };
        struct extraction x = { .b = &b, .source = source };
        int r;

        r = wanted_init(&x.wanted, want);
        if (r < 0) {
                r = log_error(r, "out of memory");
                goto fail;
        }
        r = make_private_dir(near, &b);
        if (r >= 0)
                r = extract_pass(&x);
        if (r >= 0)
                r = extract_pending_links(&x);
        if (r < 0)
                goto fail;
        extraction_done(&x);
        *ret = b;
        return 0;
fail:
        extraction_done(&x);
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
        /* Nothing was made (a struct only zero-initialized: its fds are 0, not ours). */
        if (!b->dir)
                return;
        if (b->dir_fd >= 0)
                close(b->dir_fd);
        if (b->root_fd >= 0)
                close(b->root_fd);
        b->dir_fd = b->root_fd = -1;
        /* FTW_PHYS: never follow the extracted symlinks. */
        (void)nftw(b->dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
        free(b->dir);
        free(b->root);
        b->dir = b->root = NULL;
}

static int canonical_path(const struct bootfiles *b, int fd, char **ret)
{
        char proc[64], target[4096];
        size_t n = strlen(b->root);
        ssize_t len;

        snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
        len = readlink(proc, target, sizeof(target) - 1);
        if (len < 0)
                return -errno;
        target[len] = '\0';
        if (strncmp(target, b->root, n) != 0 || (target[n] != '/' && target[n] != '\0'))
                return -EXDEV;
        *ret = strdup(target[n] == '/' ? target + n + 1 : "");
        return *ret ? 0 : -ENOMEM;
}

int bootfiles_open(const struct bootfiles *b, const char *path, int *ret_fd, char **ret_canonical)
{
        _cleanup_close_ int fd = -1;
        int r;

        /* O_NONBLOCK: nothing extracted is a FIFO, but an open never waits. */
        r = open_in_root(b->root_fd, path, O_RDONLY | O_NONBLOCK | O_NOCTTY, &fd);
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

/* One entry of a staged directory: a hard link to the regular file it resolves to. */
static int stage_entry(const struct bootfiles *b, const char *path, const char *name, int staged_fd)
{
        _cleanup_free_ char *full = NULL;
        _cleanup_close_ int fd = -1;
        struct stat st;
        int r;

        if (asprintf(&full, "%s/%s", path, name) < 0)
                return log_error(-ENOMEM, "out of memory");
        r = open_in_root(b->root_fd, full, O_PATH, &fd);
        if (r == -ENOENT)
                return log_error(-ENOENT, "/%s: a symlink to nothing the root file system holds (one that "
                                 "leaves it, or a device, FIFO or socket, which are not taken): make it a file", full);
        if (r < 0)
                return log_error_errno(r, "cannot open /%s", full);
        if (fstat(fd, &st) < 0)
                return log_error_errno(-errno, "cannot stat /%s", full);
        if (!S_ISREG(st.st_mode))
                return log_error(-EINVAL, "/%s is not a regular file (once its symlinks are resolved in the "
                                 "root file system): make it a file", full);
        r = link_fd(fd, staged_fd, name);
        if (r < 0)
                return log_error_errno(r, "cannot stage /%s for a tool", full);
        return 0;
}

int bootfiles_stage_dir(const struct bootfiles *b, const char *path, const char *name, char **ret)
{
        _cleanup_close_ int src = -1, staged = -1;
        _cleanup_free_ char *host = NULL;
        struct dirent *de;
        DIR *d;
        int r = 0;

        r = open_in_root(b->root_fd, path, O_RDONLY | O_DIRECTORY, &src);
        if (r < 0)
                return r == -ENOTDIR ? -ENOENT : r;
        if (asprintf(&host, "%s/%s", b->dir, name) < 0)
                return log_error(-ENOMEM, "out of memory");
        if (mkdirat(b->dir_fd, name, 0700) < 0)
                return log_error_errno(-errno, "cannot create %s", host);
        staged = openat(b->dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (staged < 0)
                return log_error_errno(-errno, "cannot open %s", host);
        d = fdopendir(src);
        if (!d)
                return log_error_errno(-errno, "cannot read /%s", path);
        src = -1;
        while (r >= 0 && (errno = 0, de = readdir(d)))
                if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
                        r = stage_entry(b, path, de->d_name, staged);
        if (r >= 0 && errno != 0)
                r = log_error_errno(-errno, "cannot read /%s", path);
        closedir(d);
        if (r < 0)
                return r;
        *ret = host;
        host = NULL;
        return 0;
}
