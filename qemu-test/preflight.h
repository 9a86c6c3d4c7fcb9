/* SPDX-License-Identifier: MIT */
#pragma once

#include "platform.h"

/*
 * Look at the image before booting it: it must be a GPT disk (a negative
 * errno, logged, if not: nothing to boot). Problems that make a boot
 * pointless or its result misleading are returned in *problem (NULL when
 * none): no EFI System Partition (firmware boots a FAT partition of any
 * type, so a boot alone would not notice), no removable-media bootloader,
 * a bootloader for another architecture.
 */
int preflight_check(const char *image, enum arch arch, char **problem);
