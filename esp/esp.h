/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdint.h>

/*
 * Fill an EFI System Partition that mkfs.fat has formatted: an optional tree
 * (--esp-dir) and the bootloader at the UEFI removable-media path.
 */
struct esp_request {
        const char *removable_file;  /* "BOOTAA64.EFI", placed under EFI/BOOT/ */
        uint16_t pe_machine;         /* what the bootloader must be built for */
        uint16_t pe_magic;
        const char *bootloader;      /* a file, or NULL */
        const char *tree;            /* a directory copied into the ESP, or NULL */
        int64_t clamp_time;          /* SOURCE_DATE_EPOCH, or -1 */
};

int esp_populate(int fd, uint64_t offset, uint64_t size, const struct esp_request *req);
