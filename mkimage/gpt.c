/* SPDX-License-Identifier: MIT */
#include "mkimage/gpt.h"

#include <errno.h>

#include <libfdisk/libfdisk.h>

#include "base/log.h"
#include "base/util.h"

static void fdisk_unref_contextp(struct fdisk_context **c)
{
        fdisk_unref_context(*c);
}

static void fdisk_unref_partitionp(struct fdisk_partition **p)
{
        fdisk_unref_partition(*p);
}

static void fdisk_unref_parttypep(struct fdisk_parttype **t)
{
        fdisk_unref_parttype(*t);
}

static int add_partition(struct fdisk_context *cxt, const struct plan_partition *pp, const char *what)
{
        _cleanup_(fdisk_unref_partitionp) struct fdisk_partition *pa = NULL;
        _cleanup_(fdisk_unref_parttypep) struct fdisk_parttype *type = NULL;
        char type_s[GUID_STRING_MAX], uuid_s[GUID_STRING_MAX];
        int r;

        guid_format(&pp->type, type_s);
        guid_format(&pp->uuid, uuid_s);

        pa = fdisk_new_partition();
        type = fdisk_label_parse_parttype(fdisk_get_label(cxt, NULL), type_s);
        if (!pa || !type)
                return log_error(-ENOMEM, "%s: out of memory", what);

        r = fdisk_partition_set_partno(pa, pp->number - 1);
        if (r >= 0)
                r = fdisk_partition_set_start(pa, pp->offset / SECTOR_SIZE);
        if (r >= 0)
                r = fdisk_partition_set_size(pa, pp->size / SECTOR_SIZE);
        if (r >= 0)
                r = fdisk_partition_set_type(pa, type);
        if (r >= 0)
                r = fdisk_partition_set_name(pa, pp->layout->name);
        if (r >= 0)
                r = fdisk_partition_set_uuid(pa, uuid_s);
        if (r >= 0)
                r = fdisk_add_partition(cxt, pa, NULL);
        if (r < 0)
                return log_error_errno(r, "%s: cannot add GPT partition %u '%s'", what, pp->number,
                                       pp->layout->name);
        return 0;
}

int gpt_write(int fd, const char *what, const struct plan *plan)
{
        _cleanup_(fdisk_unref_contextp) struct fdisk_context *cxt = NULL;
        char disk_guid[GUID_STRING_MAX];
        int r;

        cxt = fdisk_new_context();
        if (!cxt)
                return log_error(-ENOMEM, "out of memory");
        /* We plan every offset ourselves; libfdisk must not ask questions. */
        fdisk_disable_dialogs(cxt, 1);

        r = fdisk_assign_device_by_fd(cxt, fd, what, 0);
        if (r < 0)
                return log_error_errno(r, "%s: libfdisk cannot open the image", what);

        /* The usual GPT: entries in sectors 2-33, usable from 34 (libfdisk
         * would start at 2048, which sgdisk -v reports as unusual). */
        fdisk_set_first_lba(cxt, 34);
        r = fdisk_create_disklabel(cxt, "gpt");
        if (r >= 0) {
                guid_format(&plan->disk_guid, disk_guid);
                r = fdisk_set_disklabel_id_from_string(cxt, disk_guid);
        }
        if (r < 0)
                return log_error_errno(r, "%s: cannot create the GPT", what);

        for (size_t i = 0; i < plan->n_parts; i++) {
                r = add_partition(cxt, &plan->parts[i], what);
                if (r < 0)
                        return r;
        }

        r = fdisk_write_disklabel(cxt);
        if (r < 0)
                return log_error_errno(r, "%s: cannot write the GPT", what);
        /* nosync: the whole image is synced once, before it is renamed into place. */
        r = fdisk_deassign_device(cxt, 1);
        if (r < 0)
                return log_error_errno(r, "%s: cannot write the GPT", what);
        return 0;
}
