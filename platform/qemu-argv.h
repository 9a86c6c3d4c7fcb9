/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "base/util.h"
#include "platform/cells.h"

/* Where the guest's serial console goes. */
enum qemu_console {
        QEMU_CONSOLE_PIPE,      /* serial on stdout, no monitor, no display: a program reads it */
        QEMU_CONSOLE_TERMINAL,  /* -nographic: serial and monitor share the terminal (Ctrl-A C) */
};

/*
 * One boot of a cell: the cell's machine plus what this boot runs and how.
 * The same description gives the harness's QEMU argv, the bundle's run
 * script and the bundle's libvirt domain.
 */
struct machine_config {
        const struct platform *cell;
        const char *qemu;          /* argv[0]; NULL: the cell's emulator by name */
        unsigned memory_mib;
        unsigned cpus;
        enum qemu_console console;
        bool no_reboot;            /* a reset ends QEMU: a guest that reboots has failed, not passed */

        const char *disk;          /* the raw disk image */
        bool snapshot;             /* disk writes go to a temporary overlay, never to the image */

        /* Firmware loaded as pflash (FIRMWARE_LOAD_PFLASH): */
        const char *code;          /* pflash0, read-only */
        const char *vars;          /* pflash1, a writable flash file; unused with vars_size */
        uint64_t vars_offset;      /* vars_size > 0: pflash1 is this window of the disk file itself, */
        uint64_t vars_size;        /* through QEMU's raw driver (the image's varstore partition) */

        /* Firmware loaded with -bios (FIRMWARE_LOAD_BIOS): */
        const char *bios;
};

/*
 * The QEMU command line for c, NULL-terminated, in *ret (free with
 * strv_free). File names are escaped for QEMU's option lists (a literal
 * ',' doubled). -EINVAL if c lacks a file its firmware needs, -ENOMEM.
 */
int platform_qemu_argv(const struct machine_config *c, char ***ret);

/*
 * Just the arguments that map the varstore window (c->vars_size > 0) as
 * pflash1, with node names prefixed by node_prefix: for a consumer that
 * sets up everything else itself (libvirt's <qemu:commandline>).
 */
int platform_qemu_vars_window_argv(const struct machine_config *c, const char *node_prefix, char ***ret);

void strv_free(char **v);
static inline void strv_freep(char ***v) { strv_free(*v); }
#define _cleanup_strv_free_ _cleanup_(strv_freep)

/*
 * argv as a shell command for a script, in *ret: the emulator and the
 * machine on the first line, the console on the second, then one option
 * per line, joined by " \\\n        " (no final newline). Bare words where
 * they are safe; the values of -drive and -blockdev (where file names go)
 * and anything unsafe in double quotes. argv is a template: a '$' in it is
 * left for the shell to expand ("$qemu", "$dir/disk.img"), every other
 * character means itself.
 */
int qemu_argv_to_shell(char *const *argv, char **ret);
