/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "base/arch.h"
#include "esp/bootfiles.h"
#include "esp/esp.h"

/*
 * The boot chain: from what a root file system carries (a kernel, an
 * initrd, systemd-boot, systemd's EFI stub, GRUB's modules), the files the
 * ESP needs so that the image boots that root by the removable-media rule.
 *
 * Two steps, because the ESP's size is planned before the GUIDs exist:
 * bootchain_discover() finds the pieces and says how much room they need;
 * bootchain_build() writes the files once the root's PARTUUID is known.
 */

enum boot_mode {
        BOOT_NONE,          /* no bootloader */
        BOOT_FILE,          /* --bootloader FILE: the user's */
        BOOT_AUTO,          /* what the root file system has */
        BOOT_SYSTEMD_BOOT,
        BOOT_GRUB,
        BOOT_UKI,           /* a unified kernel image at the removable-media path */
};

struct bootchain_options {
        enum boot_mode mode;
        const char *kernel;     /* inside the root file system; NULL: discover */
        const char *initrd;     /* likewise; NULL: the kernel's match, if any */
        const char *cmdline;    /* added to root=PARTUUID=... rw console=... */
};

struct bootchain {
        const struct arch *arch;
        enum boot_mode mode;    /* as resolved: never BOOT_AUTO */
        char *kernel;           /* canonical path inside the root: boot/vmlinuz-6.1.0-26-arm64 */
        char *initrd;           /* or NULL */
        char *version;          /* the kernel's, from its name; or NULL */
        char *loader;           /* systemd-boot, or the stub for a UKI */
        char *grub_modules;     /* host path of GRUB's module directory */
        char *os_id;            /* os-release ID, or "linux" */
        char *os_name;          /* os-release PRETTY_NAME, or "Linux" */
        uint64_t esp_bytes;     /* room needed on the ESP, rounded per file */
        struct esp_file *files; /* made by bootchain_build() */
        size_t n_files;
};

int bootchain_discover(const struct bootfiles *bf, const struct arch *arch,
                       const struct bootchain_options *o, struct bootchain *ret);
int bootchain_build(struct bootchain *bc, const struct bootfiles *bf, const char *root_partuuid,
                    const char *root_fs_uuid, const char *cmdline, int64_t clamp_time);
void bootchain_free(struct bootchain *bc);
const char *boot_mode_name(enum boot_mode m);
/* The modes that take the kernel (and maybe the bootloader) from ROOTFS. */
bool boot_mode_needs_rootfs(enum boot_mode m);
