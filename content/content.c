/* SPDX-License-Identifier: MIT */
#include "content/content.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include "base/log.h"
#include "base/util.h"

/* Data is handed out in pieces of this size: large enough for few
 * syscalls, small enough that memory does not grow with file size. */
#define READ_CHUNK (1024 * 1024)

struct dir_level {
        int fd;
        char **names;
        size_t n_names, next;
        char *path;             /* "" for the root */
};

/* (dev, ino) -> first path, for hard links in a directory input. Only
 * files with more than one link go in, so it stays small. */
struct inode_seen {
        dev_t dev;
        ino_t ino;
        char *path;
};

struct content {
        char *source;
        bool is_dir;
        bool override_owner;
        uid_t owner_uid;
        gid_t owner_gid;

        struct content_entry entry;
        char *entry_path;
        char *entry_target;
        struct content_xattr *xattrs;
        size_t n_xattrs, n_xattrs_alloc;
        char *xattr_buf;        /* names and values of a directory entry's xattrs */

        /* archive input */
        struct archive *archive;

        /* directory input */
        char *root;
        struct dir_level *levels;
        size_t n_levels, n_levels_alloc;
        int pending_dir_fd;     /* the directory just reported, entered on the next call */
        bool root_done;
        int file_fd;            /* the regular file just reported */
        struct stat file_st;    /* its stat when opened */
        bool file_checked;      /* found unchanged at the end of its data */
        uint64_t file_pos;
        void *read_buf;
        struct inode_seen *seen;
        size_t n_seen, n_seen_alloc;
};

static void *grow(void *p, size_t *alloc, size_t need, size_t elem)
{
        size_t n = *alloc ? *alloc : 16;
        void *q;

        if (need <= *alloc)
                return p;
        while (n < need)
                n *= 2;
        q = reallocarray(p, n, elem);
        if (q)
                *alloc = n;
        return q;
}

int content_normalize_path(const char *name, char **ret)
{
        _cleanup_free_ char *out = NULL;
        size_t len = 0;
        const char *p = name;

        if (!name || !*name)
                return -EINVAL;
        out = malloc(strlen(name) + 2);
        if (!out)
                return -ENOMEM;

        while (*p) {
                const char *end = strchrnul(p, '/');
                size_t n = (size_t)(end - p);

                if (n == 0 || (n == 1 && p[0] == '.')) {
                        /* empty or "." component: drop */
                } else if (n == 2 && p[0] == '.' && p[1] == '.') {
                        return -EINVAL;
                } else {
                        if (len > 0)
                                out[len++] = '/';
                        memcpy(out + len, p, n);
                        len += n;
                }
                p = *end ? end + 1 : end;
        }
        if (len == 0)
                out[len++] = '.';
        out[len] = 0;
        *ret = out;
        out = NULL;
        return 0;
}

const char *content_source(const struct content *c)
{
        return c->source;
}

void content_set_owner(struct content *c, uid_t uid, gid_t gid)
{
        c->override_owner = true;
        c->owner_uid = uid;
        c->owner_gid = gid;
}

/* Whether the file at path has no bytes at all: a 0-byte file, /dev/null.
 * Only asked after libarchive gave up on it, to say why; a pipe's bytes
 * are gone by then, so only files and devices are asked (non-blocking). */
static bool is_empty_file(const char *path)
{
        _cleanup_close_ int fd = -1;
        struct stat st;
        char byte;

        fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
        if (fd < 0 || fstat(fd, &st) < 0 || !(S_ISREG(st.st_mode) || S_ISCHR(st.st_mode)))
                return false;
        return read(fd, &byte, 1) == 0;
}

/* libarchive's reason for a failure. It has none for some (a file's data
 * cut short at a block boundary), and printf("%s", NULL) is undefined. */
static const char *archive_reason(struct content *c)
{
        return archive_error_string(c->archive) ?: "malformed or truncated archive";
}

