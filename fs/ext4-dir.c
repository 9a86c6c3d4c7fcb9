/* SPDX-License-Identifier: MIT */
/*
 * Large directories for the ext4 filler: htree (dir_index) directories as
 * the kernel makes them. The layout (Documentation/filesystems/ext4,
 * "Hash Tree Directories"): block 0 holds "." and ".." as ordinary entries,
 * ".." spanning the rest of the block, and inside that span the root of
 * the index: a header (hash version, depth) and up to `limit` (hash, block)
 * pairs, sorted by hash; the first pair's hash is implied 0 and its place
 * holds limit and count. Each pair points at a leaf (an ordinary directory
 * block holding the names of that hash range) or, in deeper trees, at an
 * interior node laid out the same way behind an empty entry spanning its
 * block. With metadata_csum, index blocks end in a checksum tail.
 */
#include "fs/ext4-dir.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Where the index root starts in block 0: after "." (12) and ".." (12). */
#define DX_ROOT_INFO_OFFSET 24
#define DX_ROOT_ENTRIES_OFFSET 32

static unsigned dirent_tail_size(ext2_filsys fs)
{
        return ext2fs_has_feature_metadata_csum(fs->super) ? sizeof(struct ext2_dir_entry_tail) : 0;
}

static unsigned dx_tail_size(ext2_filsys fs)
{
        return ext2fs_has_feature_metadata_csum(fs->super) ? sizeof(struct ext2_dx_tail) : 0;
}

static bool hash_version_supported(int v)
{
        /* The versions libext2fs's htree insert (dx_lookup in link.c) takes. */
        return v == EXT2_HASH_LEGACY || v == EXT2_HASH_HALF_MD4 || v == EXT2_HASH_TEA;
}

/* The hash an index of `version` orders names by (as dx_lookup() in link.c). */
static int effective_hash(ext2_filsys fs, int version)
{
        if (version <= EXT2_HASH_TEA && (fs->super->s_flags & EXT2_FLAGS_UNSIGNED_HASH))
                return version + 3;
        return version;
}

static errcode_t read_block(ext2_filsys fs, ext2_ino_t dir, struct ext2_inode *inode, blk64_t lblk,
                            blk64_t *pblk, void *buf)
{
        errcode_t err = ext2fs_bmap2(fs, dir, inode, NULL, 0, lblk, NULL, pblk);

        if (err)
                return err;
        if (*pblk == 0)
                return EXT2_ET_DIR_CORRUPTED;
        return ext2fs_read_dir_block4(fs, *pblk, buf, 0, dir);
}

/* ---- making a directory indexed ---- */

/* Every entry of block 0 but "." and "..", packed into the zeroed block
 * `to` (which then holds them as a leaf): only name bytes are copied. */
static errcode_t move_entries(ext2_filsys fs, const char *from, char *to)
{
        unsigned bs = fs->blocksize, end = bs - dirent_tail_size(fs), offset = 0, out = 0, n = 0;
        struct ext2_dir_entry *last = NULL;
        errcode_t err;

        while (offset < end) {
                struct ext2_dir_entry *de = (struct ext2_dir_entry *)(from + offset);
                unsigned rec_len, len;

                err = ext2fs_get_rec_len(fs, de, &rec_len);
                if (err)
                        return err;
                if (rec_len < 8 || offset + rec_len > bs)
                        return EXT2_ET_DIR_CORRUPTED;
                if (n++ >= 2 && de->inode != 0) {
                        len = EXT2_DIR_REC_LEN(ext2fs_dirent_name_len(de));
                        last = (struct ext2_dir_entry *)(to + out);
                        memcpy(last, de, 8 + ext2fs_dirent_name_len(de));
                        err = ext2fs_set_rec_len(fs, len, last);
                        if (err)
                                return err;
                        out += len;
                }
                offset += rec_len;
        }
        if (!last) {
                /* Nothing to move: one empty entry spans the block. */
                last = (struct ext2_dir_entry *)to;
                out = 0;
        } else {
                out -= EXT2_DIR_REC_LEN(ext2fs_dirent_name_len(last));
        }
        err = ext2fs_set_rec_len(fs, end - out, last);
        if (err)
                return err;
        if (dirent_tail_size(fs))
                ext2fs_initialize_dirent_tail(fs, EXT2_DIRENT_TAIL(to, bs));
        return 0;
}

static errcode_t set_dot_entry(ext2_filsys fs, struct ext2_dir_entry *de, ext2_ino_t ino, const char *name,
                               unsigned rec_len)
{
        de->inode = ino;
        ext2fs_dirent_set_name_len(de, (int)strlen(name));
        if (ext2fs_has_feature_filetype(fs->super))
                ext2fs_dirent_set_file_type(de, EXT2_FT_DIR);
        memcpy(de->name, name, strlen(name));
        return ext2fs_set_rec_len(fs, rec_len, de);
}

