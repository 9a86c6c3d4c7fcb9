/* SPDX-License-Identifier: MIT */
#include "fs/ext4.h"

#include <et/com_err.h>
#include <ext2fs/ext2_fs.h>
#include <ext2fs/ext2fs.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "base/log.h"
#include "base/size.h"
#include "base/spawn.h"
#include "base/util.h"
#include "fs/ext4-dir.h"

extern char **environ;

/* File data is gathered into a window of this size before it is written:
 * one allocation and one large write per window, memory bounded. */
#define DATA_WINDOW (4 * 1024 * 1024)
#define EXT4_NAME_MAX 255
#define EXT4_LINKS_MAX 65000

/* ext4's time range: 32 signed bits of seconds plus two epoch bits
 * (encode_time()). Times outside it would wrap (1901 read back as 2445). */
#define EXT4_TIME_MIN INT64_C(-2147483648)
#define EXT4_TIME_MAX INT64_C(15032385535)
#define EXT4_TIME_RANGE "1901-12-13T20:45:52Z .. 2446-05-10T22:38:55Z"

/* The largest file ext4 holds with 4 KiB blocks: 2^32 - 1 blocks, the
 * kernel's s_maxbytes. A larger i_size makes a corrupt file system. */
#define EXT4_FILE_SIZE_MAX ((UINT64_C(1) << 32) - 1) * EXT4_BLOCK_SIZE

/* A regular file that ext4 cannot hold (whatever the file system's size)
 * is refused before anything is written. `where` names the content. */
static int check_file_size(const char *where, const struct content_entry *e)
{
        if (e->size <= EXT4_FILE_SIZE_MAX)
                return 0;
        return log_error(-EFBIG, "%s: %s: %" PRIu64 " bytes is more than ext4 holds in one file "
                         "(16 TiB - 4 KiB, %" PRIu64 " bytes)", where, e->path, e->size,
                         (uint64_t)EXT4_FILE_SIZE_MAX);
}

/* SOURCE_DATE_EPOCH (-1: none) as ext4 can store it. */
static int64_t storable_clamp_time(int64_t t)
{
        return t > EXT4_TIME_MAX ? EXT4_TIME_MAX : t;
}

/* ---- formatting ---- */

/* What messages call the file system: its name, else where it is (a temporary file, to the user). */
static int describe(const struct ext4_params *p, uint64_t offset, const char *path, char **ret)
{
        if (p->name)
                return asprintf(ret, "%s (ext4)", p->name);
        return asprintf(ret, "ext4 at offset %" PRIu64 " of %s", offset, path);
}

int ext4_format(const char *path, uint64_t offset, uint64_t size, const struct ext4_params *p)
{
        _cleanup_free_ char *ext_opts = NULL, *size_arg = NULL, *inodes_arg = NULL, *fake_time = NULL;
        _cleanup_free_ char *what = NULL;
        /* A user's mke2fs.conf must not change what we make; E2FSPROGS_FAKE_TIME
         * pins the times mke2fs writes when a clamp time is given. */
        const char *env[3] = { "MKE2FS_CONFIG", NULL, NULL };
        const char *argv[32];
        size_t n = 0;

        if (describe(p, offset, path, &what) < 0)
                return -ENOMEM;
        if (offset % 512 != 0)
                return log_error(-EINVAL, "%s: offset is not sector aligned", what);
        size -= size % EXT4_BLOCK_SIZE;
        if (size < 2 * MIB)
                return log_error(-EINVAL, "%s: %" PRIu64 " bytes is too small for ext4", what, size);

        if (asprintf(&ext_opts, "offset=%" PRIu64 ",root_owner=0:0,assume_storage_prezeroed=1%s%s",
                     offset, p->hash_seed ? ",hash_seed=" : "", p->hash_seed ?: "") < 0)
                return -ENOMEM;
        if (asprintf(&size_arg, "%" PRIu64 "k", size / 1024) < 0)
                return -ENOMEM;

        argv[n++] = "mke2fs";
        argv[n++] = "-q";
        argv[n++] = "-F";
        argv[n++] = "-t";
        argv[n++] = "ext4";
        argv[n++] = "-b";
        argv[n++] = "4096";
        argv[n++] = "-I";
        argv[n++] = "256";
        if (p->label) {
                argv[n++] = "-L";
                argv[n++] = p->label;
        }
        if (p->uuid) {
                argv[n++] = "-U";
                argv[n++] = p->uuid;
        }
        if (p->inodes > 0) {
                if (asprintf(&inodes_arg, "%" PRIu64, p->inodes) < 0)
                        return -ENOMEM;
                argv[n++] = "-N";
                argv[n++] = inodes_arg;
        }
        argv[n++] = "-E";
        argv[n++] = ext_opts;
        argv[n++] = path;
        argv[n++] = size_arg;
        argv[n] = NULL;

        if (p->clamp_time >= 0) {
                if (asprintf(&fake_time, "E2FSPROGS_FAKE_TIME=%" PRId64, storable_clamp_time(p->clamp_time)) < 0)
                        return -ENOMEM;
                env[1] = fake_time;
        }
        return spawn_tool(argv, env, "e2fsprogs");
}

/* ---- filling ---- */

/*
 * Directories used recently, by path. Every entry needs the inode of its
 * parent; keeping every path created would cost memory growing with the
 * tree, so this is a small fixed cache (two ways per set, the one used
 * least recently is replaced) and a miss is resolved through the file
 * system itself: one lookup of the last name in the parent, which is
 * itself resolved here first. A directory walk (depth-first, parents
 * first) and a tar made from one keep hitting the same few directories.
 */
#define DIR_CACHE_SETS 2048
#define DIR_CACHE_WAYS 2

struct dir_slot {
        uint64_t hash;          /* of path; 0: empty (the root's slot: unused) */
        uint64_t last_used;
        char *path;
        ext2_ino_t ino;
        /*
         * Every name this directory holds came from us, in strictly
         * increasing strcmp order, the last one being last_name: a larger
         * name cannot be in it, so the usual directory-walk order needs no
         * lookup (a linear scan of the directory) to refuse duplicates.
         */
        bool names_sorted;
        char *last_name;        /* NULL: no name yet */
        size_t last_name_size;  /* allocated */
};

struct filler {
        ext2_filsys fs;
        struct content *content;
        const struct ext4_params *params;
        const char *what;               /* "ext4 at offset N of IMAGE", for messages */
        const struct content_entry *e;  /* the entry being created */

