/* SPDX-License-Identifier: MIT */
#include "base/log.h"
#include "firmware/edk2-vars.h"
#include "mkimage/handler.h"
#include "mkimage/uefivars.h"

/*
 * A varstore partition holds an EDK2 (ArmVirtQemu) variable store with the
 * image's boot entry, or stays zeros (holes), which the firmware formats on
 * first boot, when the image has no bootloader to point at.
 */
static int varstore_fill(const struct job *job, const struct plan_partition *pp, const struct fs_target *t)
{
        int r;

        if (!job->vars)
                return 0;
        r = edk2_vars_write(job->fd, pp->offset, job->vars->vars, job->vars->n);
        if (r < 0)
                return log_error_errno(r, "partition '%s': cannot write the variable store", pp->layout->name);
        return 0;
}

const struct part_filler varstore_filler = {
        .kind = PART_VARSTORE,
        .fill = varstore_fill,
};
