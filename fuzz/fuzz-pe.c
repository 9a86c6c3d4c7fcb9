/* SPDX-License-Identifier: MIT */
/*
 * The PE/COFF reader (esp/pe.c): an input is an EFI binary, read by
 * pe_read_info(), pe_read_sections() and pe_check_efi_app() (AArch64
 * PE32+, as for a bootloader) through a memfd. What it accepts must keep
 * the promises of esp/pe.h: the section table and every section's raw
 * data inside the file (UKI assembly and the ESP copy rely on them).
 * Seeds: PE files made by fuzz-make-seeds.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esp/pe.h"
#include "fuzz-input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void broken(const char *promise)
{
        fprintf(stderr, "fuzz-pe: pe_read_info/pe_read_sections accepted a file that breaks: %s\n", promise);
        abort();
}

static void check_accepted(const struct pe_info *info, const struct pe_section *sections, size_t size)
{
        if (info->file_size != size)
                broken("file_size is the file's size");
        if (info->end_of_raw_data > size)
                broken("the sections' raw data ends inside the file");
        if ((uint64_t) info->section_table_offset + (uint64_t) info->number_of_sections * 40 > size)
                broken("the section table lies inside the file");
        for (size_t i = 0; i < info->number_of_sections; i++) {
                if (sections[i].size_of_raw_data &&
                    (uint64_t) sections[i].pointer_to_raw_data + sections[i].size_of_raw_data > size)
                        broken("each section's raw data lies inside the file");
                if (memchr(sections[i].name, 0, sizeof(sections[i].name)) == NULL)
                        broken("section names are NUL-terminated");
        }
}

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
                if (pe_read_sections(fd, "fuzz input", &info, &sections) == 0) {
                        check_accepted(&info, sections, size);
                        free(sections);
                }
        }
        (void) pe_check_efi_app(fd, "fuzz input", PE_MACHINE_ARM64, PE_MAGIC_PE32PLUS);
        return 0;
}
