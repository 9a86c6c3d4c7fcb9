/* SPDX-License-Identifier: MIT */
/* The root partition holds ROOTFS, written by its file system's handler. */
#include "content/content.h"
#include "mkimage/handler.h"

static int root_fill(const struct job *job, const struct plan_partition *pp, const struct fs_target *t)
{
        _cleanup_content_ struct content *c = NULL;
        int r;

        /* Another root partition than ROOTFS's (a layout may have two) stays empty. */
        if (pp != job->root || !job->rootfs)
                return 0;
        r = content_open(job->rootfs, &c);
        if (r < 0)
                return r;
        if (job->owner_set)
                content_set_owner(c, job->uid, job->gid);
        return pp->layout->fs->fill(t, c);
}

const struct part_filler root_filler = {
        .kind = PART_ROOT,
        .fill = root_fill,
};
