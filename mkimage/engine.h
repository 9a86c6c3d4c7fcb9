/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The image engine: from a request (what the command line asked for) to an
 * image file, or to the plan printed. The flow: layout -> ROOTFS sized by
 * its file system's handler (and its boot files found) -> plan (every
 * size, offset and GUID) -> boot chain and UEFI variables made ->
 * temporary file -> GPT -> each partition by its handlers -> sync ->
 * rename. Nothing exists at the output path until the image is whole.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/arch.h"
#include "base/guid.h"
#include "esp/bootchain.h"

enum plan_format {
        PLAN_NONE,
        PLAN_TEXT,
        PLAN_JSON,
};

struct image_request {
        const struct arch *arch;
        const char *rootfs;     /* directory, archive, "-" (stdin) or NULL */
        const char *output;     /* NULL only with print_plan */
        const char *layout;     /* name or path */
        const char *bootloader; /* a file, for BOOT_FILE */
        struct bootchain_options boot;
        const char *esp_dir;
        uint64_t disk_size;     /* 0: from the layout */
        uint64_t esp_size;      /* 0: from the layout */
        uint64_t root_headroom; /* percent */
        bool owner_set;
        uid_t uid;
        gid_t gid;
        struct seed seed;
        int64_t clamp_time;     /* SOURCE_DATE_EPOCH, or -1 */
        bool force;             /* replace an existing output */
        enum plan_format print_plan; /* print the plan and write nothing */
};

#define ROOT_HEADROOM_DEFAULT 10

/* Build the image (or print the plan). Errors are logged; 0 or a negative errno. */
int image_build(const struct image_request *req);
