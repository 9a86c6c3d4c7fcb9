/* SPDX-License-Identifier: MIT */
/* ext4 in the file-system table: fs/ext4.c does the work. */
#include <stdio.h>

#include "fs/ext4.h"
#include "fs/fs.h"

static void params_for(const struct fs_target *t, struct ext4_params *params,
                       char uuid[GUID_STRING_MAX], char hash_seed[GUID_STRING_MAX])
{
        guid_format(&t->ids.uuid, uuid);
        guid_format(&t->ids.hash_seed, hash_seed);
        *params = (struct ext4_params) {
                .name = t->name,
                .label = t->label,
                .uuid = uuid,
                .hash_seed = hash_seed,
                .clamp_time = t->clamp_time,
                .inodes = t->inodes,
        };
}

static int ext4_format_target(const struct fs_target *t)
{
        char uuid[GUID_STRING_MAX], hash_seed[GUID_STRING_MAX];
        struct ext4_params params;

        params_for(t, &params, uuid, hash_seed);
        return ext4_format(t->image_path, t->offset, t->size, &params);
}

static int ext4_fill_target(const struct fs_target *t, struct content *c)
{
        char uuid[GUID_STRING_MAX], hash_seed[GUID_STRING_MAX];
        struct ext4_params params;

        params_for(t, &params, uuid, hash_seed);
        return ext4_fill(t->image_path, t->offset, c, &params);
}

static int ext4_estimate_tree(const char *source, uint64_t headroom_percent, struct fs_need *ret)
{
        return ext4_estimate(source, headroom_percent, &ret->bytes, &ret->inodes);
}

static const char *ext4_id_string(const struct fs_ids *ids, char *buf, size_t len)
{
        char uuid[GUID_STRING_MAX];

        guid_format(&ids->uuid, uuid);
        snprintf(buf, len, "%s", uuid);
        return buf;
}

const struct fs_handler fs_ext4 = {
        .name = "ext4",
        .label_max = 16,
        .grub_module = "ext2",  /* GRUB's ext2 module reads ext2, ext3 and ext4 */
        .estimate = ext4_estimate_tree,
        .format = ext4_format_target,
        .fill = ext4_fill_target,
        .id_string = ext4_id_string,
};
