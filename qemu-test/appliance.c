/* SPDX-License-Identifier: MIT */
#include "qemu-test/appliance.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/file.h"
#include "base/log.h"
#include "base/size.h"
#include "base/util.h"

/*
 * Everything a bundle may hold, with the most each may declare; nothing else
 * is unpacked. The archive is untrusted: a few kilobytes of it may declare
 * any size, so each entry is bounded by its kind (QEMU's virt flash banks
 * are 64 MiB; the text files are a few kilobytes) and holes stay holes.
 */
static const struct {
        const char *name;
        uint64_t max_size;
} bundle_files[] = {
        { "MANIFEST", 1 * MIB },
        { "disk.img", SIZE_IMAGE_MAX },
        { "efi-code.fd", 64 * MIB },
        { "efi-vars.fd", 64 * MIB },
        { "firmware.json", 1 * MIB },
        { "libvirt.xml", 1 * MIB },
        { "run", 1 * MIB },
};

/* Index in bundle_files, or -1. */
static int bundle_file_index(const char *name)
{
        for (size_t i = 0; i < ELEMENTSOF(bundle_files); i++)
                if (strcmp(name, bundle_files[i].name) == 0)
                        return (int) i;
        return -1;
}

/*
 * The unpack directory is removed on SIGINT, SIGTERM and SIGHUP too: the
 * handlers are in place before it exists (armed with the signals blocked),
 * and remove the bundle's files by name, the directory, then die of the
 * signal. mkvmimage-boot's own handlers replace them for the boots, after
 * which appliance_done() cleans up.
 */
static char cleanup_dir[4096];
static volatile sig_atomic_t cleanup_armed;
static const int cleanup_signals[] = { SIGINT, SIGTERM, SIGHUP };