        struct dir_slot root;
        struct dir_slot *dirs;          /* DIR_CACHE_SETS * DIR_CACHE_WAYS */
        uint64_t clock;

        struct ext4_dirs indexed;       /* directories made indexed (fs/ext4-dir.c) */

        char *window;                   /* DATA_WINDOW bytes */
        char *zero_block;

        uint64_t n_entries;
        uint64_t n_clamped;             /* entries with times outside ext4's range */
        char *first_clamped;            /* the first one's path, for the warning */
        uint64_t file_blocks;           /* blocks given to the current file so far */
        bool out_of_space;
};

static uint64_t hash_path(const char *s, size_t len)
{
        uint64_t h = 0xcbf29ce484222325ULL;

        for (size_t i = 0; i < len; i++) {
                h ^= (unsigned char)s[i];
                h *= 0x100000001b3ULL;
        }
        return h ?: 1;
}

static struct dir_slot *dir_cache_set(struct filler *f, uint64_t hash)
{
        return f->dirs + (hash % DIR_CACHE_SETS) * DIR_CACHE_WAYS;
}

static struct dir_slot *find_cached_directory(struct filler *f, const char *path, size_t len)
{
        uint64_t h = hash_path(path, len);
        struct dir_slot *set = dir_cache_set(f, h);

        for (size_t i = 0; i < DIR_CACHE_WAYS; i++) {
                struct dir_slot *s = &set[i];

                if (s->hash == h && strlen(s->path) == len && memcmp(s->path, path, len) == 0) {
                        s->last_used = ++f->clock;
                        return s;
                }
        }
        return NULL;
}

static void clear_slot(struct dir_slot *s)
{
        free(s->path);
        free(s->last_name);
        *s = (struct dir_slot) {};
}

/* names_sorted: the directory was just made, empty. */
static int cache_directory(struct filler *f, const char *path, size_t len, ext2_ino_t ino, bool names_sorted,
                           struct dir_slot **ret)
{
        uint64_t h = hash_path(path, len);
        struct dir_slot *set = dir_cache_set(f, h), *s = &set[0];
        char *p;

        for (size_t i = 1; i < DIR_CACHE_WAYS; i++)
                if (set[i].last_used < s->last_used)
                        s = &set[i];
        p = strndup(path, len);
        if (!p)
                return -ENOMEM;
        clear_slot(s);
        *s = (struct dir_slot) {
                .hash = h, .last_used = ++f->clock, .path = p, .ino = ino, .names_sorted = names_sorted,
        };
        *ret = s;
        return 0;
}

static bool name_may_be_in(const struct dir_slot *dir, const char *name)
{
        /* mke2fs made lost+found in the root. */
        if (dir->ino == EXT2_ROOT_INO && strcmp(name, "lost+found") == 0)
                return true;
        return !dir->names_sorted || (dir->last_name && strcmp(name, dir->last_name) <= 0);
}

/* Called after `name` was added to directory `dir_ino`, whose slot was
 * `dir` when it was resolved (the slot may hold another one by now). */
static void note_name_added(struct dir_slot *dir, ext2_ino_t dir_ino, const char *name)
{
        size_t len = strlen(name);

        if (dir->ino != dir_ino || !dir->names_sorted)
                return;
        if (dir->last_name && strcmp(name, dir->last_name) <= 0) {
                dir->names_sorted = false;
                return;
        }
        if (len + 1 > dir->last_name_size) {
                /* Sized to the names seen: most are short, and the cache
                 * is full of directories done with. */
                size_t size = len + 1 < 32 ? 32 : len + 1;
                char *n = realloc(dir->last_name, size);

                if (!n) {
                        /* Forgetting the order only costs lookups. */
                        dir->names_sorted = false;
                        return;
                }
                dir->last_name = n;
                dir->last_name_size = size;
        }
        memcpy(dir->last_name, name, len + 1);
}

static bool is_space_error(errcode_t err)
{
        return err == EXT2_ET_BLOCK_ALLOC_FAIL || err == EXT2_ET_INODE_ALLOC_FAIL ||
               err == EXT2_ET_DIR_NO_SPACE_FOR_CSUM || err == ENOSPC;
}

/* Log a libext2fs error for the current entry once; running out of space
 * is reported by the caller, which knows the totals. */
static int fs_error(struct filler *f, errcode_t err, const char *doing)
{
        if (is_space_error(err)) {
                f->out_of_space = true;
                return -ENOSPC;
        }
        log_error(-EIO, "%s: %s: %s: %s", f->what, f->e ? f->e->path : "/", doing, error_message(err));
        return (err > 0 && err < 4096) ? -(int)err : -EIO;
}

/* 1 and *ret set: `name` is in directory `dir`; 0: it is not. */
static int find_in_directory(struct filler *f, const struct dir_slot *dir, const char *name, ext2_ino_t *ret)
{
        errcode_t err;

        if (!name_may_be_in(dir, name))
                return 0;
        err = ext4_dir_lookup(f->fs, dir->ino, name, ret);
        if (err == EXT2_ET_FILE_NOT_FOUND)
                return 0;
        return err ? fs_error(f, err, "looking up a name") : 1;
}

static int is_directory(struct filler *f, ext2_ino_t ino, bool *ret)
{
        struct ext2_inode inode;
        errcode_t err;

        /* Set on the error path too: the compiler cannot see that
         * fs_error() is negative, and would warn that callers may read
         * *ret uninitialized (-O2 with Debian's default build flags). */
        *ret = false;
        err = ext2fs_read_inode(f->fs, ino, &inode);
        if (err)
                return fs_error(f, err, "reading an inode");
        *ret = LINUX_S_ISDIR(inode.i_mode);
        return 0;
}

static int64_t clamp_time(const struct filler *f, int64_t t, long *nsec)
{
        if (f->params->clamp_time >= 0 && t > f->params->clamp_time) {
                *nsec = 0;
                return f->params->clamp_time;
        }
        return t;
}

/* t, or the nearest time ext4 can store (*clamped set, nsec dropped). */
static int64_t time_in_range(int64_t t, long *nsec, bool *clamped)
{
        if (t >= EXT4_TIME_MIN && t <= EXT4_TIME_MAX)
                return t;
        *clamped = true;
        *nsec = 0;
        return t < EXT4_TIME_MIN ? EXT4_TIME_MIN : EXT4_TIME_MAX;
}

