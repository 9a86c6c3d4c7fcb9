/* SPDX-License-Identifier: MIT */
#include "platform/platform.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/util.h"

#define CELL(n, a, fw, gic, b, acpi_, cpu_, def) \
        { .name = n, .arch = a, .firmware = fw, .gic_version = gic, .bus = b, \
          .acpi = acpi_, .cpu = cpu_, .is_default = def }

/*
 * The matrix, one row per cell. ACPI on/off only changes anything for EDK2
 * on aa64 (U-Boot always hands over QEMU's device tree; AAVMF32 has no
 * ACPI), and "max" stands in for "a CPU newer than the reference one", so
 * those vary only where they can make a difference.
 */
static const struct platform platforms[] = {
        CELL("aa64-edk2-gicv3-pci",          ARCH_AA64, FIRMWARE_EDK2,  3, BUS_PCI,  true,  "cortex-a57", true),
        CELL("aa64-edk2-gicv3-pci-noacpi",   ARCH_AA64, FIRMWARE_EDK2,  3, BUS_PCI,  false, "cortex-a57", false),
        CELL("aa64-edk2-gicv3-mmio",         ARCH_AA64, FIRMWARE_EDK2,  3, BUS_MMIO, true,  "cortex-a57", false),
        CELL("aa64-edk2-gicv3-mmio-noacpi",  ARCH_AA64, FIRMWARE_EDK2,  3, BUS_MMIO, false, "cortex-a57", false),
        CELL("aa64-edk2-gicv2-pci",          ARCH_AA64, FIRMWARE_EDK2,  2, BUS_PCI,  true,  "cortex-a57", false),
        CELL("aa64-edk2-gicv2-pci-noacpi",   ARCH_AA64, FIRMWARE_EDK2,  2, BUS_PCI,  false, "cortex-a57", false),
        CELL("aa64-edk2-gicv2-mmio",         ARCH_AA64, FIRMWARE_EDK2,  2, BUS_MMIO, true,  "cortex-a57", false),
        CELL("aa64-edk2-gicv2-mmio-noacpi",  ARCH_AA64, FIRMWARE_EDK2,  2, BUS_MMIO, false, "cortex-a57", false),
        CELL("aa64-edk2-gicv3-pci-max",      ARCH_AA64, FIRMWARE_EDK2,  3, BUS_PCI,  true,  "max",        false),
        CELL("aa64-uboot-gicv3-pci",         ARCH_AA64, FIRMWARE_UBOOT, 3, BUS_PCI,  false, "cortex-a57", true),
        CELL("aa64-uboot-gicv3-mmio",        ARCH_AA64, FIRMWARE_UBOOT, 3, BUS_MMIO, false, "cortex-a57", false),
        CELL("aa64-uboot-gicv2-pci",         ARCH_AA64, FIRMWARE_UBOOT, 2, BUS_PCI,  false, "cortex-a57", false),
        CELL("aa64-uboot-gicv2-mmio",        ARCH_AA64, FIRMWARE_UBOOT, 2, BUS_MMIO, false, "cortex-a57", false),
        CELL("aa64-uboot-gicv3-pci-max",     ARCH_AA64, FIRMWARE_UBOOT, 3, BUS_PCI,  false, "max",        false),
        CELL("arm-edk2-gicv2-pci",           ARCH_ARM,  FIRMWARE_EDK2,  2, BUS_PCI,  false, "cortex-a15", true),
        CELL("arm-edk2-gicv2-mmio",          ARCH_ARM,  FIRMWARE_EDK2,  2, BUS_MMIO, false, "cortex-a15", false),
        CELL("arm-edk2-gicv3-pci",           ARCH_ARM,  FIRMWARE_EDK2,  3, BUS_PCI,  false, "cortex-a15", false),
        CELL("arm-edk2-gicv3-mmio",          ARCH_ARM,  FIRMWARE_EDK2,  3, BUS_MMIO, false, "cortex-a15", false),
        CELL("arm-uboot-gicv2-pci",          ARCH_ARM,  FIRMWARE_UBOOT, 2, BUS_PCI,  false, "cortex-a15", true),
        CELL("arm-uboot-gicv2-mmio",         ARCH_ARM,  FIRMWARE_UBOOT, 2, BUS_MMIO, false, "cortex-a15", false),
        CELL("arm-uboot-gicv3-pci",          ARCH_ARM,  FIRMWARE_UBOOT, 3, BUS_PCI,  false, "cortex-a15", false),
        CELL("arm-uboot-gicv3-mmio",         ARCH_ARM,  FIRMWARE_UBOOT, 3, BUS_MMIO, false, "cortex-a15", false),
};

