/* SPDX-License-Identifier: MIT */
#pragma once

#include "platform/machine.h"

struct firmware_options {
        const char *descriptor_dir; /* --firmware-dir: search only here */
        const char *edk2_code;      /* --edk2-code: skip the descriptors */
        const char *edk2_vars;      /* --edk2-vars */
        const char *uboot_bin;      /* --uboot */
};

struct edk2_firmware {
        char *code;           /* read-only pflash0 */
        char *vars_template;  /* copied per run into pflash1 */
        char *descriptor;     /* where they were found, for the log; may be NULL */
};

/*
 * Locate the EDK2 build fw (of an architecture's platform row) through
 * QEMU's firmware descriptors (QEMU's docs/interop/firmware.json), the way libvirt does: the directories
 * $XDG_CONFIG_HOME/qemu/firmware, /etc/qemu/firmware and
 * /usr/share/qemu/firmware are merged by file name (a file in an earlier
 * one hides the same name in a later one; an empty file just hides),
 * sorted by name, and the first descriptor that fits wins. Secure-boot
 * builds are passed over: the harness checks that an image boots, not that
 * it is signed.
 */
int edk2_firmware_find(const struct platform_firmware *fw, const struct firmware_options *o, struct edk2_firmware *ret);
void edk2_firmware_done(struct edk2_firmware *f);

/* U-Boot: --uboot, else the row's -bios image. */
int uboot_firmware_find(const struct platform_firmware *fw, const struct firmware_options *o, char **ret);