/* Block 0 as an index root (zeroed `root`) with one leaf: block 1. */
static errcode_t build_root(ext2_filsys fs, ext2_ino_t dir, ext2_ino_t parent, char *root)
{
        struct ext2_dx_root_info *info = (struct ext2_dx_root_info *)(root + DX_ROOT_INFO_OFFSET);
        struct ext2_dx_countlimit *cl = (struct ext2_dx_countlimit *)(root + DX_ROOT_ENTRIES_OFFSET);
        struct ext2_dx_entry *entries = (struct ext2_dx_entry *)cl;
        unsigned bs = fs->blocksize;
        errcode_t err;

        err = set_dot_entry(fs, (struct ext2_dir_entry *)root, dir, ".", 12);
        if (!err)
                err = set_dot_entry(fs, (struct ext2_dir_entry *)(root + 12), parent, "..", bs - 12);
        if (err)
                return err;
        info->hash_version = fs->super->s_def_hash_version;
        info->info_length = sizeof(*info);
        cl->limit = ext2fs_cpu_to_le16((bs - DX_ROOT_ENTRIES_OFFSET - dx_tail_size(fs)) / sizeof(struct ext2_dx_entry));
        cl->count = ext2fs_cpu_to_le16(1);
        entries[0].block = ext2fs_cpu_to_le32(1);
        return 0;
}

static errcode_t remember_indexed(struct ext4_dirs *dirs, ext2_ino_t dir)
{
        if (dirs->n_indexed == dirs->allocated) {
                size_t n = dirs->allocated ? dirs->allocated * 2 : 64;
                ext2_ino_t *p = reallocarray(dirs->indexed, n, sizeof(*p));

                if (!p)
                        return EXT2_ET_NO_MEMORY;
                dirs->indexed = p;
                dirs->allocated = n;
        }
        dirs->indexed[dirs->n_indexed++] = dir;
        return 0;
}

/*
 * The full one-block directory `dir` becomes indexed, as the kernel's
 * make_indexed_dir() does it: a second block takes every name, block 0
 * becomes the index root pointing at it. The next insert finds that leaf
 * full and libext2fs splits it by hash.
 */
static errcode_t make_indexed(ext2_filsys fs, struct ext4_dirs *dirs, ext2_ino_t dir)
{
        struct ext2_inode inode;
        char *old = NULL, *root = NULL, *leaf = NULL;
        blk64_t root_pblk, leaf_pblk;
        errcode_t err;

        err = remember_indexed(dirs, dir);
        if (err)
                return err;
        /* Block 1: an empty directory block, the size two blocks. */
        err = ext2fs_expand_dir(fs, dir);
        if (!err)
                err = ext2fs_read_inode(fs, dir, &inode);
        if (!err)
                err = ext2fs_get_memzero(fs->blocksize, &old);
        if (!err)
                err = ext2fs_get_memzero(fs->blocksize, &root);
        if (!err)
                err = ext2fs_get_memzero(fs->blocksize, &leaf);
        if (!err)
                err = read_block(fs, dir, &inode, 0, &root_pblk, old);
        if (!err)
                err = ext2fs_bmap2(fs, dir, &inode, NULL, 0, 1, NULL, &leaf_pblk);
        if (!err)
                err = move_entries(fs, old, leaf);
        /* ".." is the second entry, at offset 12. */
        if (!err)
                err = build_root(fs, dir, ((struct ext2_dir_entry *)(old + 12))->inode, root);
        if (!err)
                err = ext2fs_write_dir_block4(fs, leaf_pblk, leaf, 0, dir);
        if (!err)
                err = ext2fs_write_dir_block4(fs, root_pblk, root, 0, dir);
        if (!err) {
                inode.i_flags |= EXT2_INDEX_FL;
                err = ext2fs_write_inode(fs, dir, &inode);
        }
        ext2fs_free_mem(&old);
        ext2fs_free_mem(&root);
        ext2fs_free_mem(&leaf);
        return err;
}

static bool may_index(ext2_filsys fs, const struct ext2_inode *inode)
{
        return ext2fs_has_feature_dir_index(fs->super) && EXT2_I_SIZE(inode) == fs->blocksize &&
               !(inode->i_flags & (EXT2_INDEX_FL | EXT4_INLINE_DATA_FL | EXT4_CASEFOLD_FL)) &&
               hash_version_supported(fs->super->s_def_hash_version);
}

