/* SPDX-License-Identifier: MIT */
#include "mkimage/uefivars.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "firmware/ebbr-vars.h"
#include "firmware/efivar.h"
#include "firmware/loadopt.h"

/* What ArmVirtQemu counts down before booting Boot0000; 0 boots at once. */
#define BOOT_TIMEOUT 0

int image_vars_make(const struct plan *plan, const char *description, struct image_vars *ret)
{
        const struct plan_partition *esp = plan_find(plan, PART_ESP);
        char loader[64];
        int r;

        if (!esp)
                return log_error(-EINVAL, "no ESP for the boot entry");
        snprintf(loader, sizeof(loader), "\\EFI\\BOOT\\%s", plan->arch->removable_file);
        *ret = (struct image_vars) { 0 };
        r = boot_entry_vars(&(struct boot_entry) {
                        .description = description,
                        .partno = esp->number,
                        .part_uuid = esp->uuid,
                        .start_lba = esp->offset / SECTOR_SIZE,
                        .size_lba = esp->size / SECTOR_SIZE,
                        .loader = loader,
                        .timeout = BOOT_TIMEOUT,
                }, &ret->vars, &ret->n);
        return r < 0 ? log_error_errno(r, "cannot make the boot entry") : 0;
}

int image_vars_ebbr_file(const struct image_vars *v, int64_t mtime, struct esp_file *ret)
{
        void *buf;
        size_t size;
        int r;

        r = ebbr_vars_build(v->vars, v->n, &buf, &size);
        if (r < 0)
                return log_error_errno(r, "cannot make ubootefi.var");
        *ret = (struct esp_file) { .path = strdup("ubootefi.var"), .fd = -1, .data = buf, .size = size, .mtime = mtime };
        if (!ret->path) {
                free(buf);
                return log_error(-ENOMEM, "out of memory");
        }
        return 0;
}

void image_vars_free(struct image_vars *v)
{
        efi_vars_free(v->vars, v->n);
        *v = (struct image_vars) { 0 };
}
