/* SPDX-License-Identifier: MIT */
#include "ext4.h"
#include "handler.h"

static int ext4_format_partition(const struct job *job, const struct plan_partition *pp)
{
        char uuid[GUID_STRING_MAX], hash_seed[GUID_STRING_MAX];
        struct ext4_params params = {
                .label = pp->layout->label,
                .uuid = uuid,
                .hash_seed = hash_seed,
                .clamp_time = job->plan->clamp_time,
        };

        guid_format(&pp->fs_uuid, uuid);
        guid_format(&pp->fs_hash_seed, hash_seed);
        return ext4_format(job->image_path, pp->offset, pp->size, &params);
}

const struct part_handler ext4_handler = {
        .fs = FS_EXT4,
        .format = ext4_format_partition,
};
