/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "base/arch.h"
#include "esp/bootfiles.h"
#include "esp/esp.h"
#include "fs/fs.h"

/*
 * The boot chain: from what a root file system carries (a kernel, an
 * initrd, systemd-boot, systemd's EFI stub, GRUB's modules), the files the
 * ESP needs so that the image boots that root by the removable-media rule.
 *
 * Two steps, because the ESP's size is planned before the GUIDs exist:
 * bootchain_discover() finds the pieces and says how much room they need;
 * bootchain_build() writes the files once the root's PARTUUID is known.
 */

struct boot_method;  /* a row of the boot-method table: esp/boot-method.h */

/* What --bootloader (and --uki) asked for. */
enum boot_choice {
        BOOT_NONE,          /* no bootloader */
        BOOT_FILE,          /* --bootloader FILE: the user's */
        BOOT_AUTO,          /* the first method of the table ROOTFS carries */
        BOOT_METHOD,        /* the method named */
};

struct bootchain_options {
        enum boot_choice choice;
        const struct boot_method *method; /* for BOOT_METHOD */
        const char *kernel;     /* inside the root file system; NULL: discover */
        const char *initrd;     /* likewise; NULL: the kernel's match, if any */
        const char *cmdline;    /* added to root=PARTUUID=... rw console=... */
};

/* The root the boot chain boots, as the plan placed it. */
struct boot_root {
        const char *partuuid;   /* the root partition's GUID */
        const char *fs_id;      /* its file system's id, as GRUB's search --fs-uuid takes it */
};

struct bootchain {
        const struct arch *arch;
        const struct fs_handler *root_fs; /* the root's file system */
        const struct boot_method *method; /* as resolved */
        char *kernel;           /* canonical path inside the root: boot/vmlinuz-6.1.0-26-arm64 */
        char *initrd;           /* or NULL */
        char *version;          /* the kernel's, from its name; or NULL */
        char *loader;           /* systemd-boot, or the stub for a UKI */
        char *grub_modules;     /* host path of GRUB's module directory, staged (regular files only) */
        char *os_id;            /* os-release ID, or "linux" */
        char *os_name;          /* os-release PRETTY_NAME, or "Linux" */
        uint64_t esp_bytes;     /* room needed on the ESP, rounded per file */
        struct esp_file *files; /* made by bootchain_build() */
        size_t n_files;
};

int bootchain_discover(const struct bootfiles *bf, const struct arch *arch, const struct fs_handler *root_fs,
                       const struct bootchain_options *o, struct bootchain *ret);
int bootchain_build(struct bootchain *bc, const struct bootfiles *bf, const struct boot_root *root,
                    const char *cmdline, int64_t clamp_time);
void bootchain_free(struct bootchain *bc);

/* A name a package manager or an editor leaves beside a kernel (vmlinuz-6.1.old,
 * .bak, ~, .dpkg-*, .rpmnew, .rpmsave): never chosen as the newest kernel. */
bool bootchain_is_leftover(const char *name);

/* The method --bootloader ARG names ("systemd-boot", "grub"), or NULL. */
const struct boot_method *boot_method_for_bootloader_arg(const char *arg);
/* The unified kernel image method, which --uki chooses. */
const struct boot_method *boot_method_uki(void);
/* For messages: "systemd-boot", "GRUB", "a unified kernel image". */
const char *boot_method_name(const struct boot_method *m);
/* The choices that take the kernel (and maybe the bootloader) from ROOTFS. */
static inline bool boot_choice_needs_rootfs(enum boot_choice c)
{
        return c == BOOT_AUTO || c == BOOT_METHOD;
}