/* Counted, and the first named: one warning at the end, not one per entry. */
static void note_clamped(struct filler *f, const char *path)
{
        if (f->n_clamped++ == 0)
                f->first_clamped = strdup(path);
}

static void warn_clamped(const struct filler *f)
{
        if (f->n_clamped == 0)
                return;
        log_warn("%s: %" PRIu64 " entr%s with times outside ext4's range (" EXT4_TIME_RANGE
                 "), stored as the nearest time in it; the first: %s", f->what, f->n_clamped,
                 f->n_clamped == 1 ? "y" : "ies", f->first_clamped ?: "?");
}

/* ext4 stores seconds as 32 bits plus two epoch bits in the _extra field,
 * beside the nanoseconds. sec is within [EXT4_TIME_MIN, EXT4_TIME_MAX]. */
static void encode_time(int64_t sec, long nsec, __u32 *lo, __u32 *extra)
{
        *lo = (__u32)sec;
        *extra = (__u32)(((sec - (int32_t)sec) >> 32) & 3) | ((__u32)nsec << 2);
}

static void set_inode_metadata(struct filler *f, struct ext2_inode_large *inode, const struct content_entry *e)
{
        long mn = e->mtime_nsec, an = e->atime_nsec, cn = e->ctime_nsec;
        int64_t m = clamp_time(f, e->mtime, &mn), a = clamp_time(f, e->atime, &an);
        int64_t c = clamp_time(f, e->ctime, &cn);
        bool clamped = false;

        /* Reproducible builds: atime and ctime differ between a tree and
         * its tarball (reading the tree, or packing it, touches them), so
         * atime follows mtime and ctime is the image's creation time. */
        if (f->params->clamp_time >= 0) {
                a = m;
                an = mn;
                c = f->params->clamp_time;
                cn = 0;
        }
        m = time_in_range(m, &mn, &clamped);
        a = time_in_range(a, &an, &clamped);
        c = time_in_range(c, &cn, &clamped);
        if (clamped)
                note_clamped(f, e->path);
        inode->i_mode = (__u16)((inode->i_mode & LINUX_S_IFMT) | (e->mode & 07777));
        inode->i_uid = (__u16)e->uid;
        ext2fs_set_i_uid_high(*inode, e->uid >> 16);
        inode->i_gid = (__u16)e->gid;
        ext2fs_set_i_gid_high(*inode, e->gid >> 16);
        encode_time(m, mn, &inode->i_mtime, &inode->i_mtime_extra);
        encode_time(a, an, &inode->i_atime, &inode->i_atime_extra);
        encode_time(c, cn, &inode->i_ctime, &inode->i_ctime_extra);
        /* Creation time is when the image is made: the clamp time if any. */
        encode_time(f->params->clamp_time >= 0 ? f->params->clamp_time : storable_clamp_time(time(NULL)), 0,
                    &inode->i_crtime, &inode->i_crtime_extra);
}

/* Inodes are handled whole (EXT2_INODE_SIZE bytes) so that the large
 * fields (nanoseconds, creation time) and the in-inode xattr area are
 * written too. */
static int read_inode(struct filler *f, ext2_ino_t ino, struct ext2_inode_large *buf)
{
        errcode_t err = ext2fs_read_inode_full(f->fs, ino, (struct ext2_inode *)buf, EXT2_INODE_SIZE(f->fs->super));

        return err ? fs_error(f, err, "reading inode") : 0;
}

static int write_inode(struct filler *f, ext2_ino_t ino, struct ext2_inode_large *buf)
{
        errcode_t err = ext2fs_write_inode_full(f->fs, ino, (struct ext2_inode *)buf, EXT2_INODE_SIZE(f->fs->super));

        return err ? fs_error(f, err, "writing inode") : 0;
}

static struct ext2_inode_large *new_inode_buffer(struct filler *f)
{
        struct ext2_inode_large *inode = calloc(1, EXT2_INODE_SIZE(f->fs->super));

        if (inode && EXT2_INODE_SIZE(f->fs->super) > EXT2_GOOD_OLD_INODE_SIZE)
                inode->i_extra_isize = sizeof(struct ext2_inode_large) - EXT2_GOOD_OLD_INODE_SIZE;
        return inode;
}

static int file_type_of(enum content_type t)
{
        switch (t) {
        case CONTENT_DIR: return EXT2_FT_DIR;
        case CONTENT_REG: return EXT2_FT_REG_FILE;
        case CONTENT_SYMLINK: return EXT2_FT_SYMLINK;
        case CONTENT_CHR: return EXT2_FT_CHRDEV;
        case CONTENT_BLK: return EXT2_FT_BLKDEV;
        case CONTENT_FIFO: return EXT2_FT_FIFO;
        case CONTENT_SOCK: return EXT2_FT_SOCK;
        default: return EXT2_FT_UNKNOWN;
        }
}

static int file_type_of_mode(__u16 mode)
{
        switch (mode & LINUX_S_IFMT) {
        case LINUX_S_IFREG: return EXT2_FT_REG_FILE;
        case LINUX_S_IFLNK: return EXT2_FT_SYMLINK;
        case LINUX_S_IFCHR: return EXT2_FT_CHRDEV;
        case LINUX_S_IFBLK: return EXT2_FT_BLKDEV;
        case LINUX_S_IFIFO: return EXT2_FT_FIFO;
        case LINUX_S_IFSOCK: return EXT2_FT_SOCK;
        default: return EXT2_FT_UNKNOWN;
        }
}

static __u16 mode_type_of(enum content_type t)
{
        switch (t) {
        case CONTENT_DIR: return LINUX_S_IFDIR;
        case CONTENT_REG: return LINUX_S_IFREG;
        case CONTENT_SYMLINK: return LINUX_S_IFLNK;
        case CONTENT_CHR: return LINUX_S_IFCHR;
        case CONTENT_BLK: return LINUX_S_IFBLK;
        case CONTENT_FIFO: return LINUX_S_IFIFO;
        default: return LINUX_S_IFSOCK;
        }
}

/* Full directories grow, large ones are indexed (fs/ext4-dir.c). The
 * caller has made sure the name is not there yet. */
static int link_into(struct filler *f, ext2_ino_t parent, const char *name, ext2_ino_t ino, int ftype)
{
        errcode_t err = ext4_dir_link(f->fs, &f->indexed, parent, name, ino, ftype);

        return err ? fs_error(f, err, "adding the directory entry") : 0;
}

