/* SPDX-License-Identifier: MIT */
#include "mkimage/handler.h"

#include <errno.h>
#include <stdio.h>

#include "base/log.h"
#include "base/size.h"
#include "base/util.h"

/* Room for "partition \"NAME\"": GPT names have at most 36 characters, UTF-8 at most 4 bytes each. */
#define NAME_MAX_SIZE (16 + 36 * 4)

static const struct part_filler *const fillers[] = {
        &esp_filler,
        &root_filler,
        &varstore_filler,
};

/* NULL: the partition keeps what formatting left (holes read as zeros). */
static const struct part_filler *filler_for(enum part_kind kind)
{
        for (size_t i = 0; i < ELEMENTSOF(fillers); i++)
                if (fillers[i]->kind == kind)
                        return fillers[i];
        return NULL;
}

/* The partition's file system as its handler sees it. */
static void target_for(const struct job *job, const struct plan_partition *pp, char name[NAME_MAX_SIZE],
                       struct fs_target *ret)
{
        snprintf(name, NAME_MAX_SIZE, "partition \"%s\"", pp->layout->name);
        *ret = (struct fs_target) {
                .image_path = job->image_path,
                .fd = job->fd,
                .offset = pp->offset,
                .size = pp->size,
                .name = name,
                .label = pp->layout->label,
                .ids = pp->fs_ids,
                .clamp_time = job->plan->clamp_time,
                .inodes = pp == job->root ? job->root_inodes : 0,
        };
}

int partitions_check(const struct job *job)
{
        const struct plan *plan = job->plan;

        if (!plan_find(plan, PART_ESP))
                return log_error(-EINVAL, "the layout has no ESP (type = esp): the VM spec needs one to boot");
        for (size_t i = 0; i < plan->n_parts; i++) {
                const struct plan_partition *pp = &plan->parts[i];
                const struct fs_handler *fs = pp->layout->fs;
                char name[NAME_MAX_SIZE], a[32], b[32];
                struct fs_target t;
                uint64_t min = 0;

                if (!fs || !fs->check_size)
                        continue;
                target_for(job, pp, name, &t);
                if (fs->check_size(&t, &min) < 0)
                        return log_error(-EINVAL, "partition '%s' is %s, too small for %s: it needs at least %s%s",
                                         pp->layout->name, format_size(pp->size, a, sizeof(a)), fs->min_size_rule,
                                         format_size(min, b, sizeof(b)),
                                         pp->layout->kind == PART_ESP ? " (--esp-size)" : "");
        }
        return 0;
}

int partitions_write(const struct job *job)
{
        const struct plan *plan = job->plan;

        for (size_t i = 0; i < plan->n_parts; i++) {
                const struct plan_partition *pp = &plan->parts[i];
                const struct fs_handler *fs = pp->layout->fs;
                const struct part_filler *filler = filler_for(pp->layout->kind);
                char name[NAME_MAX_SIZE];
                struct fs_target t;
                int r;

                progress_update(pp->layout->name, i, plan->n_parts);
                target_for(job, pp, name, &t);
                /* Handlers log their own errors, naming what failed. */
                if (fs) {
                        r = fs->format(&t);
                        if (r < 0)
                                return r;
                }
                if (filler) {
                        r = filler->fill(job, pp, &t);
                        if (r < 0)
                                return r;
                }
        }
        progress_update("done", plan->n_parts, plan->n_parts);
        progress_done();
        return 0;
}
