/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "platform/machine.h"

/*
 * One cell of the harness's platform matrix: an architecture's machine with
 * one choice of each of its options. Cells are generated from the rows of
 * machine.c (arch x firmware x interrupt controller x bus x ACPI, then each
 * further CPU on the reference settings), never written by hand.
 */
struct platform {
        char name[64];                              /* "aa64-edk2-gicv3-pci-noacpi" */
        const struct arch *arch;
        const struct platform_arch *machine;        /* the architecture's row */
        const struct platform_firmware *firmware;
        const struct irqchip *irqchip;              /* NULL: the machine offers no choice */
        const struct disk_bus *bus;
        bool acpi;                                  /* the firmware hands over ACPI tables (only if it can) */
        const char *cpu;
        bool is_default;                            /* part of the quick default set */
};

struct platform_matrix {
        struct platform *cells;
        size_t n;
};

/* Every cell of every architecture with a row, in matrix order. */
int platform_matrix_generate(struct platform_matrix *ret);
void platform_matrix_done(struct platform_matrix *m);

/*
 * Resolve --platform values (each a comma-separated list of cell names,
 * "default" or "all") for one architecture into matrix order. An empty spec
 * list selects the default cells. Returns the number of cells or -errno
 * (logged); *ret points into m.
 */
int platform_select(const struct platform_matrix *m, const struct arch *arch, char *const *specs, size_t n_specs,
                    const struct platform ***ret);
/* One line per cell: name, architecture, firmware, interrupt controller, bus, CPU, ACPI, default. */
void platform_list(const struct platform_matrix *m, FILE *f);
/* The default cell of arch with the firmware family kind, NULL if there is none. */
const struct platform *platform_reference(const struct platform_matrix *m, const struct arch *arch,
                                          enum firmware_kind kind);