static int allocate_inode(struct filler *f, ext2_ino_t parent, __u16 mode, ext2_ino_t *ret)
{
        errcode_t err = ext2fs_new_inode(f->fs, parent, mode, NULL, ret);

        return err ? fs_error(f, err, "allocating an inode") : 0;
}

static int set_xattrs(struct filler *f, ext2_ino_t ino, const struct content_entry *e)
{
        struct ext2_xattr_handle *h = NULL;
        errcode_t err;
        int r = 0;

        if (e->n_xattrs == 0)
                return 0;
        for (size_t i = 0; i < e->n_xattrs; i++) {
                const char *n = e->xattrs[i].name;

                /* "system.data" is ext4's inline-data store, not an
                 * attribute an archive may set. */
                if (strncmp(n, "system.", 7) == 0 && strcmp(n, "system.posix_acl_access") != 0 &&
                    strcmp(n, "system.posix_acl_default") != 0)
                        return log_error(-EINVAL, "%s: %s: refusing extended attribute %s", f->what,
                                         e->path, n);
        }

        err = ext2fs_xattrs_open(f->fs, ino, &h);
        if (err)
                return fs_error(f, err, "opening extended attributes");
        err = ext2fs_xattrs_read(h);
        if (err)
                r = fs_error(f, err, "reading extended attributes");
        for (size_t i = 0; r == 0 && i < e->n_xattrs; i++) {
                err = ext2fs_xattr_set(h, e->xattrs[i].name, e->xattrs[i].value, e->xattrs[i].size);
                if (err) {
                        if (err == EXT2_ET_EA_NO_SPACE)
                                log_error(-ENOSPC, "%s: %s: extended attribute %s: %s", f->what,
                                          e->path, e->xattrs[i].name, error_message(err));
                        r = err == EXT2_ET_EA_NO_SPACE ? -E2BIG : fs_error(f, err, "setting an extended attribute");
                }
        }
        err = ext2fs_xattrs_close(&h);
        if (err && r == 0)
                r = fs_error(f, err, "writing extended attributes");
        return r;
}

/* ---- regular file data ---- */

/* Map [lblk, lblk + n) to new blocks and write data there, in as few and
 * as large writes as the allocation allows. */
static int write_blocks(struct filler *f, ext2_ino_t ino, struct ext2_inode *inode, blk64_t lblk,
                        blk64_t n, const char *data)
{
        ext2_extent_handle_t h = NULL;
        errcode_t err;
        int r = 0;

        err = ext2fs_fallocate(f->fs, EXT2_FALLOCATE_FORCE_INIT, ino, inode, ~0ULL, lblk, n);
        if (err)
                return fs_error(f, err, "allocating blocks");
        f->file_blocks += n;

        err = ext2fs_extent_open2(f->fs, ino, inode, &h);
        if (err)
                return fs_error(f, err, "opening the extent tree");
        while (n > 0) {
                struct ext2fs_extent ext;
                blk64_t count;

                err = ext2fs_extent_goto(h, lblk);
                if (!err)
                        err = ext2fs_extent_get(h, EXT2_EXTENT_CURRENT, &ext);
                if (err) {
                        r = fs_error(f, err, "reading the extent tree");
                        break;
                }
                if (lblk < ext.e_lblk || lblk >= ext.e_lblk + ext.e_len) {
                        r = log_error(-EIO, "%s: %s: block %llu not mapped after allocation", f->what,
                                      f->e->path, (unsigned long long)lblk);
                        break;
                }
                count = ext.e_lblk + ext.e_len - lblk;
                if (count > n)
                        count = n;
                err = io_channel_write_blk64(f->fs->io, ext.e_pblk + (lblk - ext.e_lblk), (int)count, data);
                if (err) {
                        r = fs_error(f, err, "writing data");
                        break;
                }
                lblk += count;
                n -= count;
                data += count * EXT4_BLOCK_SIZE;
        }
        ext2fs_extent_free(h);
        return r;
}

/* Write the window's non-zero blocks; all-zero blocks stay holes. */
static int flush_window(struct filler *f, ext2_ino_t ino, struct ext2_inode *inode, uint64_t start, size_t used)
{
        size_t nblocks = (used + EXT4_BLOCK_SIZE - 1) / EXT4_BLOCK_SIZE, b = 0;
        blk64_t first = start / EXT4_BLOCK_SIZE;
        int r;

        while (b < nblocks) {
                size_t run;

                if (memcmp(f->window + b * EXT4_BLOCK_SIZE, f->zero_block, EXT4_BLOCK_SIZE) == 0) {
                        b++;
                        continue;
                }
                for (run = 1; b + run < nblocks; run++)
                        if (memcmp(f->window + (b + run) * EXT4_BLOCK_SIZE, f->zero_block, EXT4_BLOCK_SIZE) == 0)
                                break;
                r = write_blocks(f, ino, inode, first + b, run, f->window + b * EXT4_BLOCK_SIZE);
                if (r < 0)
                        return r;
                b += run;
        }
        memset(f->window, 0, nblocks * EXT4_BLOCK_SIZE);
        return 0;
}

static int write_file_data(struct filler *f, ext2_ino_t ino, struct ext2_inode *inode)
{
        uint64_t start = 0, end = 0;    /* window covers [start, start + DATA_WINDOW) */
        size_t used = 0;
        int r;

        for (;;) {
                const void *buf;
                const char *p;
                size_t len;
                int64_t off;

                r = content_read_block(f->content, &buf, &len, &off);
                if (r < 0)
                        return r;
                if (r == 0)
                        break;
                if ((uint64_t)off < end)
                        return log_error(-EINVAL, "%s: %s: data blocks out of order", f->what, f->e->path);
                if ((uint64_t)off + len > f->e->size || (uint64_t)off + len > (uint64_t)1 << 44)
                        return log_error(-EFBIG, "%s: %s: data beyond the file size or ext4's limit",
                                         f->what, f->e->path);
                p = buf;
                while (len > 0) {
                        size_t n;

                        if ((uint64_t)off >= start + DATA_WINDOW) {
                                r = flush_window(f, ino, inode, start, used);
                                if (r < 0)
                                        return r;
                                start = (uint64_t)off - (uint64_t)off % EXT4_BLOCK_SIZE;
                                used = 0;
                        }
                        n = (size_t)(start + DATA_WINDOW - (uint64_t)off);
                        if (n > len)
                                n = len;
                        memcpy(f->window + ((uint64_t)off - start), p, n);
                        off += (int64_t)n;
                        p += n;
                        len -= n;
                        used = (size_t)((uint64_t)off - start);
                        end = (uint64_t)off;
                }
        }
        return used > 0 ? flush_window(f, ino, inode, start, used) : 0;
}

