/* SPDX-License-Identifier: MIT */
/* The ESP holds the boot chain, --esp-dir and --bootloader (esp/esp.c). */
#include "esp/esp.h"
#include "mkimage/handler.h"

static int esp_fill(const struct job *job, const struct plan_partition *pp, const struct fs_target *t)
{
        return esp_populate(job->fd, pp->offset, pp->size, job->esp);
}

const struct part_filler esp_filler = {
        .kind = PART_ESP,
        .fill = esp_fill,
};
