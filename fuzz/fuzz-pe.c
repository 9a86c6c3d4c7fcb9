/* SPDX-License-Identifier: MIT */
/*
 * The PE/COFF reader (esp/pe.c): an input is an EFI binary, read by
 * pe_read_info(), pe_read_sections() and pe_check_efi_app() (AArch64
 * PE32+, as for a bootloader) through a memfd. Seeds: PE files made by
 * fuzz-make-seeds.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "esp/pe.h"
#include "fuzz-input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static int fd = -1;
        struct pe_section *sections = NULL;
        struct pe_info info;

        if (fd < 0)
                fd = fuzz_memfd("fuzz.efi");
        fuzz_memfd_set(fd, data, size, 0);
        if (pe_read_info(fd, "fuzz input", &info) == 0) {
                (void) pe_machine_name(info.machine);
                (void) pe_magic_name(info.magic);
                (void) pe_subsystem_name(info.subsystem);
                if (pe_read_sections(fd, "fuzz input", &info, &sections) == 0)
                        free(sections);
        }
        (void) pe_check_efi_app(fd, "fuzz input", PE_MACHINE_ARM64, PE_MAGIC_PE32PLUS);
        return 0;
}
