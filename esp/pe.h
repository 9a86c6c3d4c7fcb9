/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>
#include <stdint.h>

/*
 * PE/COFF headers of EFI binaries (bootloaders, kernels with the EFI stub,
 * UKIs). Files are untrusted: every offset and size is checked against the
 * file size before it is read, and only pread() is used.
 */

#define PE_MACHINE_I386            0x014c
#define PE_MACHINE_ARMTHUMB_MIXED  0x01c2
#define PE_MACHINE_ARMNT           0x01c4
#define PE_MACHINE_AMD64           0x8664
#define PE_MACHINE_ARM64           0xaa64
#define PE_MACHINE_RISCV64         0x5064

#define PE_MAGIC_PE32              0x10b
#define PE_MAGIC_PE32PLUS          0x20b

#define PE_SUBSYSTEM_EFI_APPLICATION 10

#define PE_SECTION_NAME_MAX 8

struct pe_info {
        uint16_t machine;        /* COFF machine, e.g. 0xAA64 */
        uint16_t magic;          /* optional header magic: 0x10b PE32, 0x20b PE32+ */
        uint16_t subsystem;      /* 10 = EFI application */
        uint32_t section_alignment, file_alignment, size_of_image;
        uint16_t number_of_sections;

        /* Layout, for tools that rewrite or extend the file (UKI assembly). */
        uint32_t pe_offset;              /* e_lfanew: where "PE\0\0" is */
        uint16_t characteristics;        /* COFF characteristics */
        uint16_t size_of_optional_header;
        uint32_t optional_header_offset; /* pe_offset + 24 */
        uint32_t section_table_offset;   /* optional header offset + its size */
        uint32_t size_of_headers;
        uint64_t image_base;
        uint16_t dll_characteristics;
        uint32_t number_of_rva_and_sizes;
        uint64_t file_size;
        /* Largest end of any section's raw data (0 if none): what follows
         * (e.g. an Authenticode signature) is not part of the image. */
        uint64_t end_of_raw_data;
};

struct pe_section {
        char name[PE_SECTION_NAME_MAX + 1];  /* NUL-terminated; long "/nnn" names kept as is */
        uint32_t virtual_size, virtual_address;
        uint32_t size_of_raw_data, pointer_to_raw_data;
        uint32_t characteristics;
};

/*
 * Parse the headers of the PE file open at fd, including the section table
 * (each section's raw data must lie inside the file). `what` names the file
 * in messages ("bootloader x.efi"). Returns 0, or -EINVAL with a logged
 * message ("... is not a PE file: no MZ signature", "... truncated PE
 * header", ...), or a negative errno for I/O errors (logged too).
 */
int pe_read_info(int fd, const char *what, struct pe_info *ret);

/*
 * Read the section table of a file that pe_read_info() accepted. On success
 * *ret is a malloc'ed array of info->number_of_sections entries (NULL when
 * there are none) that the caller frees.
 */
int pe_read_sections(int fd, const char *what, const struct pe_info *info, struct pe_section **ret);

/*
 * Check that the file is an EFI application for `machine` with optional
 * header `magic`: MZ + "PE\0\0" signatures, machine, magic, subsystem 10.
 * On mismatch logs what was expected and what was found, with names, e.g.
 * "bootloader x.efi: PE machine is 0x8664 (x86-64), expected 0xAA64 (AArch64)",
 * and returns -EINVAL.
 */
int pe_check_efi_app(int fd, const char *what, uint16_t machine, uint16_t magic);

/* "AArch64", "ARM Thumb mixed", "x86-64", "ARMNT", ..., "unknown" */
const char *pe_machine_name(uint16_t machine);
/* "PE32", "PE32+", "unknown" */
const char *pe_magic_name(uint16_t magic);
/* "EFI application", "Windows console", ..., "unknown" */
const char *pe_subsystem_name(uint16_t subsystem);
