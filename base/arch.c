/* SPDX-License-Identifier: MIT */
#include "base/arch.h"

#include <stddef.h>
#include <strings.h>

#include "base/util.h"

static const struct arch arches[] = {
        {
                .name = "aa64",
                .aliases = { "aarch64", "arm64", NULL },
                .removable_file = "BOOTAA64.EFI",
                .pe_machine = 0xAA64,
                .pe_magic = 0x20b,
                .root_type_guid = "B921B045-1DF0-41C3-AF44-4C6F280D3FAE",
                .efi_suffix = "aa64",
                .grub_format = "arm64-efi",
                .grub_package = "grub-efi-arm64-bin",
                .console = "ttyAMA0",
                .description = "64-bit ARM (AArch64)",
        },
        {
                .name = "arm",
                .aliases = { "armhf", "armv7", NULL },
                .removable_file = "BOOTARM.EFI",
                /* EDK2 loads only ARMTHUMB_MIXED for 32-bit ARM, not ARMNT. */
                .pe_machine = 0x01C2,
                .pe_magic = 0x10b,
                .root_type_guid = "69DAD710-2CE4-4E3C-B16C-21A1D49ABED3",
                .efi_suffix = "arm",
                .grub_format = "arm-efi",
                .grub_package = "grub-efi-arm-bin",
                .console = "ttyAMA0",
                .description = "32-bit ARM (AArch32)",
        },
};

const struct arch *arch_find(const char *name)
{
        if (!name)
                return NULL;
        for (size_t i = 0; i < ELEMENTSOF(arches); i++) {
                if (strcasecmp(name, arches[i].name) == 0)
                        return &arches[i];
                for (const char *const *a = arches[i].aliases; *a; a++)
                        if (strcasecmp(name, *a) == 0)
                                return &arches[i];
        }
        return NULL;
}

const struct arch *arch_table(size_t *ret_n)
{
        *ret_n = ELEMENTSOF(arches);
        return arches;
}

const char *arch_list(void)
{
        return "aa64 (aarch64, arm64), arm (armhf, armv7)";
}
