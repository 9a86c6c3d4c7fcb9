/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The reference platform model: what QEMU machine an architecture runs on,
 * with which CPUs, interrupt controllers, disk buses and firmware families.
 * Each kind of thing is a small table; an architecture's row lists the
 * entries it supports, reference one first. The harness's cells (cells.h)
 * are generated from these rows, and one QEMU argv builder (qemu-argv.h)
 * serves the harness, the bundle's run script and its libvirt domain.
 *
 * Adding OVMF on q35 or OpenSBI is a firmware family row plus an
 * architecture row naming it, not new branches.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arch.h"

/* Which firmware: the verdict reads each one's console messages differently. */
enum firmware_kind {
        FIRMWARE_EDK2,
        FIRMWARE_UBOOT,
};

/* How QEMU is handed the firmware. */
enum firmware_load {
        FIRMWARE_LOAD_PFLASH,  /* CODE as read-only pflash0, a writable VARS flash as pflash1 */
        FIRMWARE_LOAD_BIOS,    /* one image, -bios FILE */
};

struct firmware_family {
        enum firmware_kind kind;
        const char *name;          /* in cell names: "edk2" */
        const char *display_name;  /* for people: "EDK2" */
        enum firmware_load load;
        uint64_t flash_size;       /* pflash: every flash file must be exactly this big (QEMU refuses others) */
        /*
         * Takes its front-page timeout from QEMU's boot-menu wait (-boot
         * menu=on,splash-time=0): ArmVirtQemu's default 5 s wait is most of
         * an EFI-app boot, and the image under test cannot tell.
         */
        bool boot_menu_timeout;
};

extern const struct firmware_family firmware_edk2;
extern const struct firmware_family firmware_uboot;

/* An interrupt controller, set with a machine option. */
struct irqchip {
        const char *name;            /* in cell names: "gicv3" */
        const char *machine_option;  /* appended to -M: "gic-version=3" */
        unsigned gic_version;        /* libvirt's <gic version=...> */
};

/* How the disk is attached. */
struct disk_bus {
        const char *name;            /* in cell names: "pci" */
        const char *device;          /* QEMU's virtio-blk device on it */
        const char *libvirt_address; /* <address type=...> of the disk, NULL: libvirt's default (PCI) */
};

/* One firmware family's build for one architecture. */
struct platform_firmware {
        const struct firmware_family *family;
        /* Hands the OS ACPI tables (AAVMF does, AAVMF32 not): then ACPI on and off are two cells. */
        bool acpi;
        const char *package;          /* the Debian package it comes from */
        const char *descriptor_arch;  /* pflash: "architecture" in QEMU firmware descriptors */
        const char *bios;             /* bios: the default image */
};

#define PLATFORM_MAX_CHOICES 4

/*
 * An architecture on QEMU: one row per architecture the harness boots. The
 * first CPU, interrupt controller, bus and firmware of each list make the
 * reference (default) cells.
 */
struct platform_arch {
        const char *arch;               /* the row in base/arch.h, by name */
        const char *qemu;               /* system emulator binary */
        const char *qemu_package;       /* the Debian package with it */
        const char *machine;            /* -M, libvirt's machine= */
        const char *accel;              /* -accel; NULL: QEMU's default (TCG: no KVM for these guests) */
        const char *libvirt_arch;       /* libvirt's <type arch=...> */
        /* Reference CPU first; each other one is one more cell on the reference settings. */
        const char *cpus[PLATFORM_MAX_CHOICES];
        const struct irqchip *irqchips[PLATFORM_MAX_CHOICES];
        const struct disk_bus *buses[PLATFORM_MAX_CHOICES];
        struct platform_firmware firmware[PLATFORM_MAX_CHOICES];
};

/* The row for a, NULL if the harness does not know how to boot it. */
const struct platform_arch *platform_arch_find(const struct arch *a);
/* Every row, in matrix order. */
const struct platform_arch *platform_arch_table(size_t *ret_n);
/* a's build of the firmware family kind, NULL if there is none. */
const struct platform_firmware *platform_arch_firmware(const struct platform_arch *pa, enum firmware_kind kind);
