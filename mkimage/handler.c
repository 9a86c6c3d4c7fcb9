/* SPDX-License-Identifier: MIT */
#include "mkimage/handler.h"

#include <stddef.h>

/* fs = none: the partition is left as holes, which read as zeros. */
static const struct part_handler none_handler = {
        .fs = FS_NONE,
};

const struct part_handler *part_handler_for(const struct layout_partition *lp)
{
        if (lp->kind == PART_VARSTORE)
                return &varstore_handler;
        switch (lp->fs) {
        case FS_VFAT:
                return &vfat_handler;
        case FS_EXT4:
                return &ext4_handler;
        case FS_NONE:
                break;
        }
        return &none_handler;
}
