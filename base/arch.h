/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * One row per architecture: everything that differs between them lives here,
 * so adding x64 or riscv64 is a new row, not new branches.
 */
struct arch {
        const char *name;            /* canonical CLI name: "aa64" */
        const char *aliases[3];      /* other accepted names, NULL-terminated */
        const char *removable_file;  /* file name under \EFI\BOOT\ */
        uint16_t pe_machine;         /* COFF machine of EFI applications */
        uint16_t pe_magic;           /* optional header magic: PE32 or PE32+ */
        const char *root_type_guid;  /* Discoverable Partitions root type */
        const char *efi_suffix;      /* systemd's file names: systemd-boot<sfx>.efi, linux<sfx>.efi.stub */
        const char *grub_format;     /* grub-mkimage -O, and the module directory's name */
        const char *grub_package;    /* the Debian package with those modules */
        const char *console;         /* the kernel console on QEMU virt (pl011) */
        const char *description;
        /* How it runs on QEMU (emulator, machine, firmware) is platform/machine.c's row for it. */
};

/* Look up by canonical name or alias (case-insensitive); NULL if unknown. */
const struct arch *arch_find(const char *name);
/* The rows, for code that must look at every architecture. */
const struct arch *arch_table(size_t *ret_n);
/* "aa64 (aarch64, arm64), arm (armhf, armv7)", for messages and --help. */
const char *arch_list(void);