/* ---- entries ---- */

/*
 * A new inode for e, named in its parent: allocated near it, linked and
 * counted; *ret_inode (the caller fills it further and writes it) has e's
 * type, one link and e's metadata.
 */
static int new_named_inode(struct filler *f, ext2_ino_t parent, const struct content_entry *e,
                           ext2_ino_t *ret_ino, struct ext2_inode_large **ret_inode)
{
        struct ext2_inode_large *inode;
        ext2_ino_t ino;
        int r;

        r = allocate_inode(f, parent, mode_type_of(e->type), &ino);
        if (r < 0)
                return r;
        r = link_into(f, parent, e->name, ino, file_type_of(e->type));
        if (r < 0)
                return r;
        ext2fs_inode_alloc_stats2(f->fs, ino, +1, 0);

        inode = new_inode_buffer(f);
        if (!inode)
                return -ENOMEM;
        inode->i_mode = mode_type_of(e->type);
        inode->i_links_count = 1;
        set_inode_metadata(f, inode, e);
        *ret_ino = ino;
        *ret_inode = inode;
        return 0;
}

static int create_regular(struct filler *f, ext2_ino_t parent, const struct content_entry *e)
{
        _cleanup_free_ struct ext2_inode_large *inode = NULL;
        ext2_extent_handle_t h;
        ext2_ino_t ino;
        errcode_t err;
        int r;

        f->file_blocks = 0;
        r = check_file_size(f->what, e);
        if (r < 0)
                return r;
        r = new_named_inode(f, parent, e, &ino, &inode);
        if (r < 0)
                return r;
        if (ext2fs_has_feature_extents(f->fs->super)) {
                /* Opening the extent tree of an empty inode writes its header. */
                err = ext2fs_extent_open2(f->fs, ino, (struct ext2_inode *)inode, &h);
                if (err)
                        return fs_error(f, err, "creating the extent tree");
                ext2fs_extent_free(h);
        }
        r = write_inode(f, ino, inode);
        if (r < 0)
                return r;

        r = write_file_data(f, ino, (struct ext2_inode *)inode);
        if (r < 0)
                return r;
        err = ext2fs_inode_size_set(f->fs, (struct ext2_inode *)inode, e->size);
        if (err)
                return fs_error(f, err, "setting the size");
        r = write_inode(f, ino, inode);
        if (r < 0)
                return r;
        return set_xattrs(f, ino, e);
}

/* An inode that exists already takes the entry's metadata and xattrs: a
 * directory (the root, lost+found, one made for a child listed before it,
 * or just made) or a symlink ext2fs_symlink() has just made. */
static int take_metadata(struct filler *f, ext2_ino_t ino, const struct content_entry *e)
{
        _cleanup_free_ struct ext2_inode_large *inode = NULL;
        int r;

        inode = new_inode_buffer(f);
        if (!inode)
                return -ENOMEM;
        r = read_inode(f, ino, inode);
        if (r < 0)
                return r;
        set_inode_metadata(f, inode, e);
        r = write_inode(f, ino, inode);
        if (r < 0)
                return r;
        return set_xattrs(f, ino, e);
}

static int make_directory(struct filler *f, ext2_ino_t parent, const char *name, ext2_ino_t *ret)
{
        ext2_ino_t ino;
        errcode_t err;
        int r;

        r = allocate_inode(f, parent, LINUX_S_IFDIR, &ino);
        if (r < 0)
                return r;
        /* Without a name: ext2fs_mkdir() would look it up and link it by
         * scanning the parent; the caller has looked it up already, and
         * link_into() inserts through the parent's index. */
        err = ext2fs_mkdir(f->fs, parent, ino, NULL);
        if (err)
                return fs_error(f, err, "creating the directory");
        r = link_into(f, parent, name, ino, EXT2_FT_DIR);
        if (r < 0)
                return r;
        *ret = ino;
        return 0;
}

static int create_directory(struct filler *f, ext2_ino_t parent, const struct content_entry *e)
{
        struct dir_slot *slot;
        ext2_ino_t ino;
        int r;

        r = make_directory(f, parent, e->name, &ino);
        if (r < 0)
                return r;
        r = cache_directory(f, e->path, strlen(e->path), ino, true, &slot);
        if (r < 0)
                return r;
        return take_metadata(f, ino, e);
}

static int create_symlink(struct filler *f, ext2_ino_t parent, const struct content_entry *e)
{
        ext2_ino_t ino;
        errcode_t err;
        int r;

        if (strlen(e->link_target) >= EXT4_BLOCK_SIZE)
                return log_error(-ENAMETOOLONG, "%s: %s: symlink target longer than %d bytes", f->what,
                                 e->path, EXT4_BLOCK_SIZE - 1);
        r = allocate_inode(f, parent, LINUX_S_IFLNK, &ino);
        if (r < 0)
                return r;
        /* Linked by us, as in make_directory(). */
        err = ext2fs_symlink(f->fs, parent, ino, NULL, e->link_target);
        if (err)
                return fs_error(f, err, "creating the symlink");
        r = link_into(f, parent, e->name, ino, EXT2_FT_SYMLINK);
        if (r < 0)
                return r;
        return take_metadata(f, ino, e);
}

/* Devices, FIFOs and sockets: an inode and a name, no data. */
static int create_special(struct filler *f, ext2_ino_t parent, const struct content_entry *e)
{
        _cleanup_free_ struct ext2_inode_large *inode = NULL;
        ext2_ino_t ino;
        int r;

        r = new_named_inode(f, parent, e, &ino, &inode);
        if (r < 0)
                return r;
        if (e->type == CONTENT_CHR || e->type == CONTENT_BLK) {
                unsigned ma = e->rdev_major, mi = e->rdev_minor;

                /* The kernel's old (8:8) encoding when it fits, else the
                 * new one (12 bits major, 20 bits minor). */
                if (ma < 256 && mi < 256) {
                        inode->i_block[0] = ma * 256 + mi;
                } else {
                        if (ma > 0xfff || mi > 0xfffff)
                                return log_error(-ERANGE, "%s: %s: device number %u:%u too large",
                                                 f->what, e->path, ma, mi);
                        inode->i_block[1] = (mi & 0xff) | (ma << 8) | ((mi & ~0xffu) << 12);
                }
        }
        r = write_inode(f, ino, inode);
        if (r < 0)
                return r;
        return set_xattrs(f, ino, e);
}