/* The matrix numbers the architectures; what each one is comes from mkimage's table (arch.h). */
static const char *const arch_names[_ARCH_MAX] = {
        [ARCH_AA64] = "aa64",
        [ARCH_ARM] = "arm",
};

const struct arch *arch_get(enum arch_id arch)
{
        return arch_find(arch_names[arch]);
}

int arch_from_string(const char *s, enum arch_id *ret)
{
        const struct arch *a = arch_find(s);

        for (size_t i = 0; a && i < _ARCH_MAX; i++)
                if (arch_get((enum arch_id) i) == a) {
                        *ret = (enum arch_id) i;
                        return 0;
                }
        return -EINVAL;
}

const char *arch_name_of_pe_machine(uint16_t machine)
{
        for (size_t i = 0; i < _ARCH_MAX; i++)
                if (arch_get((enum arch_id) i)->pe_machine == machine)
                        return arch_get((enum arch_id) i)->name;
        switch (machine) {
        case 0x01c4: return "arm (ARMNT 0x01C4, which UEFI firmware refuses)";
        case 0x8664: return "x64";
        case 0x014c: return "ia32";
        case 0x5064: return "riscv64";
        default: return NULL;
        }
}

const char *firmware_kind_name(enum firmware_kind kind)
{
        return kind == FIRMWARE_EDK2 ? "EDK2" : "U-Boot";
}

const struct platform *platform_table(size_t *ret_n)
{
        *ret_n = ELEMENTSOF(platforms);
        return platforms;
}

static int select_token(enum arch_id arch, const char *token, bool *selected)
{
        bool all = strcmp(token, "all") == 0, def = strcmp(token, "default") == 0;
        bool found = false;

        for (size_t i = 0; i < ELEMENTSOF(platforms); i++) {
                const struct platform *p = &platforms[i];

                if (all || (def && p->is_default) || strcmp(token, p->name) == 0) {
                        if (p->arch != arch) {
                                if (all || def)
                                        continue;
                                return log_error(-EINVAL, "platform %s is for %s, not %s",
                                                 token, arch_get(p->arch)->name, arch_get(arch)->name);
                        }
                        selected[i] = true;
                        found = true;
                }
        }
        if (!found)
                return log_error(-EINVAL, "unknown platform \"%s\" (see --list-platforms)", token);
        return 0;
}

int platform_select(enum arch_id arch, char *const *specs, size_t n_specs,
                    const struct platform ***ret)
{
        bool selected[ELEMENTSOF(platforms)] = {};
        const struct platform **list;
        size_t n = 0;
        int r;

        if (n_specs == 0) {
                r = select_token(arch, "default", selected);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < n_specs; i++) {
                _cleanup_free_ char *copy = strdup(specs[i]);
                char *save = NULL;

                if (!copy)
                        return log_error_errno(-ENOMEM, "cannot select platforms");
                for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
                        r = select_token(arch, t, selected);
                        if (r < 0)
                                return r;
                }
        }

        list = calloc(ELEMENTSOF(platforms), sizeof(*list));
        if (!list)
                return log_error_errno(-ENOMEM, "cannot select platforms");
        for (size_t i = 0; i < ELEMENTSOF(platforms); i++)
                if (selected[i])
                        list[n++] = &platforms[i];
        if (n == 0) {
                free(list);
                return log_error(-EINVAL, "no platform selected");
        }
        *ret = list;
        return (int) n;
}

void platform_list(FILE *f)
{
        for (size_t i = 0; i < ELEMENTSOF(platforms); i++) {
                const struct platform *p = &platforms[i];

                fprintf(f, "%-30s %-6s %-6s gicv%u %-4s %-10s%s%s\n", p->name,
                        arch_get(p->arch)->name, firmware_kind_name(p->firmware), p->gic_version,
                        p->bus == BUS_PCI ? "pci" : "mmio", p->cpu,
                        p->firmware == FIRMWARE_EDK2 && p->arch == ARCH_AA64 ? (p->acpi ? " acpi" : " noacpi") : "",
                        p->is_default ? " (default)" : "");
        }
}
