/* SPDX-License-Identifier: MIT */
#pragma once

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "platform/cells.h"
#include "qemu-test/firmware.h"
#include "qemu-test/preflight.h"
#include "qemu-test/verdict.h"

/* Where an EDK2 run's variable flash (pflash1) comes from. */
enum vars_source {
        VARS_TEMPLATE,            /* a per-run copy of the firmware's VARS template */
        VARS_FILE,                /* --vars FILE, used in place: variables persist in FILE */
        VARS_PARTITION_COPY,      /* a per-run copy of the image's varstore partition */
        VARS_PARTITION_IN_PLACE,  /* --persist: the partition itself, via QEMU's raw offset/size */
};

struct run_config {
        const char *image;
        const char *qemu;                   /* resolved emulator path */
        const struct edk2_firmware *edk2;   /* NULL if no EDK2 cell runs */
        const char *uboot;                  /* NULL if no U-Boot cell runs */
        char *const *expect;
        size_t n_expect;
        unsigned timeout_sec;
        const char *log_dir;
        unsigned jobs;
        const volatile sig_atomic_t *interrupted;
        enum vars_source vars_source;
        const char *vars_file;              /* VARS_FILE */
        const struct image_info *info;      /* VARS_PARTITION_*: where the varstore is */
        const char *expect_boot_option;     /* EDK2 must start this one first ("Boot0000"), or NULL */
};

/* One boot of the image on one platform. */
struct run {
        const struct platform *platform;
        pid_t pid;
        int fd;                  /* QEMU's stdout+stderr: the serial console */
        int log_fd;
        char *log_path;
        char *tmpdir;            /* VARS copy and QEMU's snapshot overlay */
        struct verdict verdict;
        uint64_t start_usec, end_usec;
        bool started, finished, killed, passed;
        char *reason;            /* why it failed (or was stopped) */
};

/*
 * The QEMU command line of one run, NULL-terminated, in *ret (free with
 * strv_free), from platform_qemu_argv(). vars is the file for pflash1
 * (EDK2), NULL for VARS_PARTITION_IN_PLACE.
 */
int qemu_build_argv(const struct run_config *c, const struct platform *p, const char *vars, char ***ret);

/*
 * Boots every run, up to c->jobs at a time, each its own QEMU child.
 * on_finished is called as each one ends. Returns 0 or -errno (setup
 * errors only; a failed boot is a result, not an error).
 */
int runs_execute(struct run *runs, size_t n, const struct run_config *c,
                 void (*on_finished)(const struct run *r, void *userdata), void *userdata);
void run_done(struct run *r);
double run_seconds(const struct run *r);