/*
 * A hard link that carries data (cpio newc and crc: the group's last name
 * holds it, the target was made empty; pax tar): the target takes it if it
 * has none. Old cpio repeats the data with every name: the target has it
 * already, and a different size is an error.
 */
static int fill_hard_link_target(struct filler *f, ext2_ino_t target, const struct content_entry *e)
{
        _cleanup_free_ struct ext2_inode_large *inode = NULL;
        uint64_t size;
        errcode_t err;
        int r;

        inode = new_inode_buffer(f);
        if (!inode)
                return -ENOMEM;
        r = read_inode(f, target, inode);
        if (r < 0)
                return r;
        if (!LINUX_S_ISREG(inode->i_mode))
                return log_error(-EINVAL, "%s: %s: hard link with data to \"%s\", which is not a regular file",
                                 f->what, e->path, e->link_target);
        size = EXT2_I_SIZE(inode);
        if (size == e->size)
                return 0;
        if (size != 0)
                return log_error(-EINVAL, "%s: %s: hard link with %" PRIu64 " bytes of data to \"%s\", "
                                 "which has %" PRIu64, f->what, e->path, e->size, e->link_target, size);
        r = check_file_size(f->what, e);
        if (r < 0)
                return r;

        f->file_blocks = 0;
        r = write_file_data(f, target, (struct ext2_inode *)inode);
        if (r < 0)
                return r;
        err = ext2fs_inode_size_set(f->fs, (struct ext2_inode *)inode, e->size);
        if (err)
                return fs_error(f, err, "setting the size");
        return write_inode(f, target, inode);
}

static int create_hard_link(struct filler *f, ext2_ino_t parent, const struct content_entry *e)
{
        struct ext2_inode inode;
        ext2_ino_t target;
        errcode_t err;
        int r;

        err = ext2fs_namei(f->fs, EXT2_ROOT_INO, EXT2_ROOT_INO, e->link_target, &target);
        if (err == EXT2_ET_FILE_NOT_FOUND || err == EXT2_ET_NO_DIRECTORY)
                return log_error(-ENOENT, "%s: %s: hard link to \"%s\", which is not (yet) in the content",
                                 f->what, e->path, e->link_target);
        if (err)
                return fs_error(f, err, "looking up the hard link target");
        err = ext2fs_read_inode(f->fs, target, &inode);
        if (err)
                return fs_error(f, err, "reading the hard link target");
        if (LINUX_S_ISDIR(inode.i_mode))
                return log_error(-EISDIR, "%s: %s: hard link to directory \"%s\"", f->what, e->path,
                                 e->link_target);
        if (inode.i_links_count >= EXT4_LINKS_MAX)
                return log_error(-EMLINK, "%s: %s: too many links to \"%s\"", f->what, e->path, e->link_target);

        r = link_into(f, parent, e->name, target, file_type_of_mode(inode.i_mode));
        if (r < 0)
                return r;
        inode.i_links_count++;
        err = ext2fs_write_inode(f->fs, target, &inode);
        if (err)
                return fs_error(f, err, "updating the link count");
        return e->size > 0 ? fill_hard_link_target(f, target, e) : 0;
}

/* Metadata of a directory an archive implies without listing it: root's,
 * 0755, the clamp time. */
static int set_implied_directory_metadata(struct filler *f, ext2_ino_t ino)
{
        struct content_entry implied = {
                .path = f->e->path, .type = CONTENT_DIR, .mode = 0755,
                .mtime = f->params->clamp_time >= 0 ? f->params->clamp_time : f->e->mtime,
        };

        implied.atime = implied.ctime = implied.mtime;
        return take_metadata(f, ino, &implied);
}

/* The directory `path` (len bytes), from the cache, else found in the
 * file system, else created (mode 0755, root-owned) for archives that
 * list a child before, or without, its parent. */
static int ensure_directory(struct filler *f, const char *path, size_t len, struct dir_slot **ret)
{
        _cleanup_free_ char *name = NULL;
        struct dir_slot *parent;
        ext2_ino_t parent_ino, ino;
        const char *slash;
        bool is_dir;
        int r;

        if (len == 0) {
                *ret = &f->root;
                return 0;
        }
        *ret = find_cached_directory(f, path, len);
        if (*ret)
                return 0;

        slash = memrchr(path, '/', len);
        r = ensure_directory(f, path, slash ? (size_t)(slash - path) : 0, &parent);
        if (r < 0)
                return r;
        parent_ino = parent->ino;
        name = strndup(slash ? slash + 1 : path, len - (slash ? (size_t)(slash + 1 - path) : 0));
        if (!name)
                return -ENOMEM;
        if (strlen(name) > EXT4_NAME_MAX)
                return log_error(-ENAMETOOLONG, "%s: %s: name longer than %d bytes", f->what, f->e->path,
                                 EXT4_NAME_MAX);

        r = find_in_directory(f, parent, name, &ino);
        if (r < 0)
                return r;
        if (r > 0) {
                r = is_directory(f, ino, &is_dir);
                if (r < 0)
                        return r;
                if (!is_dir)
                        return log_error(-ENOTDIR, "%s: %s: \"%.*s\" is not a directory", f->what,
                                         f->e->path, (int)len, path);
                /* Made earlier (or by mke2fs): which names it holds is unknown. */
                return cache_directory(f, path, len, ino, false, ret);
        }

        r = make_directory(f, parent_ino, name, &ino);
        if (r < 0)
                return r;
        note_name_added(parent, parent_ino, name);
        r = set_implied_directory_metadata(f, ino);
        if (r < 0)
                return r;
        return cache_directory(f, path, len, ino, true, ret);
}

