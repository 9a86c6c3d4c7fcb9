/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>

#include "esp/esp.h"
#include "mkimage/plan.h"

struct efi_var;

/*
 * The UEFI variables an image with a varstore partition starts with: a
 * Boot0000 load option for the ESP's removable-media bootloader, BootOrder
 * and Timeout. The varstore partition gets them as an EDK2 store, the ESP as
 * U-Boot's ubootefi.var (EBBR), so both firmwares boot the same entry first.
 * The image still boots with a blank store: the removable-media rule.
 */
struct image_vars {
        struct efi_var *vars;
        size_t n;
};

int image_vars_make(const struct plan *plan, const char *description, struct image_vars *ret);
/* The ESP file "ubootefi.var" holding the same variables. */
int image_vars_ebbr_file(const struct image_vars *v, int64_t mtime, struct esp_file *ret);
void image_vars_free(struct image_vars *v);
