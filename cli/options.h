/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/arch.h"
#include "base/guid.h"
#include "esp/bootchain.h"

/* The command line of `mkvmimage [OPTIONS] [ROOTFS] -o IMAGE`, checked. */

enum plan_format {
        PLAN_NONE,
        PLAN_TEXT,
        PLAN_JSON,
};

struct options {
        const struct arch *arch;
        const char *rootfs;     /* directory, archive or "-" */
        const char *output;
        const char *layout;
        const char *bootloader; /* a file, for BOOT_FILE */
        struct bootchain_options boot;
        const char *esp_dir;
        uint64_t disk_size;
        uint64_t esp_size;
        uint64_t root_headroom; /* percent */
        bool owner_set;
        uid_t uid;
        gid_t gid;
        struct seed seed;
        int64_t clamp_time;
        bool force;
        enum plan_format print_plan;
};

#define ROOT_HEADROOM_DEFAULT 10

/* Parse argv (exits for --help and --version); errors are logged. */
int parse_options(int argc, char **argv, struct options *o);
/* Inputs that can be checked before any output exists. */
int check_inputs(const struct options *o);