errcode_t ext4_dir_link(ext2_filsys fs, struct ext4_dirs *dirs, ext2_ino_t dir, const char *name,
                        ext2_ino_t ino, int ftype)
{
        errcode_t err = ext2fs_link(fs, dir, name, ino, ftype);

        /* An indexed directory splits a leaf (or grows its index) and
         * reports no space once per level: a few retries, not a loop. */
        for (int tries = 0; err == EXT2_ET_DIR_NO_SPACE && tries < 4; tries++) {
                struct ext2_inode inode;

                err = ext2fs_read_inode(fs, dir, &inode);
                if (err)
                        return err;
                if (may_index(fs, &inode))
                        err = make_indexed(fs, dirs, dir);
                else if (!(inode.i_flags & EXT2_INDEX_FL))
                        err = ext2fs_expand_dir(fs, dir);
                if (err)
                        return err;
                err = ext2fs_link(fs, dir, name, ino, ftype);
        }
        return err;
}

/* ---- lookup through the index ---- */

/* The last entry of a node whose hash is <= hash (entry 0: implied 0),
 * and the hash of the one after it, if any, in *next. */
static const struct ext2_dx_entry *dx_search(const struct ext2_dx_entry *entries, unsigned count, __u32 hash,
                                             bool *has_next, __u32 *next)
{
        unsigned lo = 1, hi = count;

        while (lo < hi) {
                unsigned mid = lo + (hi - lo) / 2;

                if (ext2fs_le32_to_cpu(entries[mid].hash) > hash)
                        hi = mid;
                else
                        lo = mid + 1;
        }
        if (lo < count) {
                *has_next = true;
                *next = ext2fs_le32_to_cpu(entries[lo].hash);
        }
        return &entries[lo - 1];
}

/* 1: found in the leaf buf; 0: not there. */
static int scan_leaf(ext2_filsys fs, const char *buf, const char *name, size_t len, ext2_ino_t *ret)
{
        unsigned offset = 0, rec_len;

        while (offset + 8 <= fs->blocksize) {
                const struct ext2_dir_entry *de = (const struct ext2_dir_entry *)(buf + offset);

                if (ext2fs_get_rec_len(fs, (struct ext2_dir_entry *)de, &rec_len) || rec_len < 8)
                        return -1;
                if (de->inode != 0 && (size_t)ext2fs_dirent_name_len(de) == len &&
                    memcmp(de->name, name, len) == 0) {
                        *ret = de->inode;
                        return 1;
                }
                offset += rec_len;
        }
        return 0;
}

/*
 * The leaf the index gives for `name`. *ambiguous: the next range starts
 * with the same hash (a collision continued in the next leaf), which a
 * scan of this one leaf cannot rule out.
 */
static errcode_t dx_find_leaf(ext2_filsys fs, ext2_ino_t dir, struct ext2_inode *inode, const char *name,
                              char *buf, blk64_t *leaf, bool *ambiguous)
{
        const struct ext2_dx_root_info *info = (const struct ext2_dx_root_info *)(buf + DX_ROOT_INFO_OFFSET);
        __u32 hash, minor, next = 0;
        bool has_next = false;
        blk64_t pblk, lblk = 0;
        unsigned levels;
        errcode_t err;

        err = read_block(fs, dir, inode, 0, &pblk, buf);
        if (err)
                return err;
        if (!hash_version_supported(info->hash_version) || info->indirect_levels >= EXT4_HTREE_LEVEL)
                return EXT2_ET_DIR_CORRUPTED;
        levels = info->indirect_levels;
        err = ext2fs_dirhash2(effective_hash(fs, info->hash_version), name, (int)strlen(name), fs->encoding,
                              inode->i_flags & EXT4_CASEFOLD_FL, fs->super->s_hash_seed, &hash, &minor);
        if (err)
                return err;
        for (unsigned level = 0; level <= levels; level++) {
                struct ext2_dx_countlimit *cl;
                unsigned count;
                int off;

                if (level > 0) {
                        err = read_block(fs, dir, inode, lblk, &pblk, buf);
                        if (err)
                                return err;
                }
                err = ext2fs_get_dx_countlimit(fs, (struct ext2_dir_entry *)buf, &cl, &off);
                if (err)
                        return err;
                count = ext2fs_le16_to_cpu(cl->count);
                if (count == 0 || count > ext2fs_le16_to_cpu(cl->limit))
                        return EXT2_ET_DIR_CORRUPTED;
                lblk = ext2fs_le32_to_cpu(dx_search((const struct ext2_dx_entry *)cl, count, hash, &has_next,
                                                    &next)->block) & EXT4_DX_BLOCK_MASK;
        }
        *leaf = lblk;
        *ambiguous = has_next && (next & ~1u) == hash;
        return 0;
}