static int create_entry(struct filler *f, const struct content_entry *e)
{
        struct dir_slot *parent;
        ext2_ino_t parent_ino, ino;
        const char *slash;
        bool is_dir;
        int r;

        f->e = e;
        if (strcmp(e->path, ".") == 0)
                return take_metadata(f, EXT2_ROOT_INO, e);
        if (strlen(e->name) > EXT4_NAME_MAX)
                return log_error(-ENAMETOOLONG, "%s: %s: name longer than %d bytes", f->what, e->path,
                                 EXT4_NAME_MAX);

        slash = strrchr(e->path, '/');
        r = ensure_directory(f, e->path, slash ? (size_t)(slash - e->path) : 0, &parent);
        if (r < 0)
                return r;
        parent_ino = parent->ino;

        r = find_in_directory(f, parent, e->name, &ino);
        if (r < 0)
                return r;
        if (r > 0) {
                /* A directory made for a child listed before it, or lost+found. */
                r = e->type == CONTENT_DIR ? is_directory(f, ino, &is_dir) : 0;
                if (r < 0)
                        return r;
                if (e->type == CONTENT_DIR && is_dir)
                        return take_metadata(f, ino, e);
                return log_error(-EEXIST, "%s: %s: listed twice in %s", f->what, e->path,
                                 content_source(f->content));
        }

        switch (e->type) {
        case CONTENT_DIR:
                r = create_directory(f, parent_ino, e);
                break;
        case CONTENT_REG:
                r = create_regular(f, parent_ino, e);
                break;
        case CONTENT_SYMLINK:
                r = create_symlink(f, parent_ino, e);
                break;
        case CONTENT_HARDLINK:
                r = create_hard_link(f, parent_ino, e);
                break;
        default:
                r = create_special(f, parent_ino, e);
                break;
        }
        if (r < 0)
                return r;
        note_name_added(parent, parent_ino, e->name);
        return 0;
}

/* After running out of space: read the rest of the content to say how
 * much the whole of it needs. */
static int report_out_of_space(struct filler *f, const struct content_entry *e)
{
        uint64_t bs = EXT4_BLOCK_SIZE, blocks, inodes, entries = f->n_entries;
        uint64_t used = ext2fs_blocks_count(f->fs->super) - ext2fs_free_blocks_count(f->fs->super);
        uint64_t need = used - f->file_blocks;
        /* The entry goes away with the next content_next(). */
        _cleanup_free_ char *where = strdup(e ? e->path : "?");

        if (!where)
                return -ENOMEM;
        if (e && (e->type == CONTENT_REG || e->type == CONTENT_HARDLINK))
                need += (e->size + bs - 1) / bs;
        for (;;) {
                const struct content_entry *n;

                if (content_next(f->content, &n) <= 0)
                        break;
                entries++;
                if (n->type == CONTENT_REG || n->type == CONTENT_HARDLINK)
                        need += (n->size + bs - 1) / bs;
                else if (n->type == CONTENT_DIR)
                        need++;
        }
        blocks = ext2fs_blocks_count(f->fs->super);
        inodes = f->fs->super->s_inodes_count;
        if (f->fs->super->s_free_inodes_count == 0 || entries > inodes)
                return log_error(-ENOSPC, "%s: out of inodes at %s: the content has %" PRIu64
                                 " entries, the file system %" PRIu64 " inodes; give it more inodes or size",
                                 f->what, where, entries, inodes);
        return log_error(-ENOSPC, "%s: content does not fit (full at %s): it needs at least %" PRIu64
                         " MiB of blocks, the file system has %" PRIu64 " MiB in all; make it larger",
                         f->what, where, (need * bs + MIB - 1) / MIB, blocks * bs / MIB);
}

static void free_filler(struct filler *f)
{
        for (size_t i = 0; f->dirs && i < DIR_CACHE_SETS * DIR_CACHE_WAYS; i++)
                clear_slot(&f->dirs[i]);
        free(f->dirs);
        clear_slot(&f->root);
        ext4_dirs_free(&f->indexed);
        free(f->first_clamped);
        free(f->window);
        free(f->zero_block);
}

static int count_root_name(struct ext2_dir_entry *d, int offset, int blocksize, char *buf, void *userdata)
{
        int len = ext2fs_dirent_name_len(d);
        bool *only_lost_found = userdata;

        (void)offset, (void)blocksize, (void)buf;
        if (!((len == 1 && d->name[0] == '.') || (len == 2 && memcmp(d->name, "..", 2) == 0) ||
              (len == 10 && memcmp(d->name, "lost+found", 10) == 0)))
                *only_lost_found = false;
        return 0;
}

/* The root as mke2fs made it holds nothing but lost+found (which
 * name_may_be_in() knows): it starts with its names in order. Anything
 * else there makes every name in the root a lookup. */
static int start_root(struct filler *f)
{
        bool only_lost_found = true;
        errcode_t err;

        err = ext2fs_dir_iterate(f->fs, EXT2_ROOT_INO, 0, NULL, count_root_name, &only_lost_found);
        if (err)
                return fs_error(f, err, "reading the root directory");
        f->root = (struct dir_slot) { .ino = EXT2_ROOT_INO, .names_sorted = only_lost_found };
        return 0;
}

static int fill_entries(struct filler *f)
{
        int r;

        r = start_root(f);
        if (r < 0)
                return r;
        for (;;) {
                const struct content_entry *e;

                r = content_next(f->content, &e);
                if (r < 0)
                        return r;
                if (r == 0)
                        return 0;
                f->n_entries++;
                r = create_entry(f, e);
                if (r == -ENOSPC && f->out_of_space)
                        return report_out_of_space(f, e);
                if (r < 0)
                        return r;
        }
}

int ext4_fill(const char *path, uint64_t offset, struct content *c, const struct ext4_params *p)
{
        _cleanup_free_ char *what = NULL, *io_opts = NULL;
        struct ext4_params params = *p;
        struct filler f = { .content = c, .params = &params };
        ext2_filsys fs = NULL;
        errcode_t err;
        int r;

        /* Every time is clamped to the clamp time: ext4 must store it. */
        params.clamp_time = storable_clamp_time(p->clamp_time);
        if (describe(p, offset, path, &what) < 0)
                return -ENOMEM;
        if (asprintf(&io_opts, "offset=%" PRIu64, offset) < 0)
                return -ENOMEM;
        f.what = what;

        initialize_ext2_error_table();
        err = ext2fs_open2(path, io_opts, EXT2_FLAG_RW | EXT2_FLAG_64BITS, 0, 0, unix_io_manager, &fs);
        if (err)
                return log_error(-EIO, "%s: cannot open: %s", what, error_message(err));
        f.fs = fs;
        if (fs->blocksize != EXT4_BLOCK_SIZE) {
                ext2fs_free(fs);
                return log_error(-EINVAL, "%s: block size %u, expected %d", what, fs->blocksize, EXT4_BLOCK_SIZE);
        }
        /* libext2fs stamps new inodes and the superblock with fs->now. */
        if (params.clamp_time >= 0)
                fs->now = (time_t)params.clamp_time;

        err = ext2fs_read_bitmaps(fs);
        if (err) {
                ext2fs_free(fs);
                return log_error(-EIO, "%s: cannot read bitmaps: %s", what, error_message(err));
        }

        f.window = aligned_alloc(EXT4_BLOCK_SIZE, DATA_WINDOW);
        f.zero_block = calloc(1, EXT4_BLOCK_SIZE);
        f.dirs = calloc(DIR_CACHE_SETS * DIR_CACHE_WAYS, sizeof(*f.dirs));
        if (!f.window || !f.zero_block || !f.dirs) {
                free_filler(&f);
                ext2fs_free(fs);
                return -ENOMEM;
        }
        memset(f.window, 0, DATA_WINDOW);

        if (params.clamp_time != p->clamp_time)
                log_warn("%s: SOURCE_DATE_EPOCH %" PRId64 " is after ext4's last time, 2446-05-10T22:38:55Z: "
                         "that is stored instead", what, p->clamp_time);
        r = fill_entries(&f);
        if (r >= 0)
                warn_clamped(&f);
        if (r >= 0) {
                err = ext4_dirs_finish(fs, &f.indexed);
                if (err)
                        r = log_error(-EIO, "%s: cannot tidy indexed directories: %s", what, error_message(err));
        }
        free_filler(&f);
        if (r < 0) {
                ext2fs_free(fs);
                return r;
        }
        err = ext2fs_close_free(&fs);
        if (err)
                return log_error(-EIO, "%s: cannot write file system metadata: %s", what, error_message(err));
        return 0;
}