static int open_archive(struct content *c)
{
        bool is_stdin = strcmp(c->source, "-") == 0;
        int r;

        c->archive = archive_read_new();
        if (!c->archive)
                return log_error(-ENOMEM, "%s: cannot set up archive reader", c->source);
        archive_read_support_filter_all(c->archive);
        /* Only the formats the documentation promises. With every format,
         * text would be taken as an mtree description (a root holding the
         * text's words as mode-0000 files) and an empty input as an empty
         * archive. */
        archive_read_support_format_tar(c->archive);
        archive_read_support_format_cpio(c->archive);
        archive_read_support_format_zip(c->archive);
        r = archive_read_open_filename(c->archive, is_stdin ? NULL : c->source, READ_CHUNK);
        if (r != ARCHIVE_OK) {
                if (!is_stdin && is_empty_file(c->source))
                        return log_error(-EINVAL, "%s is empty, not an archive (an empty root needs an empty "
                                         "archive, e.g. tar -cf empty.tar -T /dev/null)", c->source);
                return log_error(-EINVAL, "%s: %s: expected a directory or a tar, cpio or zip archive "
                                 "(compressed or not)", is_stdin ? "stdin" : c->source,
                                 archive_reason(c));
        }
        return 0;
}

static int open_directory(struct content *c)
{
        _cleanup_close_ int fd = -1;

        /* The root itself may be reached through a symlink (the user named
         * it); nothing below it is followed. */
        fd = open(c->source, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return log_error_errno(-errno, "cannot open directory %s", c->source);
        c->root = strdup(c->source);
        if (!c->root)
                return -ENOMEM;
        c->pending_dir_fd = fd;
        fd = -1;
        return 0;
}

int content_open(const char *source, struct content **ret)
{
        struct content *c;
        struct stat st;
        int r;

        c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;
        c->pending_dir_fd = -1;
        c->file_fd = -1;
        c->source = strdup(source);
        if (!c->source) {
                content_free(c);
                return -ENOMEM;
        }

        if (strcmp(source, "-") != 0 && stat(source, &st) < 0) {
                r = log_error_errno(-errno, "cannot access %s", source);
                content_free(c);
                return r;
        }
        c->is_dir = strcmp(source, "-") != 0 && S_ISDIR(st.st_mode);
        r = c->is_dir ? open_directory(c) : open_archive(c);
        if (r < 0) {
                content_free(c);
                return r;
        }
        *ret = c;
        return 0;
}

static void reset_entry(struct content *c)
{
        free(c->entry_path);
        c->entry_path = NULL;
        free(c->entry_target);
        c->entry_target = NULL;
        free(c->xattr_buf);
        c->xattr_buf = NULL;
        c->n_xattrs = 0;
        if (c->file_fd >= 0) {
                close(c->file_fd);
                c->file_fd = -1;
        }
        c->file_pos = 0;
        c->file_checked = false;
        memset(&c->entry, 0, sizeof(c->entry));
}

static int add_xattr(struct content *c, const char *name, const void *value, size_t size)
{
        struct content_xattr *x;

        x = grow(c->xattrs, &c->n_xattrs_alloc, c->n_xattrs + 1, sizeof(*x));
        if (!x)
                return -ENOMEM;
        c->xattrs = x;
        c->xattrs[c->n_xattrs++] = (struct content_xattr) { name, value, size };
        return 0;
}

static int compare_xattrs(const void *a, const void *b)
{
        return strcmp(((const struct content_xattr *)a)->name, ((const struct content_xattr *)b)->name);
}

static const char *last_component(const char *path)
{
        const char *s = strrchr(path, '/');

        return s ? s + 1 : path;
}

/* Fields shared by both inputs, once path, type and raw metadata are set. */
static void finish_entry(struct content *c)
{
        c->entry.path = c->entry_path;
        c->entry.name = last_component(c->entry_path);
        c->entry.link_target = c->entry_target;
        /* Sorted so that the same attributes give the same bytes whatever
         * order the source listed them in. */
        if (c->n_xattrs > 1)
                qsort(c->xattrs, c->n_xattrs, sizeof(*c->xattrs), compare_xattrs);
        c->entry.xattrs = c->n_xattrs ? c->xattrs : NULL;
        c->entry.n_xattrs = c->n_xattrs;
        if (c->override_owner) {
                c->entry.uid = c->owner_uid;
                c->entry.gid = c->owner_gid;
        }
}

/* ---- archive input ---- */

static int type_from_mode(mode_t m, enum content_type *ret)
{
        switch (m & S_IFMT) {
        case S_IFDIR: *ret = CONTENT_DIR; return 0;
        case S_IFREG: *ret = CONTENT_REG; return 0;
        case S_IFLNK: *ret = CONTENT_SYMLINK; return 0;
        case S_IFCHR: *ret = CONTENT_CHR; return 0;
        case S_IFBLK: *ret = CONTENT_BLK; return 0;
        case S_IFIFO: *ret = CONTENT_FIFO; return 0;
        case S_IFSOCK: *ret = CONTENT_SOCK; return 0;
        default: return -EINVAL;
        }
}

/* ext4 (and Linux) keep an attribute in one of these namespaces; a pax
 * header (SCHILY.xattr.NAME) may give any name, which would be stored as
 * is and be unreachable from the guest. */
static bool xattr_has_namespace(const char *name)
{
        static const char *const prefixes[] = { "user.", "trusted.", "security.", "system." };

        for (size_t i = 0; i < ELEMENTSOF(prefixes); i++) {
                size_t n = strlen(prefixes[i]);

                if (strncmp(name, prefixes[i], n) == 0 && name[n] != 0)
                        return true;
        }
        return false;
}

/* ext4 and Linux keep 32-bit owners; a pax header may give any number, and
 * a larger one would wrap (gid 2^32 becoming root's 0). */
static int take_archive_owner(struct content *c, struct archive_entry *e, const char *name)
{
        la_int64_t uid = archive_entry_uid(e), gid = archive_entry_gid(e);

        /* Refused even when content_set_owner() replaces them: every
         * reader of the archive (the size estimate, the boot files) must
         * agree on whether it is valid. */
        if (uid < 0 || uid > UINT32_MAX)
                return log_error(-ERANGE, "%s: entry \"%s\": uid %lld does not fit in 32 bits",
                                 c->source, name, (long long)uid);
        if (gid < 0 || gid > UINT32_MAX)
                return log_error(-ERANGE, "%s: entry \"%s\": gid %lld does not fit in 32 bits",
                                 c->source, name, (long long)gid);
        c->entry.uid = (uid_t)uid;
        c->entry.gid = (gid_t)gid;
        return 0;
}

static int read_archive_xattrs(struct content *c, struct archive_entry *e, const char *entry_name)
{
        const char *name;
        const void *value;
        size_t size;
        int r;

        if (archive_entry_xattr_reset(e) == 0)
                return 0;
        while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK) {
                if (!name || !xattr_has_namespace(name))
                        return log_error(-EINVAL, "%s: entry \"%s\": extended attribute \"%s\" has no "
                                         "namespace (user., trusted., security. or system.)", c->source,
                                         entry_name, name ?: "");
                r = add_xattr(c, name, value, size);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int next_archive_entry(struct content *c, const struct content_entry **ret)
{
        struct archive_entry *e;
        const char *name, *hardlink;
        int r;

        r = archive_read_next_header(c->archive, &e);
        if (r == ARCHIVE_EOF)
                return 0;
        if (r < ARCHIVE_WARN)
                return log_error(-EIO, "%s: %s%s%s", c->source, archive_reason(c),
                                 c->entry_path ? " after entry " : "", c->entry_path ?: "");
        if (r == ARCHIVE_WARN)
                log_warn("%s: %s", c->source, archive_reason(c));

        reset_entry(c);
        name = archive_entry_pathname(e);
        if (!name)
                return log_error(-EINVAL, "%s: entry without a name", c->source);
        r = content_normalize_path(name, &c->entry_path);
        if (r < 0)
                return log_error(r, "%s: entry \"%s\": refusing a name with a \"..\" component",
                                 c->source, name);

        hardlink = archive_entry_hardlink(e);
        if (hardlink) {
                c->entry.type = CONTENT_HARDLINK;
                r = content_normalize_path(hardlink, &c->entry_target);
                if (r < 0)
                        return log_error(r, "%s: entry \"%s\": refusing a hard link to \"%s\"",
                                         c->source, name, hardlink);
                if (strcmp(c->entry_target, ".") == 0 || strcmp(c->entry_target, c->entry_path) == 0)
                        return log_error(-EINVAL, "%s: entry \"%s\": hard link to \"%s\"",
                                         c->source, name, hardlink);
        } else {
                r = type_from_mode(archive_entry_filetype(e), &c->entry.type);
                if (r < 0)
                        return log_error(r, "%s: entry \"%s\": unknown file type", c->source, name);
        }
        if (strcmp(c->entry_path, ".") == 0 && c->entry.type != CONTENT_DIR)
                return log_error(-EINVAL, "%s: entry \"%s\": the root must be a directory",
                                 c->source, name);

        if (c->entry.type == CONTENT_SYMLINK) {
                const char *t = archive_entry_symlink(e);

                if (!t || !*t)
                        return log_error(-EINVAL, "%s: entry \"%s\": symlink without a target",
                                         c->source, name);
                c->entry_target = strdup(t);
                if (!c->entry_target)
                        return -ENOMEM;
        }

        c->entry.mode = archive_entry_perm(e) & 07777;
        r = take_archive_owner(c, e, name);
        if (r < 0)
                return r;
        c->entry.mtime = archive_entry_mtime(e);
        c->entry.mtime_nsec = archive_entry_mtime_nsec(e);
        /* Archives often carry only mtime; the other times follow it. */
        if (archive_entry_atime_is_set(e)) {
                c->entry.atime = archive_entry_atime(e);
                c->entry.atime_nsec = archive_entry_atime_nsec(e);
        } else {
                c->entry.atime = c->entry.mtime;
                c->entry.atime_nsec = c->entry.mtime_nsec;
        }
        if (archive_entry_ctime_is_set(e)) {
                c->entry.ctime = archive_entry_ctime(e);
                c->entry.ctime_nsec = archive_entry_ctime_nsec(e);
        } else {
                c->entry.ctime = c->entry.mtime;
                c->entry.ctime_nsec = c->entry.mtime_nsec;
        }
        /* A hard link may carry the data of its group: cpio newc and crc
         * store it with the group's last name only (the names before it
         * have size 0), pax tar may store it with the link. */
        if (c->entry.type == CONTENT_REG || c->entry.type == CONTENT_HARDLINK) {
                if (archive_entry_size(e) < 0)
                        return log_error(-EINVAL, "%s: entry \"%s\": bad size", c->source, name);
                c->entry.size = (uint64_t)archive_entry_size(e);
        }
        if (c->entry.type == CONTENT_CHR || c->entry.type == CONTENT_BLK) {
                c->entry.rdev_major = (unsigned)archive_entry_rdevmajor(e);
                c->entry.rdev_minor = (unsigned)archive_entry_rdevminor(e);
        }
        r = read_archive_xattrs(c, e, name);
        if (r < 0)
                return r;
        finish_entry(c);
        *ret = &c->entry;
        return 1;
}

/* ---- directory input ---- */

static int compare_names(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_names(char **names, size_t n)
{
        for (size_t i = 0; i < n; i++)
                free(names[i]);
        free(names);
}

/* The sorted names of directory fd (consumed). */
static int list_directory(struct content *c, int fd, const char *path, char ***ret, size_t *ret_n)
{
        char **names = NULL;
        size_t n = 0, alloc = 0;
        struct dirent *de;
        DIR *d;
        int r = 0;

        d = fdopendir(fd);
        if (!d) {
                r = -errno;
                close(fd);
                return log_error_errno(r, "%s: cannot read directory %s", c->source, path);
        }
        for (;;) {
                char **q;

                errno = 0;
                de = readdir(d);
                if (!de) {
                        if (errno != 0)
                                r = log_error_errno(-errno, "%s: cannot read directory %s",
                                                    c->source, path);
                        break;
                }
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                q = grow(names, &alloc, n + 1, sizeof(*names));
                if (!q) {
                        r = -ENOMEM;
                        break;
                }
                names = q;
                names[n] = strdup(de->d_name);
                if (!names[n]) {
                        r = -ENOMEM;
                        break;
                }
                n++;
        }
        closedir(d);
        if (r < 0) {
                free_names(names, n);
                return r;
        }
        if (n > 1)
                qsort(names, n, sizeof(*names), compare_names);
        *ret = names;
        *ret_n = n;
        return 0;
}

static int enter_pending_directory(struct content *c)
{
        struct dir_level *l;
        int fd = c->pending_dir_fd, dup_fd, r;

        c->pending_dir_fd = -1;
        l = grow(c->levels, &c->n_levels_alloc, c->n_levels + 1, sizeof(*l));
        if (!l) {
                close(fd);
                return -ENOMEM;
        }
        c->levels = l;
        l = &c->levels[c->n_levels];
        *l = (struct dir_level) { .fd = fd };
        l->path = strdup(strcmp(c->entry_path, ".") == 0 ? "" : c->entry_path);
        if (!l->path) {
                close(fd);
                return -ENOMEM;
        }

        /* fdopendir() takes its descriptor; keep ours for openat(). */
        dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        if (dup_fd < 0) {
                r = -errno;
                close(fd);
                free(l->path);
                return log_error_errno(r, "%s: cannot read directory %s", c->source, c->entry_path);
        }
        r = list_directory(c, dup_fd, c->entry_path, &l->names, &l->n_names);
        if (r < 0) {
                close(fd);
                free(l->path);
                return r;
        }
        c->n_levels++;
        return 0;
}

static void leave_directory(struct content *c)
{
        struct dir_level *l = &c->levels[--c->n_levels];

        close(l->fd);
        free_names(l->names, l->n_names);
        free(l->path);
}

/* xattrs through a descriptor (files, directories) or, for entries that
 * cannot be opened safely (symlinks, devices, FIFOs), through the path
 * without following the last component. */
static ssize_t list_xattrs(int fd, const char *path, char *buf, size_t size)
{
        return fd >= 0 ? flistxattr(fd, buf, size) : llistxattr(path, buf, size);
}

static ssize_t get_xattr(int fd, const char *path, const char *name, void *buf, size_t size)
{
        return fd >= 0 ? fgetxattr(fd, name, buf, size) : lgetxattr(path, name, buf, size);
}

static int read_disk_xattrs(struct content *c, int fd, const char *full_path)
{
        ssize_t list_size, n;
        size_t total, used;
        char *p, *end;
        int r;

        list_size = list_xattrs(fd, full_path, NULL, 0);
        if (list_size < 0) {
                if (errno == ENOTSUP || errno == ENOSYS)
                        return 0;
                return log_error_errno(-errno, "%s: cannot list extended attributes of %s",
                                       c->source, c->entry_path);
        }
        if (list_size == 0)
                return 0;

        /* One buffer for names and values, sized up front, so that the
         * pointers handed out stay valid. */
        c->xattr_buf = malloc((size_t)list_size);
        if (!c->xattr_buf)
                return -ENOMEM;
        list_size = list_xattrs(fd, full_path, c->xattr_buf, (size_t)list_size);
        if (list_size < 0)
                return log_error_errno(-errno, "%s: cannot list extended attributes of %s",
                                       c->source, c->entry_path);
        total = used = (size_t)list_size;
        end = c->xattr_buf + list_size;
        for (p = c->xattr_buf; p < end; p += strlen(p) + 1) {
                n = get_xattr(fd, full_path, p, NULL, 0);
                if (n < 0)
                        return log_error_errno(-errno, "%s: cannot read extended attribute %s of %s",
                                               c->source, p, c->entry_path);
                total += (size_t)n;
        }
        p = realloc(c->xattr_buf, total);
        if (!p)
                return -ENOMEM;
        c->xattr_buf = p;
        end = c->xattr_buf + list_size;
        for (p = c->xattr_buf; p < end; p += strlen(p) + 1) {
                n = get_xattr(fd, full_path, p, c->xattr_buf + used, total - used);
                if (n < 0)
                        return log_error_errno(-errno, "%s: cannot read extended attribute %s of %s",
                                               c->source, p, c->entry_path);
                r = add_xattr(c, p, c->xattr_buf + used, (size_t)n);
                if (r < 0)
                        return r;
                used += (size_t)n;
        }
        return 0;
}

static size_t hash_inode(dev_t dev, ino_t ino)
{
        uint64_t h = ((uint64_t)dev * 0x9E3779B97F4A7C15ULL) ^ ((uint64_t)ino * 0xC2B2AE3D27D4EB4FULL);

        return (size_t)(h ^ (h >> 29));
}

static int grow_seen_table(struct content *c)
{
        size_t n = c->n_seen_alloc ? c->n_seen_alloc * 2 : 64;
        struct inode_seen *t;

        t = calloc(n, sizeof(*t));
        if (!t)
                return -ENOMEM;
        for (size_t i = 0; i < c->n_seen_alloc; i++) {
                struct inode_seen *s = &c->seen[i];
                size_t j;

                if (!s->path)
                        continue;
                for (j = hash_inode(s->dev, s->ino) & (n - 1); t[j].path; j = (j + 1) & (n - 1))
                        ;
                t[j] = *s;
        }
        free(c->seen);
        c->seen = t;
        c->n_seen_alloc = n;
        return 0;
}

/* Open addressing on (dev, ino); the table is a power of two, at most half full. */
static int remember_hard_link(struct content *c, const struct stat *st, bool *ret_link)
{
        size_t mask, i;
        int r;

        if ((c->n_seen + 1) * 2 > c->n_seen_alloc) {
                r = grow_seen_table(c);
                if (r < 0)
                        return r;
        }
        mask = c->n_seen_alloc - 1;
        for (i = hash_inode(st->st_dev, st->st_ino) & mask; c->seen[i].path; i = (i + 1) & mask)
                if (c->seen[i].dev == st->st_dev && c->seen[i].ino == st->st_ino) {
                        c->entry_target = strdup(c->seen[i].path);
                        if (!c->entry_target)
                                return -ENOMEM;
                        *ret_link = true;
                        return 0;
                }
        c->seen[i] = (struct inode_seen) { .dev = st->st_dev, .ino = st->st_ino, .path = strdup(c->entry_path) };
        if (!c->seen[i].path)
                return -ENOMEM;
        c->n_seen++;
        *ret_link = false;
        return 0;
}

static char *full_path_of(struct content *c)
{
        char *s;

        if (asprintf(&s, "%s/%s", c->root, c->entry_path) < 0)
                return NULL;
        return s;
}

static int read_disk_symlink(struct content *c, int dir_fd, const char *name, const struct stat *st)
{
        size_t size = (size_t)st->st_size + 1;
        ssize_t n;

        if (size < 256)
                size = 256;
        for (;;) {
                free(c->entry_target);
                c->entry_target = malloc(size);
                if (!c->entry_target)
                        return -ENOMEM;
                n = readlinkat(dir_fd, name, c->entry_target, size);
                if (n < 0)
                        return log_error_errno(-errno, "%s: cannot read symlink %s", c->source,
                                               c->entry_path);
                if ((size_t)n < size) {
                        c->entry_target[n] = 0;
                        return 0;
                }
                size *= 2;
        }
}

/* A file being written while it is read would be stored as a mix of old
 * and new bytes (or padded with zeros when it shrank): it is an error.
 * What shows it: another inode, size, mtime or ctime. */
static bool file_stat_changed(const struct stat *a, const struct stat *b)
{
        return a->st_dev != b->st_dev || a->st_ino != b->st_ino || a->st_size != b->st_size ||
               a->st_mtim.tv_sec != b->st_mtim.tv_sec || a->st_mtim.tv_nsec != b->st_mtim.tv_nsec ||
               a->st_ctim.tv_sec != b->st_ctim.tv_sec || a->st_ctim.tv_nsec != b->st_ctim.tv_nsec;
}

static int file_changed_error(struct content *c, const struct stat *before, const struct stat *now)
{
        const char *how = before->st_ino != now->st_ino || before->st_dev != now->st_dev ? "was replaced" :
                          now->st_size < before->st_size ? "shrank" :
                          now->st_size > before->st_size ? "grew" : "was modified";

        return log_error(-EIO, "%s: %s %s while being read (size %lld, now %lld bytes); make the image "
                         "when nothing writes to the tree", c->source, c->entry_path, how,
                         (long long)before->st_size, (long long)now->st_size);
}

/* Once the data of the current file has been read to its end: the file
 * must still be as it was when opened. */
static int check_file_unchanged(struct content *c)
{
        struct stat now;

        if (c->file_fd < 0 || c->file_checked)
                return 0;
        if (fstat(c->file_fd, &now) < 0)
                return log_error_errno(-errno, "%s: cannot stat %s", c->source, c->entry_path);
        if (file_stat_changed(&c->file_st, &now))
                return file_changed_error(c, &c->file_st, &now);
        c->file_checked = true;
        return 0;
}

static int describe_disk_entry(struct content *c, int dir_fd, const char *name, const struct stat *st)
{
        _cleanup_free_ char *full = NULL;
        int fd = -1, r;
        bool linked = false;

        r = type_from_mode(st->st_mode, &c->entry.type);
        if (r < 0)
                return log_error(r, "%s: %s: unknown file type", c->source, c->entry_path);

        c->entry.mode = st->st_mode & 07777;
        c->entry.uid = st->st_uid;
        c->entry.gid = st->st_gid;
        c->entry.mtime = st->st_mtim.tv_sec;
        c->entry.mtime_nsec = st->st_mtim.tv_nsec;
        c->entry.atime = st->st_atim.tv_sec;
        c->entry.atime_nsec = st->st_atim.tv_nsec;
        c->entry.ctime = st->st_ctim.tv_sec;
        c->entry.ctime_nsec = st->st_ctim.tv_nsec;

        if (c->entry.type != CONTENT_DIR && st->st_nlink > 1) {
                r = remember_hard_link(c, st, &linked);
                if (r < 0)
                        return r;
                if (linked) {
                        c->entry.type = CONTENT_HARDLINK;
                        return 0;
                }
        }

        switch (c->entry.type) {
        case CONTENT_DIR:
                fd = openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0)
                        return log_error_errno(-errno, "%s: cannot open directory %s", c->source,
                                               c->entry_path);
                c->pending_dir_fd = fd;
                break;
        case CONTENT_REG:
                fd = openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
                if (fd < 0)
                        return log_error_errno(-errno, "%s: cannot open %s", c->source, c->entry_path);
                c->file_fd = fd;
                if (fstat(fd, &c->file_st) < 0)
                        return log_error_errno(-errno, "%s: cannot stat %s", c->source, c->entry_path);
                /* Replaced or written to since it was listed. */
                if (file_stat_changed(st, &c->file_st))
                        return file_changed_error(c, st, &c->file_st);
                c->entry.size = (uint64_t)st->st_size;
                break;
        case CONTENT_SYMLINK:
                r = read_disk_symlink(c, dir_fd, name, st);
                if (r < 0)
                        return r;
                break;
        case CONTENT_CHR:
        case CONTENT_BLK:
                c->entry.rdev_major = major(st->st_rdev);
                c->entry.rdev_minor = minor(st->st_rdev);
                break;
        default:
                break;
        }

        if (fd < 0) {
                full = full_path_of(c);
                if (!full)
                        return -ENOMEM;
        }
        return read_disk_xattrs(c, fd, full);
}

static struct {
        dev_t dev;
        ino_t ino;
} excluded[4];
static size_t n_excluded;

int content_exclude(dev_t dev, ino_t ino)
{
        if (n_excluded == ELEMENTSOF(excluded))
                return -ENOSPC;
        excluded[n_excluded].dev = dev;
        excluded[n_excluded++].ino = ino;
        return 0;
}

static bool is_excluded(const struct stat *st)
{
        for (size_t i = 0; i < n_excluded; i++)
                if (excluded[i].dev == st->st_dev && excluded[i].ino == st->st_ino)
                        return true;
        return false;
}

static int next_directory_entry(struct content *c, const struct content_entry **ret)
{
        struct stat st;
        int r;

        if (!c->root_done) {
                c->root_done = true;
                reset_entry(c);
                c->entry_path = strdup(".");
                if (!c->entry_path)
                        return -ENOMEM;
                if (fstat(c->pending_dir_fd, &st) < 0)
                        return log_error_errno(-errno, "cannot stat %s", c->source);
                c->entry.type = CONTENT_DIR;
                c->entry.mode = st.st_mode & 07777;
                c->entry.uid = st.st_uid;
                c->entry.gid = st.st_gid;
                c->entry.mtime = st.st_mtim.tv_sec;
                c->entry.mtime_nsec = st.st_mtim.tv_nsec;
                c->entry.atime = st.st_atim.tv_sec;
                c->entry.atime_nsec = st.st_atim.tv_nsec;
                c->entry.ctime = st.st_ctim.tv_sec;
                c->entry.ctime_nsec = st.st_ctim.tv_nsec;
                r = read_disk_xattrs(c, c->pending_dir_fd, NULL);
                if (r < 0)
                        return r;
                finish_entry(c);
                *ret = &c->entry;
                return 1;
        }

        if (c->pending_dir_fd >= 0) {
                r = enter_pending_directory(c);
                if (r < 0)
                        return r;
        }
        reset_entry(c);

        while (c->n_levels > 0) {
                struct dir_level *l = &c->levels[c->n_levels - 1];
                const char *name;

                if (l->next >= l->n_names) {
                        leave_directory(c);
                        continue;
                }
                name = l->names[l->next++];
                if (asprintf(&c->entry_path, "%s%s%s", l->path, *l->path ? "/" : "", name) < 0) {
                        c->entry_path = NULL;
                        return -ENOMEM;
                }
                if (fstatat(l->fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        return log_error_errno(-errno, "%s: cannot stat %s", c->source, c->entry_path);
                if (is_excluded(&st)) {
                        free(c->entry_path);
                        c->entry_path = NULL;
                        continue;
                }
                r = describe_disk_entry(c, l->fd, name, &st);
                if (r < 0)
                        return r;
                finish_entry(c);
                *ret = &c->entry;
                return 1;
        }
        return 0;
}

int content_next(struct content *c, const struct content_entry **ret)
{
        return c->is_dir ? next_directory_entry(c, ret) : next_archive_entry(c, ret);
}

/* ---- data ---- */

static int read_disk_block(struct content *c, const void **buf, size_t *len, int64_t *offset)
{
        uint64_t size = c->entry.size;
        off_t data, hole;
        size_t want;
        ssize_t n;
        int r;

        if (c->file_fd < 0)
                return 0;
        if (c->file_pos >= size)
                return check_file_unchanged(c);
        if (!c->read_buf) {
                c->read_buf = malloc(READ_CHUNK);
                if (!c->read_buf)
                        return -ENOMEM;
        }

        data = lseek(c->file_fd, (off_t)c->file_pos, SEEK_DATA);
        if (data < 0) {
                /* Only a hole is left, or the file shrank. */
                if (errno == ENXIO)
                        return check_file_unchanged(c);
                data = (off_t)c->file_pos;
        }
        if ((uint64_t)data >= size)
                return check_file_unchanged(c);
        hole = lseek(c->file_fd, data, SEEK_HOLE);
        if (hole < 0 || (uint64_t)hole > size)
                hole = (off_t)size;
        want = READ_CHUNK;
        if ((uint64_t)(hole - data) < want)
                want = (size_t)(hole - data);
        if (want == 0)
                want = (size_t)(size - (uint64_t)data < READ_CHUNK ? size - (uint64_t)data : READ_CHUNK);

        do
                n = pread(c->file_fd, c->read_buf, want, data);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return log_error_errno(-errno, "%s: cannot read %s", c->source, c->entry_path);
        if (n == 0) {
                r = check_file_unchanged(c);
                return r < 0 ? r : log_error(-EIO, "%s: %s shrank while being read", c->source, c->entry_path);
        }
        c->file_pos = (uint64_t)data + (uint64_t)n;
        *buf = c->read_buf;
        *len = (size_t)n;
        *offset = data;
        return 1;
}

static int read_archive_block(struct content *c, const void **buf, size_t *len, int64_t *offset)
{
        la_int64_t off;
        int r;

        for (;;) {
                r = archive_read_data_block(c->archive, buf, len, &off);
                if (r == ARCHIVE_EOF)
                        return 0;
                if (r < ARCHIVE_WARN)
                        return log_error(-EIO, "%s: entry \"%s\": %s", c->source, c->entry_path,
                                         archive_reason(c));
                if (*len == 0)
                        continue;
                if (off < 0 || (uint64_t)off + *len > c->entry.size)
                        return log_error(-EINVAL, "%s: entry \"%s\": data beyond its size",
                                         c->source, c->entry_path);
                *offset = off;
                return 1;
        }
}

/* Entries that may have data: regular files, and hard links that carry
 * their group's data (archives only; see next_archive_entry()). */
static bool has_data(const struct content *c)
{
        return c->entry.type == CONTENT_REG || (c->entry.type == CONTENT_HARDLINK && c->entry.size > 0);
}

int content_read_block(struct content *c, const void **buf, size_t *len, int64_t *offset)
{
        if (!has_data(c))
                return 0;
        return c->is_dir ? read_disk_block(c, buf, len, offset) : read_archive_block(c, buf, len, offset);
}

ssize_t content_read(struct content *c, void *buf, size_t len)
{
        ssize_t n;
        int r;

        if (!has_data(c))
                return 0;
        if (!c->is_dir) {
                n = archive_read_data(c->archive, buf, len);
                if (n < 0)
                        return log_error(-EIO, "%s: entry \"%s\": %s", c->source, c->entry_path,
                                         archive_reason(c));
                return n;
        }
        if (c->file_pos >= c->entry.size) {
                r = check_file_unchanged(c);
                return r < 0 ? r : 0;
        }
        if (len > c->entry.size - c->file_pos)
                len = (size_t)(c->entry.size - c->file_pos);
        do
                n = pread(c->file_fd, buf, len, (off_t)c->file_pos);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return log_error_errno(-errno, "%s: cannot read %s", c->source, c->entry_path);
        if (n == 0) {
                r = check_file_unchanged(c);
                return r < 0 ? r : log_error(-EIO, "%s: %s shrank while being read", c->source, c->entry_path);
        }
        c->file_pos += (uint64_t)n;
        /* Checked as soon as the last byte is in: a reader that knows the
         * size may not ask for more. */
        if (c->file_pos == c->entry.size) {
                r = check_file_unchanged(c);
                if (r < 0)
                        return r;
        }
        return n;
}

void content_free(struct content *c)
{
        if (!c)
                return;
        reset_entry(c);
        if (c->archive)
                archive_read_free(c->archive);
        while (c->n_levels > 0)
                leave_directory(c);
        free(c->levels);
        if (c->pending_dir_fd >= 0)
                close(c->pending_dir_fd);
        for (size_t i = 0; i < c->n_seen_alloc; i++)
                free(c->seen[i].path);
        free(c->seen);
        free(c->xattrs);
        free(c->read_buf);
        free(c->root);
        free(c->source);
        free(c);
}