errcode_t ext4_dir_lookup(ext2_filsys fs, ext2_ino_t dir, const char *name, ext2_ino_t *ret)
{
        struct ext2_inode inode;
        bool ambiguous = false;
        char *buf = NULL;
        blk64_t leaf, pblk;
        errcode_t err;
        int found = 0;

        err = ext2fs_read_inode(fs, dir, &inode);
        if (err)
                return err;
        if (!(inode.i_flags & EXT2_INDEX_FL))
                return ext2fs_lookup(fs, dir, name, (int)strlen(name), NULL, ret);
        err = ext2fs_get_mem(fs->blocksize, &buf);
        if (err)
                return err;
        err = dx_find_leaf(fs, dir, &inode, name, buf, &leaf, &ambiguous);
        if (!err)
                err = read_block(fs, dir, &inode, leaf, &pblk, buf);
        if (!err) {
                found = scan_leaf(fs, buf, name, strlen(name), ret);
                if (found < 0)
                        err = EXT2_ET_DIR_CORRUPTED;
        }
        ext2fs_free_mem(&buf);
        if (err)
                return err;
        if (found)
                return 0;
        /* Rare: equal hashes spilling into the next leaf. Scan it all. */
        if (ambiguous)
                return ext2fs_lookup(fs, dir, name, (int)strlen(name), NULL, ret);
        return EXT2_ET_FILE_NOT_FOUND;
}

/* ---- tidying before close ---- */

/* Index node: zero the unused (hash, block) pairs after the count. */
static void tidy_node(char *buf, const struct ext2_dx_countlimit *cl, int off)
{
        unsigned count = ext2fs_le16_to_cpu(cl->count), limit = ext2fs_le16_to_cpu(cl->limit);

        if (count < limit)
                memset(buf + off + count * sizeof(struct ext2_dx_entry), 0,
                       (limit - count) * sizeof(struct ext2_dx_entry));
}

/* Leaf: zero every entry's bytes after its name (the checksum tail's
 * checksum too: it is computed again when the block is written). */
static errcode_t tidy_leaf(ext2_filsys fs, char *buf)
{
        unsigned offset = 0, rec_len;

        while (offset + 8 <= fs->blocksize) {
                struct ext2_dir_entry *de = (struct ext2_dir_entry *)(buf + offset);
                unsigned used = 8 + ext2fs_dirent_name_len(de);
                errcode_t err = ext2fs_get_rec_len(fs, de, &rec_len);

                if (err)
                        return err;
                if (rec_len < 8 || offset + rec_len > fs->blocksize)
                        return EXT2_ET_DIR_CORRUPTED;
                if (used < rec_len)
                        memset(buf + offset + used, 0, rec_len - used);
                offset += rec_len;
        }
        return 0;
}

static bool looks_like_node(ext2_filsys fs, blk64_t lblk, const char *buf)
{
        const struct ext2_dir_entry *de = (const struct ext2_dir_entry *)buf;
        unsigned rec_len;

        if (lblk == 0)
                return true;
        /* Interior nodes hide behind one empty entry spanning the block;
         * a leaf is never empty here (nothing is removed). */
        return de->inode == 0 && ext2fs_get_rec_len(fs, (struct ext2_dir_entry *)de, &rec_len) == 0 &&
               rec_len == fs->blocksize;
}

static errcode_t tidy_directory(ext2_filsys fs, ext2_ino_t dir, char *buf)
{
        struct ext2_inode inode;
        blk64_t n, pblk;
        errcode_t err;

        err = ext2fs_read_inode(fs, dir, &inode);
        if (err)
                return err;
        n = EXT2_I_SIZE(&inode) / fs->blocksize;
        for (blk64_t lblk = 0; lblk < n; lblk++) {
                struct ext2_dx_countlimit *cl;
                int off;

                err = read_block(fs, dir, &inode, lblk, &pblk, buf);
                if (err)
                        return err;
                if (looks_like_node(fs, lblk, buf)) {
                        err = ext2fs_get_dx_countlimit(fs, (struct ext2_dir_entry *)buf, &cl, &off);
                        if (err)
                                return err;
                        tidy_node(buf, cl, off);
                } else {
                        err = tidy_leaf(fs, buf);
                        if (err)
                                return err;
                }
                err = ext2fs_write_dir_block4(fs, pblk, buf, 0, dir);
                if (err)
                        return err;
        }
        return 0;
}

errcode_t ext4_dirs_finish(ext2_filsys fs, struct ext4_dirs *dirs)
{
        char *buf = NULL;
        errcode_t err = 0;

        if (dirs->n_indexed > 0)
                err = ext2fs_get_memzero(fs->blocksize, &buf);
        for (size_t i = 0; !err && i < dirs->n_indexed; i++)
                err = tidy_directory(fs, dirs->indexed[i], buf);
        ext2fs_free_mem(&buf);
        ext4_dirs_free(dirs);
        return err;
}

void ext4_dirs_free(struct ext4_dirs *dirs)
{
        free(dirs->indexed);
        *dirs = (struct ext4_dirs) {};
}