/* ---- estimate ---- */

static uint64_t xattr_bytes(const struct content_entry *e)
{
        uint64_t n = 0;

        for (size_t i = 0; i < e->n_xattrs; i++)
                n += 16 + round_up(strlen(e->xattrs[i].name), 4) + round_up(e->xattrs[i].size, 4);
        return n;
}

/* How many of base^1, base^2, ... are below n: a handful of steps. */
static uint64_t powers_below(uint64_t base, uint64_t n)
{
        uint64_t count = 0;

        for (uint64_t p = base; p < n; p *= base) {
                count++;
                if (p > UINT64_MAX / base)
                        break;
        }
        return count;
}

/* Groups holding a superblock backup under sparse_super: 0, 1 and the
 * powers of 3, 5 and 7, counted without visiting every group. */
static uint64_t backup_groups(uint64_t groups)
{
        return (groups < 2 ? groups : 2) + powers_below(3, groups) + powers_below(5, groups) +
               powers_below(7, groups);
}

/* Extent-tree blocks of a file of `blocks` blocks: an extent maps at most
 * 32768 blocks, the inode holds 4, a tree block 340 (entries or indexes). */
static uint64_t extent_tree_blocks(uint64_t blocks)
{
        uint64_t entries = blocks / 32768 + (blocks % 32768 != 0), tree = 0;

        while (entries > 4) {
                entries = entries / 340 + (entries % 340 != 0);
                tree += entries;
        }
        return tree;
}

/* Blocks mke2fs spends on metadata in a file system of `blocks` blocks. */
static uint64_t overhead_blocks(uint64_t blocks, uint64_t inodes)
{
        uint64_t bs = EXT4_BLOCK_SIZE, per_group = bs * 8, groups = (blocks + per_group - 1) / per_group;
        uint64_t gdt = (groups * 64 + bs - 1) / bs, reserved_gdt = 1024, backups = backup_groups(groups);
        int journal = ext2fs_default_journal_size(blocks);

        return (journal > 0 ? (uint64_t)journal : 0) + (inodes * 256 + bs - 1) / bs + groups * 2 +
               backups * (1 + gdt + reserved_gdt);
}

static int content_too_large(const char *source)
{
        return log_error(-EFBIG, "%s: the content would need a file system larger than 8 EiB, the most an image file holds",
                         source);
}

int ext4_estimate(const char *source, uint64_t headroom_percent, uint64_t *ret_bytes, uint64_t *ret_inodes)
{
        _cleanup_content_ struct content *c = NULL;
        uint64_t bs = EXT4_BLOCK_SIZE, data = 0, entries = 0, dirs = 0, dirent_bytes = 0;
        uint64_t blocks, inodes, min_inodes, factor, n;
        int r;

        r = content_open(source, &c);
        if (r < 0)
                return r;
        for (;;) {
                const struct content_entry *e;

                r = content_next(c, &e);
                if (r < 0)
                        return r;
                if (r == 0)
                        break;
                entries++;
                dirent_bytes += 8 + round_up(strlen(e->name), 4);
                switch (e->type) {
                case CONTENT_REG:
                case CONTENT_HARDLINK:
                        r = check_file_size(source, e);
                        if (r < 0)
                                return r;
                        /* An archive header may claim any size: sum without
                         * wrapping. A hard link's size is the data it carries
                         * (cpio newc); old cpio repeats it, counted twice. */
                        n = e->size / bs + (e->size % bs != 0);
                        if (size_add(data, n + extent_tree_blocks(n), &data) < 0)
                                return content_too_large(source);
                        break;
                case CONTENT_DIR:
                        dirs++;
                        break;
                case CONTENT_SYMLINK:
                        if (strlen(e->link_target) >= 60)
                                data++;
                        break;
                default:
                        break;
                }
                if (xattr_bytes(e) > 96)
                        data++;
        }
        if (size_add(100, headroom_percent, &factor) < 0 ||
            size_add(data, dirs + (dirent_bytes + bs - 13) / (bs - 12), &data) < 0 ||
            size_mul(data, factor, &data) < 0 ||
            size_mul(entries, factor, &min_inodes) < 0)
                return content_too_large(source);
        data /= 100;
        min_inodes = min_inodes / 100 + 64;
        /* Below this bound, nothing that follows can wrap (blocks * bs < 2^63). */
        if (data > SIZE_IMAGE_MAX / bs / 4)
                return content_too_large(source);

        blocks = data + 4096;
        for (int i = 0; i < 64; i++) {
                uint64_t need;

                /* Never fewer inodes than mke2fs's default ratio would give. */
                inodes = blocks * bs / 16384;
                if (inodes < min_inodes)
                        inodes = min_inodes;
                need = (data + overhead_blocks(blocks, inodes)) * 100 / 95 + 1;
                if (need <= blocks)
                        break;
                blocks = need;
        }
        *ret_bytes = round_up(blocks * bs, MIB);
        if (*ret_bytes < 16 * MIB)
                *ret_bytes = 16 * MIB;
        *ret_inodes = inodes;
        return 0;
}
