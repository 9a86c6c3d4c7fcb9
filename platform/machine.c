/* SPDX-License-Identifier: MIT */
#include "platform/machine.h"

#include <string.h>

#include "base/util.h"

const struct firmware_family firmware_edk2 = {
        .kind = FIRMWARE_EDK2,
        .name = "edk2",
        .display_name = "EDK2",
        .load = FIRMWARE_LOAD_PFLASH,
        .flash_size = 64 * MIB,
        .boot_menu_timeout = true,
};

const struct firmware_family firmware_uboot = {
        .kind = FIRMWARE_UBOOT,
        .name = "uboot",
        .display_name = "U-Boot",
        .load = FIRMWARE_LOAD_BIOS,
};

static const struct irqchip gicv2 = { .name = "gicv2", .machine_option = "gic-version=2", .gic_version = 2 };
static const struct irqchip gicv3 = { .name = "gicv3", .machine_option = "gic-version=3", .gic_version = 3 };

/* virtio-pci is what the VM spec recommends (a hotpluggable bus); virtio-mmio appears in practice. */
static const struct disk_bus bus_pci = { .name = "pci", .device = "virtio-blk-pci" };
static const struct disk_bus bus_mmio = {
        .name = "mmio",
        .device = "virtio-blk-device",
        .libvirt_address = "virtio-mmio",
};

/*
 * "max" stands in for "a CPU newer than the reference one". ACPI varies only
 * where it changes something: U-Boot always hands over QEMU's device tree,
 * and AAVMF32 has no ACPI.
 */
static const struct platform_arch platform_arches[] = {
        {
                .arch = "aa64",
                .qemu = "qemu-system-aarch64",
                .qemu_package = "qemu-system-arm",
                .machine = "virt",
                .libvirt_arch = "aarch64",
                .cpus = { "cortex-a57", "max" },
                .irqchips = { &gicv3, &gicv2 },
                .buses = { &bus_pci, &bus_mmio },
                .firmware = {
                        {
                                .family = &firmware_edk2,
                                .acpi = true,
                                .package = "qemu-efi-aarch64",
                                .descriptor_arch = "aarch64",
                        },
                        {
                                .family = &firmware_uboot,
                                .package = "u-boot-qemu",
                                .bios = "/usr/lib/u-boot/qemu_arm64/u-boot.bin",
                        },
                },
        },
        {
                .arch = "arm",
                .qemu = "qemu-system-arm",
                .qemu_package = "qemu-system-arm",
                .machine = "virt",
                .libvirt_arch = "armv7l",
                .cpus = { "cortex-a15" },
                .irqchips = { &gicv2, &gicv3 },
                .buses = { &bus_pci, &bus_mmio },
                .firmware = {
                        {
                                .family = &firmware_edk2,
                                .package = "qemu-efi-arm",
                                .descriptor_arch = "arm",
                        },
                        {
                                .family = &firmware_uboot,
                                .package = "u-boot-qemu",
                                .bios = "/usr/lib/u-boot/qemu_arm/u-boot.bin",
                        },
                },
        },
};

const struct platform_arch *platform_arch_find(const struct arch *a)
{
        if (!a)
                return NULL;
        for (size_t i = 0; i < ELEMENTSOF(platform_arches); i++)
                if (strcmp(platform_arches[i].arch, a->name) == 0)
                        return &platform_arches[i];
        return NULL;
}

const struct platform_arch *platform_arch_table(size_t *ret_n)
{
        *ret_n = ELEMENTSOF(platform_arches);
        return platform_arches;
}

const struct platform_firmware *platform_arch_firmware(const struct platform_arch *pa, enum firmware_kind kind)
{
        for (size_t i = 0; i < PLATFORM_MAX_CHOICES && pa->firmware[i].family; i++)
                if (pa->firmware[i].family->kind == kind)
                        return &pa->firmware[i];
        return NULL;
}
