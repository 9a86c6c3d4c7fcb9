/* SPDX-License-Identifier: MIT */
#include <stdio.h>

#include "content/content.h"
#include "fs/ext4.h"
#include "mkimage/handler.h"

/* Room for "partition \"NAME\"": GPT names have at most 36 characters, UTF-8 at most 4 bytes each. */
#define NAME_MAX_SIZE (16 + 36 * 4)

static void params_for(const struct job *job, const struct plan_partition *pp, struct ext4_params *params,
                       char uuid[GUID_STRING_MAX], char hash_seed[GUID_STRING_MAX], char name[NAME_MAX_SIZE])
{
        guid_format(&pp->fs_uuid, uuid);
        guid_format(&pp->fs_hash_seed, hash_seed);
        snprintf(name, NAME_MAX_SIZE, "partition \"%s\"", pp->layout->name);
        *params = (struct ext4_params) {
                .name = name,
                .label = pp->layout->label,
                .uuid = uuid,
                .hash_seed = hash_seed,
                .clamp_time = job->plan->clamp_time,
                .inodes = pp == job->root ? job->root_inodes : 0,
        };
}

static int ext4_format_partition(const struct job *job, const struct plan_partition *pp)
{
        char uuid[GUID_STRING_MAX], hash_seed[GUID_STRING_MAX], name[NAME_MAX_SIZE];
        struct ext4_params params;

        params_for(job, pp, &params, uuid, hash_seed, name);
        return ext4_format(job->image_path, pp->offset, pp->size, &params);
}

/* Only the root partition has content: the ROOTFS argument. */
static int ext4_fill_partition(const struct job *job, const struct plan_partition *pp)
{
        _cleanup_content_ struct content *c = NULL;
        char uuid[GUID_STRING_MAX], hash_seed[GUID_STRING_MAX], name[NAME_MAX_SIZE];
        struct ext4_params params;
        int r;

        if (pp != job->root || !job->rootfs)
                return 0;
        r = content_open(job->rootfs, &c);
        if (r < 0)
                return r;
        if (job->owner_set)
                content_set_owner(c, job->uid, job->gid);
        params_for(job, pp, &params, uuid, hash_seed, name);
        return ext4_fill(job->image_path, pp->offset, c, &params);
}

const struct part_handler ext4_handler = {
        .fs = FS_EXT4,
        .format = ext4_format_partition,
        .fill = ext4_fill_partition,
};
