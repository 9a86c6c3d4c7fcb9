/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "base/arch.h"

struct image_info {
        bool has_varstore;
        unsigned varstore_partno;    /* 1-based */
        uint64_t varstore_offset;    /* bytes */
        uint64_t varstore_size;      /* bytes */
};

/*
 * Look at the image before booting it: it must be a GPT disk (a negative
 * errno, logged, if not: nothing to boot). Problems that make a boot
 * pointless or its result misleading are returned in *problem (NULL when
 * none): no EFI System Partition (firmware boots a FAT partition of any
 * type, so a boot alone would not notice), no removable-media bootloader,
 * a bootloader for another architecture. *info says whether the image has
 * a varstore partition, and where (it is filled even when *problem is set).
 */
int preflight_check(const char *image, const struct arch *arch, char **problem, struct image_info *info);