static void on_fatal_signal(int sig)
{
        if (cleanup_armed) {
                int fd = open(cleanup_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

                for (size_t i = 0; i < ELEMENTSOF(bundle_files) && fd >= 0; i++)
                        (void) unlinkat(fd, bundle_files[i].name, 0);
                if (fd >= 0)
                        close(fd);
                (void) rmdir(cleanup_dir);
        }
        signal(sig, SIG_DFL);
        raise(sig);
}

static void install_cleanup_handlers(void)
{
        struct sigaction sa = { .sa_handler = on_fatal_signal }, old;

        /* One cleanup at a time: the others wait while the handler runs. */
        sigemptyset(&sa.sa_mask);
        for (size_t i = 0; i < ELEMENTSOF(cleanup_signals); i++)
                sigaddset(&sa.sa_mask, cleanup_signals[i]);
        for (size_t i = 0; i < ELEMENTSOF(cleanup_signals); i++) {
                /* A signal ignored at start (nohup) stays ignored. */
                if (sigaction(cleanup_signals[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
                        continue;
                (void) sigaction(cleanup_signals[i], &sa, NULL);
        }
}

/* mkdtemp() with the handlers armed for its result, signals blocked between. */
static int make_unpack_dir(char *template)
{
        sigset_t block, old;
        int r = 0;

        if (strlen(template) >= sizeof(cleanup_dir))
                return -ENAMETOOLONG;
        install_cleanup_handlers();
        sigemptyset(&block);
        for (size_t i = 0; i < ELEMENTSOF(cleanup_signals); i++)
                sigaddset(&block, cleanup_signals[i]);
        sigprocmask(SIG_BLOCK, &block, &old);
        if (mkdtemp(template)) {
                memcpy(cleanup_dir, template, strlen(template) + 1);
                cleanup_armed = 1;
        } else
                r = -errno;
        sigprocmask(SIG_SETMASK, &old, NULL);
        return r;
}

static bool file_exists_in(const char *dir, const char *name)
{
        _cleanup_free_ char *p = NULL;
        struct stat st;

        if (asprintf(&p, "%s/%s", dir, name) < 0)
                return false;
        return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* "# mkvmimage appliance bundle NAME (aa64)": the first line of MANIFEST. */
static int arch_from_manifest(const char *dir, const struct arch **ret)
{
        _cleanup_free_ char *path = NULL;
        _cleanup_fclose_ FILE *f = NULL;
        char line[256], *open_paren, *close_paren;
        int r;

        if (asprintf(&path, "%s/MANIFEST", dir) < 0)
                return log_error_errno(-ENOMEM, "cannot read the bundle %s", dir);
        r = fopen_regular_file(path, "bundle manifest", &f);
        if (r < 0)
                return r;
        if (!fgets(line, sizeof(line), f) || strncmp(line, "# mkvmimage appliance bundle ", 29) != 0 ||
            !(open_paren = strrchr(line, '(')) || !(close_paren = strchr(open_paren, ')')))
                return log_error(-EBADMSG, "%s: not a mkvmimage bundle manifest (first line)", path);
        *close_paren = '\0';
        *ret = arch_find(open_paren + 1);
        if (!*ret)
                return log_error(-EBADMSG, "%s: unknown architecture \"%s\"", path, open_paren + 1);
        return 0;
}

static int fill_from_dir(const char *dir, struct appliance *a)
{
        int r;

        r = arch_from_manifest(dir, &a->arch);
        if (r < 0)
                return r;
        if (!file_exists_in(dir, "disk.img") || !file_exists_in(dir, "efi-code.fd"))
                return log_error(-EBADMSG, "bundle %s has no disk.img or efi-code.fd", dir);
        if (asprintf(&a->image, "%s/disk.img", dir) < 0 || asprintf(&a->code, "%s/efi-code.fd", dir) < 0 ||
            (file_exists_in(dir, "efi-vars.fd") && asprintf(&a->vars, "%s/efi-vars.fd", dir) < 0))
                return log_error_errno(-ENOMEM, "cannot read the bundle %s", dir);
        return 0;
}

static bool all_zero(const uint8_t *p, size_t n)
{
        return n == 0 || (p[0] == 0 && memcmp(p, p + 1, n - 1) == 0);
}

/*
 * Writes one data block at offset, leaving its all-zero 4 KiB blocks as
 * holes (the file is new: unwritten is zero): a bundle repacked without
 * --sparse stays as small on disk as its sparse original.
 */
static int write_sparse(int fd, const uint8_t *buf, size_t len, uint64_t offset)
{
        const size_t block = 4096;
        size_t i = 0, run = 0; /* run: start of the pending non-zero bytes */
        int r;

        while (i < len) {
                size_t n = block - (size_t) ((offset + i) % block);

                if (n > len - i)
                        n = len - i;
                if (all_zero(buf + i, n)) {
                        if (run < i) {
                                r = pwrite_all(fd, buf + run, i - run, offset + run);
                                if (r < 0)
                                        return r;
                        }
                        run = i + n;
                }
                i += n;
        }
        return run < len ? pwrite_all(fd, buf + run, len - run, offset + run) : 0;
}

/* Writes the entry's data at its offsets: holes stay holes, nothing past its declared size. */
static int unpack_entry(struct archive *ar, struct archive_entry *e, int dir_fd, int index, const char *what)
{
        const char *name = bundle_files[index].name;
        la_int64_t size = archive_entry_size(e), offset;
        _cleanup_close_ int fd = -1;
        const void *buf;
        size_t len;
        int k, r;

        if (!archive_entry_size_is_set(e) || size < 0 || (uint64_t) size > bundle_files[index].max_size)
                return log_error(-EFBIG, "%s: %s declares %lld bytes, more than a bundle's %s can hold (%" PRIu64 ")",
                                 what, name, (long long) size, name, bundle_files[index].max_size);
        fd = openat(dir_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0)
                return log_error_errno(-errno, "%s: cannot unpack %s (twice in the archive?)", what, name);
        while ((k = archive_read_data_block(ar, &buf, &len, &offset)) == ARCHIVE_OK) {
                if (offset < 0 || (uint64_t) offset > (uint64_t) size || len > (uint64_t) size - (uint64_t) offset)
                        return log_error(-EBADMSG, "%s: %s: data beyond the entry's size", what, name);
                r = write_sparse(fd, buf, len, (uint64_t) offset);
                if (r < 0)
                        return log_error_errno(r, "%s: cannot unpack %s", what, name);
        }
        if (k != ARCHIVE_EOF)
                return log_error(-EBADMSG, "%s: %s: %s", what, name, archive_error_string(ar) ?: "cannot read");
        if (ftruncate(fd, size) < 0)
                return log_error_errno(-errno, "%s: cannot unpack %s", what, name);
        if (strcmp(name, "run") == 0)
                (void) fchmod(fd, 0755);
        return 0;
}

static int unpack(struct archive *ar, struct archive_entry *first, const char *what, const char *dir, unsigned *unpacked)
{
        _cleanup_close_ int dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        struct archive_entry *e = first;
        _cleanup_free_ char *top = NULL;
        int k = ARCHIVE_OK, index, r;

        if (dir_fd < 0)
                return log_error_errno(-errno, "cannot open %s", dir);
        for (; k == ARCHIVE_OK; k = archive_read_next_header(ar, &e)) {
                const char *path = archive_entry_pathname(e), *slash;

                if (!path || !(slash = strchr(path, '/')) || slash == path)
                        return log_error(-EBADMSG, "%s: entry \"%s\" is not inside the bundle's directory", what, path ?: "");
                if (!top && !(top = strndup(path, (size_t) (slash - path))))
                        return log_error_errno(-ENOMEM, "cannot unpack %s", what);
                if (strlen(top) != (size_t) (slash - path) || strncmp(path, top, (size_t) (slash - path)) != 0)
                        return log_error(-EBADMSG, "%s: entry \"%s\" is outside %s/", what, path, top);
                if (archive_entry_filetype(e) == AE_IFDIR && slash[1] == '\0')
                        continue;
                index = bundle_file_index(slash + 1);
                if (archive_entry_filetype(e) != AE_IFREG || index < 0)
                        return log_error(-EBADMSG, "%s: unexpected entry \"%s\" in a bundle", what, path);
                r = unpack_entry(ar, e, dir_fd, index, what);
                if (r < 0)
                        return r;
                *unpacked |= 1u << index;
        }
        if (k != ARCHIVE_EOF)
                return log_error(-EBADMSG, "%s: %s", what, archive_error_string(ar) ?: "cannot read the archive");
        return 0;
}

static void remove_unpacked(const char *dir)
{
        _cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

        for (size_t i = 0; i < ELEMENTSOF(bundle_files) && fd >= 0; i++)
                (void) unlinkat(fd, bundle_files[i].name, 0);
        (void) rmdir(dir);
        cleanup_armed = 0;
}

/*
 * The manifest lists every file it checks ("SHA256  NAME", sha256sum -c):
 * a file the archive carries that MANIFEST does not name was not put there
 * by `mkvmimage bundle`.
 */
static int check_manifest_names(const char *dir, unsigned unpacked, const char *what)
{
        _cleanup_free_ char *path = NULL, *line = NULL;
        _cleanup_fclose_ FILE *f = NULL;
        unsigned listed = 1u << bundle_file_index("MANIFEST");
        size_t size = 0;
        ssize_t n;
        int r;

        if (asprintf(&path, "%s/MANIFEST", dir) < 0)
                return log_error_errno(-ENOMEM, "cannot read %s", what);
        r = fopen_regular_file(path, "bundle manifest", &f);
        if (r < 0)
                return r;
        while ((n = getline(&line, &size, f)) > 0) {
                char *name = strstr(line, "  ");
                int index;

                if (line[0] == '#' || !name)
                        continue;
                name[strcspn(name, "\n")] = '\0';
                index = bundle_file_index(name + 2);
                if (index >= 0)
                        listed |= 1u << index;
        }
        for (size_t i = 0; i < ELEMENTSOF(bundle_files); i++)
                if ((unpacked & ~listed) & (1u << i))
                        return log_error(-EBADMSG, "%s: %s is not in the bundle's MANIFEST", what, bundle_files[i].name);
        return 0;
}

static int open_archive_bundle(const char *path, struct appliance *a)
{
        struct archive *ar = archive_read_new();
        struct archive_entry *e;
        const char *tmp = getenv("TMPDIR");
        _cleanup_close_ int fd = -1;
        unsigned unpacked = 0;
        int r;

        if (!ar)
                return log_error_errno(-ENOMEM, "cannot read %s", path);
        fd = open_regular_file(path, O_RDONLY, "bundle");
        if (fd < 0) {
                archive_read_free(ar);
                return fd;
        }
        archive_read_support_filter_all(ar);
        archive_read_support_format_tar(ar);
        /* Not an archive: an image, as before. */
        if (archive_read_open_fd(ar, fd, 64 * 1024) != ARCHIVE_OK ||
            archive_read_next_header(ar, &e) != ARCHIVE_OK) {
                archive_read_free(ar);
                return 0;
        }
        if (asprintf(&a->dir, "%s/mkvmimage-boot-bundle.XXXXXX", tmp && *tmp ? tmp : "/tmp") < 0) {
                a->dir = NULL;
                archive_read_free(ar);
                return log_error_errno(-ENOMEM, "cannot unpack %s", path);
        }
        r = make_unpack_dir(a->dir);
        if (r < 0) {
                r = log_error_errno(r, "cannot create %s", a->dir);
                free(a->dir);
                a->dir = NULL;
                archive_read_free(ar);
                return r;
        }
        a->unpacked = true;
        r = unpack(ar, e, path, a->dir, &unpacked);
        archive_read_free(ar);
        if (r >= 0)
                r = check_manifest_names(a->dir, unpacked, path);
        if (r >= 0)
                r = fill_from_dir(a->dir, a);
        return r < 0 ? r : 1;
}

int appliance_open(const char *path, struct appliance *ret)
{
        struct appliance a = {};
        struct stat st;
        int r;

        if (stat(path, &st) < 0)
                return 0;   /* the image checks say what is wrong */
        if (S_ISDIR(st.st_mode)) {
                if (!file_exists_in(path, "MANIFEST"))
                        return 0;
                a.dir = strdup(path);
                /* "bundle/" -> "bundle", for tidy paths in messages and logs. */
                for (size_t n = a.dir ? strlen(a.dir) : 0; n > 1 && a.dir[n - 1] == '/'; n--)
                        a.dir[n - 1] = '\0';
                r = a.dir ? fill_from_dir(a.dir, &a) : log_error_errno(-ENOMEM, "cannot read %s", path);
                r = r < 0 ? r : 1;
        } else if (S_ISREG(st.st_mode))
                r = open_archive_bundle(path, &a);
        else
                r = 0;
        if (r <= 0) {
                appliance_done(&a);
                return r;
        }
        *ret = a;
        return 1;
}

void appliance_done(struct appliance *a)
{
        if (a->unpacked && a->dir)
                remove_unpacked(a->dir);
        free(a->dir);
        free(a->image);
        free(a->code);
        free(a->vars);
        *a = (struct appliance) {};
}
