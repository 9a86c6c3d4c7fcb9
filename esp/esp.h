/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>
#include <stdint.h>

/*
 * Fill an EFI System Partition that mkfs.fat has formatted: an optional tree
 * (--esp-dir) and the bootloader at the UEFI removable-media path.
 */
/* A file the boot chain puts on the ESP: from a file descriptor or memory. */
struct esp_file {
        char *path;              /* on the ESP, '/'-separated: "loader/loader.conf" */
        int fd;                  /* read from offset 0; -1: use data */
        void *data;
        size_t size;
        int64_t mtime;
};

struct esp_request {
        const char *removable_file;  /* "BOOTAA64.EFI", placed under EFI/BOOT/ */
        uint16_t pe_machine;         /* what the bootloader must be built for */
        uint16_t pe_magic;
        const char *bootloader;      /* a file, or NULL */
        const char *tree;            /* a directory copied into the ESP, or NULL */
        const struct esp_file *files; /* more files (the boot chain's), n_files of them */
        size_t n_files;
        int64_t clamp_time;          /* SOURCE_DATE_EPOCH, or -1 */
};

int esp_populate(int fd, uint64_t offset, uint64_t size, const struct esp_request *req);
