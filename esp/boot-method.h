/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The boot-method table: one row per way of booting a root file system
 * from the ESP, each in its own file (esp/boot-systemd-boot.c,
 * esp/boot-grub.c, esp/boot-uki.c). A row says how it is chosen, what it
 * needs from ROOTFS, how much room it takes on the ESP and which files it
 * puts there. esp/bootchain.c does what every method shares (the kernel,
 * the initrd, os-release, the command line) and knows the methods only
 * through this table: adding one (Xen, a shim chain) is one new file and
 * one row in bootchain.c.
 *
 * This header is for the method files; the rest of the program uses
 * esp/bootchain.h.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "esp/bootchain.h"
#include "esp/bootfiles.h"

struct boot_method {
        const char *name;            /* for messages: "systemd-boot", "GRUB" */
        const char *bootloader_arg;  /* --bootloader ARG chooses it; NULL: an option of its own (--uki) */
        /* --bootloader auto takes the first method of the table whose present() says yes. NULL: never. */
        bool (*present)(const struct bootchain *bc, const struct bootfiles *bf);
        /* What present() looks for in ROOTFS, and what to install to have it: for messages. */
        const char *(*looks_for)(const struct arch *arch, char *buf, size_t len);
        const char *install_hint;    /* "systemd-boot-efi" */
        /* Find and check what it needs from ROOTFS besides the kernel and initrd; errors say what is missing. */
        int (*discover)(struct bootchain *bc, const struct bootfiles *bf);
        /* Room it needs on the ESP, each file rounded up to 4 KiB clusters. */
        uint64_t (*esp_bytes)(const struct bootchain *bc, const struct bootfiles *bf);
        /* Add its ESP files to bc (bootchain_add_*), booting the kernel with cmdline. */
        int (*build)(struct bootchain *bc, const struct bootfiles *bf, const struct boot_root *root,
                     const char *cmdline, int64_t mtime);
};

extern const struct boot_method boot_systemd_boot;
extern const struct boot_method boot_grub;
extern const struct boot_method boot_uki;

/* What the methods share, in esp/bootchain.c. Errors are logged. */
#define SYSTEMD_EFI_DIR "usr/lib/systemd/boot/efi"
#define ESP_SLACK (1024 * 1024)  /* room for configuration files and directories */

/* Whether a file exists in ROOTFS (symlinks resolved inside it). */
bool bootchain_exists(const struct bootfiles *bf, const char *path);
/* Size of a file of ROOTFS rounded up to 4 KiB (0 for NULL or a missing file). */
uint64_t bootchain_file_bytes(const struct bootfiles *bf, const char *path);
/* esp_bytes of a method that copies its loader, the kernel and the initrd onto the ESP. */
uint64_t bootchain_copied_files_bytes(const struct bootchain *bc, const struct bootfiles *bf);
/* ROOTFS's EFI application fmt % arch->efi_suffix into bc->loader, checked for the arch. */
int bootchain_find_loader(struct bootchain *bc, const struct bootfiles *bf, const char *fmt, const char *what);
/* "EFI/BOOT/BOOTAA64.EFI" (caller frees). */
int bootchain_removable_path(const struct bootchain *bc, char **ret);
/* Host path of a file of ROOTFS for a tool; NULL for NULL (caller frees). */
int bootchain_host_path(const struct bootfiles *bf, const char *path, char **ret);
/* An unlinked temporary file in the extraction directory. */
int bootchain_open_tmpfile(const struct bootfiles *bf, int *ret);

/* Files for the ESP: ROOTFS's file as it is, an open file (taken over), text (taken over). */
int bootchain_add_root_file(struct bootchain *bc, const struct bootfiles *bf, const char *esp_path, const char *path);
int bootchain_add_fd(struct bootchain *bc, const char *esp_path, int fd, int64_t mtime);
int bootchain_add_text(struct bootchain *bc, const char *esp_path, char *text, int64_t mtime);
/* The kernel, with an ARM zImage's PE header fixed (esp/zimage.h). */
int bootchain_add_kernel(struct bootchain *bc, const struct bootfiles *bf, const char *esp_path);
