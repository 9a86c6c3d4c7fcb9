/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/arch.h"

/* The matrix's architectures; what each is (QEMU binary, firmware packages, ...) is arch.h's row. */
enum arch_id {
        ARCH_AA64,
        ARCH_ARM,
        _ARCH_MAX,
};

enum firmware_kind {
        FIRMWARE_EDK2,
        FIRMWARE_UBOOT,
};

enum disk_bus {
        BUS_PCI,   /* virtio-blk-pci on the PCIe host bridge */
        BUS_MMIO,  /* virtio-blk-device on a virtio-mmio transport */
};

/* One cell of the reference platform matrix. */
struct platform {
        const char *name;
        enum arch_id arch;
        enum firmware_kind firmware;
        unsigned gic_version;
        enum disk_bus bus;
        bool acpi;          /* only meaningful for EDK2 on aa64 */
        const char *cpu;
        bool is_default;    /* part of the quick default set */
};

const struct arch *arch_get(enum arch_id arch);
int arch_from_string(const char *s, enum arch_id *ret);
const char *arch_name_of_pe_machine(uint16_t machine);
const char *firmware_kind_name(enum firmware_kind kind);

const struct platform *platform_table(size_t *ret_n);

/*
 * Resolve --platform values (each a comma-separated list of cell names,
 * "default" or "all") for one architecture into table order. An empty spec
 * list selects the default cells. Returns the number of cells or -errno.
 */
int platform_select(enum arch_id arch, char *const *specs, size_t n_specs,
                    const struct platform ***ret);
void platform_list(FILE *f);
