/* SPDX-License-Identifier: MIT */
#include "qemu-test/appliance.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "base/util.h"

/* Everything a bundle may hold; nothing else is unpacked. */
static const char *const bundle_files[] = {
        "MANIFEST", "disk.img", "efi-code.fd", "efi-vars.fd", "firmware.json", "libvirt.xml", "run",
};

static bool is_bundle_file(const char *name)
{
        for (size_t i = 0; i < ELEMENTSOF(bundle_files); i++)
                if (strcmp(name, bundle_files[i]) == 0)
                        return true;
        return false;
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

        if (asprintf(&path, "%s/MANIFEST", dir) < 0)
                return log_error_errno(-ENOMEM, "cannot read the bundle %s", dir);
        f = fopen(path, "re");
        if (!f)
                return log_error_errno(-errno, "cannot read %s", path);
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

/* Writes the entry's data blocks at their offsets: holes stay holes. */
static int unpack_entry(struct archive *ar, struct archive_entry *e, int dir_fd, const char *name, const char *what)
{
        _cleanup_close_ int fd = openat(dir_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        const void *buf;
        size_t len;
        la_int64_t offset;
        int k, r;

        if (fd < 0)
                return log_error_errno(-errno, "%s: cannot unpack %s (twice in the archive?)", what, name);
        while ((k = archive_read_data_block(ar, &buf, &len, &offset)) == ARCHIVE_OK) {
                if (offset < 0 || (uint64_t) offset + len > (uint64_t) archive_entry_size(e))
                        return log_error(-EBADMSG, "%s: %s: data beyond the entry's size", what, name);
                r = pwrite_all(fd, buf, len, (uint64_t) offset);
                if (r < 0)
                        return log_error_errno(r, "%s: cannot unpack %s", what, name);
        }
        if (k != ARCHIVE_EOF)
                return log_error(-EBADMSG, "%s: %s: %s", what, name, archive_error_string(ar) ?: "cannot read");
        if (ftruncate(fd, archive_entry_size(e)) < 0)
                return log_error_errno(-errno, "%s: cannot unpack %s", what, name);
        if (strcmp(name, "run") == 0)
                (void) fchmod(fd, 0755);
        return 0;
}

static int unpack(struct archive *ar, struct archive_entry *first, const char *what, const char *dir)
{
        _cleanup_close_ int dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        struct archive_entry *e = first;
        _cleanup_free_ char *top = NULL;
        int k = ARCHIVE_OK, r;

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
                if (archive_entry_filetype(e) != AE_IFREG || !is_bundle_file(slash + 1))
                        return log_error(-EBADMSG, "%s: unexpected entry \"%s\" in a bundle", what, path);
                r = unpack_entry(ar, e, dir_fd, slash + 1, what);
                if (r < 0)
                        return r;
        }
        if (k != ARCHIVE_EOF)
                return log_error(-EBADMSG, "%s: %s", what, archive_error_string(ar) ?: "cannot read the archive");
        return 0;
}

static void remove_unpacked(const char *dir)
{
        _cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

        for (size_t i = 0; i < ELEMENTSOF(bundle_files) && fd >= 0; i++)
                (void) unlinkat(fd, bundle_files[i], 0);
        (void) rmdir(dir);
}

static int open_archive_bundle(const char *path, struct appliance *a)
{
        struct archive *ar = archive_read_new();
        struct archive_entry *e;
        const char *tmp = getenv("TMPDIR");
        int r;

        if (!ar)
                return log_error_errno(-ENOMEM, "cannot read %s", path);
        archive_read_support_filter_all(ar);
        archive_read_support_format_tar(ar);
        /* Not an archive: an image, as before. */
        if (archive_read_open_filename(ar, path, 64 * 1024) != ARCHIVE_OK ||
            archive_read_next_header(ar, &e) != ARCHIVE_OK) {
                archive_read_free(ar);
                return 0;
        }
        if (asprintf(&a->dir, "%s/mkvmimage-boot-bundle.XXXXXX", tmp && *tmp ? tmp : "/tmp") < 0) {
                a->dir = NULL;
                archive_read_free(ar);
                return log_error_errno(-ENOMEM, "cannot unpack %s", path);
        }
        if (!mkdtemp(a->dir)) {
                r = log_error_errno(-errno, "cannot create %s", a->dir);
                free(a->dir);
                a->dir = NULL;
                archive_read_free(ar);
                return r;
        }
        a->unpacked = true;
        r = unpack(ar, e, path, a->dir);
        archive_read_free(ar);
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
