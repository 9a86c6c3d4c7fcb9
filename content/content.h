/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The content stream: a directory tree or an archive (tar, cpio, zip, ...,
 * compressed with gzip, xz, zstd, bzip2, ...; "-" reads stdin) seen as one
 * sequence of entries. Consumers (the ext4 filler, the ESP copier) never
 * know where the entries came from.
 *
 * Order: an archive is read in its own order. A directory is walked
 * depth-first, parents before children, the names inside each directory
 * sorted bytewise (strcmp): the same order as `tar --sort=name -C DIR -c .`,
 * so a tree and its tarball give the same entry sequence.
 *
 * The root directory itself is reported as an entry with path "." (always
 * first for a directory input; for an archive only if the archive has a
 * "./" or "/" entry). Its metadata is what a file system's root inode gets.
 *
 * Untrusted input: names are normalized (leading "/" and "./" dropped,
 * "//" and "/./" collapsed, trailing "/" dropped); a name with a ".."
 * component, or a hard link to such a name, is refused with an error that
 * names the entry. A directory walk never follows symlinks (they are
 * reported as symlinks), never leaves the tree, and fails on files it
 * cannot read. Hard links in a directory input are found by (dev, ino) and
 * reported as CONTENT_HARDLINK to the first path seen; in an archive they
 * are as the archive says, and a hard link may carry data (size > 0): cpio
 * newc and crc store a group's data with its last name only, the names
 * before it (the target included) having size 0; pax tar may too; old
 * cpio repeats the data with every name. The consumer gives that data to
 * the target if the target has none. The stream does not check that the
 * target of a hard link was seen before (that would cost memory growing
 * with the tree): the consumer resolves the target in what it has built
 * and refuses a target it does not have.
 *
 * Archives: only tar, cpio and zip (any compression libarchive reads); an
 * empty input or anything else is an error, an empty archive (a tar of
 * zero blocks) is an empty root. Owners above 32 bits and extended
 * attributes outside the user., trusted., security. and system.
 * namespaces are errors naming the entry.
 *
 * A file of a directory input that changes while it is read (another
 * inode, size, mtime or ctime than when it was listed) is an error naming
 * it, found when its data has been read to the end.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum content_type {
        CONTENT_DIR,
        CONTENT_REG,
        CONTENT_SYMLINK,
        CONTENT_HARDLINK,
        CONTENT_CHR,
        CONTENT_BLK,
        CONTENT_FIFO,
        CONTENT_SOCK,
};

struct content_xattr {
        const char *name;       /* full name, e.g. "security.capability" */
        const void *value;
        size_t size;
};

struct content_entry {
        const char *path;        /* normalized relative path, or "." for the root */
        const char *name;        /* last component of path (path itself for ".") */
        enum content_type type;
        mode_t mode;             /* permission bits only (07777) */
        uid_t uid;
        gid_t gid;
        int64_t mtime, atime, ctime;     /* seconds since the epoch */
        long mtime_nsec, atime_nsec, ctime_nsec;
        uint64_t size;           /* regular files: logical size (holes included);
                                  * hard links: the data they carry (see above) */
        const char *link_target; /* symlink: target as stored; hard link: normalized path */
        unsigned rdev_major, rdev_minor;  /* CONTENT_CHR, CONTENT_BLK */
        const struct content_xattr *xattrs;
        size_t n_xattrs;
};

struct content;

/* source: a directory, an archive file, or "-" for stdin. */
int content_open(const char *source, struct content **ret);

/* Report every entry as owned by uid:gid (e.g. 0:0 for a tree made by an
 * ordinary user). Call before the first content_next(). */
void content_set_owner(struct content *c, uid_t uid, gid_t gid);

/* 1 and *ret set: next entry (valid until the next call); 0: end;
 * <0: error (already logged, naming the entry). */
int content_next(struct content *c, const struct content_entry **ret);

/* Data of the current regular-file entry (or hard link carrying data),
 * sequentially: bytes read, 0 at the end, <0 on error (logged). */
ssize_t content_read(struct content *c, void *buf, size_t len);

/* Sparse-aware reader of the current regular file: 1 and a block of data
 * at *offset (bytes between blocks are holes, offsets only grow), 0 at the
 * end, <0 on error (logged). *buf stays valid until the next call. */
int content_read_block(struct content *c, const void **buf, size_t *len, int64_t *offset);

/* Normalize an entry name as described above into *ret (malloc'd; "." for
 * the root). -EINVAL for a ".." component or an empty name. Not logged. */
int content_normalize_path(const char *name, char **ret);

/* Leave the file or directory (dev, ino) out of every directory walk, with
 * all under it: mkvmimage's own output and temporaries when they are inside
 * ROOTFS (`mkvmimage ... . -o ./disk.img`). A short fixed list: -ENOSPC
 * when full. */
int content_exclude(dev_t dev, ino_t ino);

/* The source as given to content_open(), for messages. */
const char *content_source(const struct content *c);

void content_free(struct content *c);

static inline void content_freep(struct content **c)
{
        if (*c)
                content_free(*c);
}
#define _cleanup_content_ __attribute__((cleanup(content_freep)))
