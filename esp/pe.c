/* SPDX-License-Identifier: MIT */
#include "esp/pe.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/param.h>
#include <sys/stat.h>

#include "base/byteorder.h"
#include "base/log.h"
#include "base/util.h"

/*
 * Layout per the Microsoft PE/COFF specification. Fields are decoded from
 * byte arrays (little-endian) rather than overlaid with packed structs, so
 * neither host endianness nor alignment matters.
 */
#define DOS_HEADER_SIZE         64
#define DOS_E_LFANEW            0x3c
#define PE_SIGNATURE_SIZE       4
#define COFF_HEADER_SIZE        20
#define SECTION_HEADER_SIZE     40

/* COFF file header, relative to its start (just after "PE\0\0"). */
#define COFF_MACHINE            0
#define COFF_NUMBER_OF_SECTIONS 2
#define COFF_SIZE_OF_OPT_HEADER 16
#define COFF_CHARACTERISTICS    18

/* Optional header fields at the same place in PE32 and PE32+. */
#define OPT_MAGIC               0
#define OPT_SECTION_ALIGNMENT   32
#define OPT_FILE_ALIGNMENT      36
#define OPT_SIZE_OF_IMAGE       56
#define OPT_SIZE_OF_HEADERS     60
#define OPT_SUBSYSTEM           68
#define OPT_DLL_CHARACTERISTICS 70
/* Where they differ, and how much each needs before the data directories. */
#define OPT32_IMAGE_BASE        28
#define OPT32_NUMBER_OF_RVA     92
#define OPT32_MIN_SIZE          96
#define OPT64_IMAGE_BASE        24
#define OPT64_NUMBER_OF_RVA     108
#define OPT64_MIN_SIZE          112

/* Section header fields. */
#define SEC_NAME                0
#define SEC_VIRTUAL_SIZE        8
#define SEC_VIRTUAL_ADDRESS     12
#define SEC_SIZE_OF_RAW_DATA    16
#define SEC_POINTER_TO_RAW_DATA 20
#define SEC_CHARACTERISTICS     36

struct name_entry {
        uint16_t value;
        const char *name;
};

static const struct name_entry machine_names[] = {
        { 0x0000,                    "unknown (any machine)" },
        { PE_MACHINE_I386,           "i386" },
        { 0x0166,                    "MIPS R4000" },
        { 0x01c0,                    "ARM" },
        { PE_MACHINE_ARMTHUMB_MIXED, "ARM Thumb mixed" },
        { PE_MACHINE_ARMNT,          "ARMNT" },
        { 0x01f0,                    "PowerPC" },
        { 0x0200,                    "IA-64" },
        { 0x0ebc,                    "EFI byte code" },
        { 0x5032,                    "RISC-V 32" },
        { PE_MACHINE_RISCV64,        "RISC-V 64" },
        { 0x5128,                    "RISC-V 128" },
        { 0x6232,                    "LoongArch 32" },
        { 0x6264,                    "LoongArch 64" },
        { PE_MACHINE_AMD64,          "x86-64" },
        { 0xa641,                    "ARM64EC" },
        { 0xa64e,                    "ARM64X" },
        { PE_MACHINE_ARM64,          "AArch64" },
};

static const struct name_entry magic_names[] = {
        { 0x107,             "ROM image" },
        { PE_MAGIC_PE32,     "PE32" },
        { PE_MAGIC_PE32PLUS, "PE32+" },
};

static const struct name_entry subsystem_names[] = {
        { 0,  "unknown" },
        { 1,  "native" },
        { 2,  "Windows GUI" },
        { 3,  "Windows console" },
        { 5,  "OS/2 console" },
        { 7,  "POSIX console" },
        { 8,  "native Windows" },
        { 9,  "Windows CE GUI" },
        { PE_SUBSYSTEM_EFI_APPLICATION, "EFI application" },
        { 11, "EFI boot service driver" },
        { 12, "EFI runtime driver" },
        { 13, "EFI ROM" },
        { 14, "Xbox" },
        { 16, "Windows boot application" },
};

static const char *lookup_name(const struct name_entry *table, size_t n, uint16_t value)
{
        for (size_t i = 0; i < n; i++)
                if (table[i].value == value)
                        return table[i].name;
        return "unknown";
}

const char *pe_machine_name(uint16_t machine)
{
        return lookup_name(machine_names, ELEMENTSOF(machine_names), machine);
}

const char *pe_magic_name(uint16_t magic)
{
        return lookup_name(magic_names, ELEMENTSOF(magic_names), magic);
}

const char *pe_subsystem_name(uint16_t subsystem)
{
        return lookup_name(subsystem_names, ELEMENTSOF(subsystem_names), subsystem);
}

/*
 * Read `len` bytes of the part of the file called `part` at `offset`,
 * refusing (as a truncated file) anything that does not lie inside it.
 */
static int read_part_of_file(int fd, const char *what, const char *part,
                             void *buf, size_t len, uint64_t offset, uint64_t file_size)
{
        int r;

        if (offset > file_size || len > file_size - offset)
                return log_error(-EINVAL,
                                 "%s: truncated %s: it needs %zu bytes at offset %" PRIu64
                                 ", the file has %" PRIu64 " bytes",
                                 what, part, len, offset, file_size);

        r = pread_all(fd, buf, len, offset);
        if (r < 0)
                return log_error_errno(r, "cannot read the %s of %s", part, what);
        return 0;
}

static int get_file_size(int fd, const char *what, uint64_t *ret)
{
        struct stat st;

        if (fstat(fd, &st) < 0)
                return log_error_errno(-errno, "cannot stat %s", what);
        if (!S_ISREG(st.st_mode))
                return log_error(-EINVAL, "%s is not a PE file: not a regular file", what);
        *ret = (uint64_t) st.st_size;
        return 0;
}

static int read_dos_header(int fd, const char *what, uint64_t file_size, uint32_t *ret_pe_offset)
{
        uint8_t dos[DOS_HEADER_SIZE];
        int r;

        if (file_size == 0)
                return log_error(-EINVAL, "%s is not a PE file: the file is empty", what);

        /* Look at the signature first: a short text file is "not PE", not "truncated". */
        r = read_part_of_file(fd, what, "DOS header", dos, MIN(file_size, (uint64_t) 2), 0, file_size);
        if (r < 0)
                return r;
        if (file_size < 2 || dos[0] != 'M' || dos[1] != 'Z')
                return log_error(-EINVAL, "%s is not a PE file: no MZ signature", what);

        r = read_part_of_file(fd, what, "DOS header", dos, sizeof(dos), 0, file_size);
        if (r < 0)
                return r;

        *ret_pe_offset = get_le32(dos + DOS_E_LFANEW);
        return 0;
}

static int read_coff_header(int fd, const char *what, uint64_t file_size, struct pe_info *info)
{
        uint8_t buf[PE_SIGNATURE_SIZE + COFF_HEADER_SIZE];
        const uint8_t *coff = buf + PE_SIGNATURE_SIZE;
        int r;

        if (info->pe_offset >= file_size)
                return log_error(-EINVAL,
                                 "%s is not a PE file: the PE header offset 0x%" PRIx32
                                 " lies beyond the end of the file (%" PRIu64 " bytes)",
                                 what, info->pe_offset, file_size);

        /* Only possible in files beyond 4 GiB; keeps the offsets below in 32 bits. */
        if (info->pe_offset > UINT32_MAX - PE_SIGNATURE_SIZE - COFF_HEADER_SIZE - UINT16_MAX)
                return log_error(-EINVAL, "%s is not a PE file: implausible PE header offset 0x%" PRIx32,
                                 what, info->pe_offset);

        r = read_part_of_file(fd, what, "PE header", buf, sizeof(buf), info->pe_offset, file_size);
        if (r < 0)
                return r;
        if (memcmp(buf, "PE\0\0", PE_SIGNATURE_SIZE) != 0)
                return log_error(-EINVAL, "%s is not a PE file: no PE signature at offset 0x%" PRIx32,
                                 what, info->pe_offset);

        info->machine = get_le16(coff + COFF_MACHINE);
        info->number_of_sections = get_le16(coff + COFF_NUMBER_OF_SECTIONS);
        info->size_of_optional_header = get_le16(coff + COFF_SIZE_OF_OPT_HEADER);
        info->characteristics = get_le16(coff + COFF_CHARACTERISTICS);
        /* pe_offset < file_size, and file sizes beyond 4 GiB are of no use here. */
        info->optional_header_offset = info->pe_offset + PE_SIGNATURE_SIZE + COFF_HEADER_SIZE;
        return 0;
}

static int read_optional_header(int fd, const char *what, uint64_t file_size, struct pe_info *info)
{
        /* Enough for the fixed fields of either kind; data directories are not needed. */
        uint8_t opt[OPT64_MIN_SIZE];
        size_t need;
        int r;

        if (info->size_of_optional_header == 0)
                return log_error(-EINVAL, "%s is not a PE image: it has no optional header (a COFF object file?)",
                                 what);
        if (info->size_of_optional_header < 2)
                return log_error(-EINVAL, "%s: PE optional header too small (%u bytes)",
                                 what, info->size_of_optional_header);

        r = read_part_of_file(fd, what, "PE optional header", opt, 2, info->optional_header_offset, file_size);
        if (r < 0)
                return r;
        info->magic = get_le16(opt + OPT_MAGIC);

        switch (info->magic) {
        case PE_MAGIC_PE32:
                need = OPT32_MIN_SIZE;
                break;
        case PE_MAGIC_PE32PLUS:
                need = OPT64_MIN_SIZE;
                break;
        default:
                return log_error(-EINVAL, "%s: unknown PE optional header magic 0x%03x (%s), expected 0x%03x (%s) or 0x%03x (%s)",
                                 what, info->magic, pe_magic_name(info->magic),
                                 PE_MAGIC_PE32, pe_magic_name(PE_MAGIC_PE32),
                                 PE_MAGIC_PE32PLUS, pe_magic_name(PE_MAGIC_PE32PLUS));
        }
        if (info->size_of_optional_header < need)
                return log_error(-EINVAL, "%s: %s optional header too small (%u bytes, needs %zu)",
                                 what, pe_magic_name(info->magic), info->size_of_optional_header, need);
        /* All of it as declared (the data directories too), or a file cut
         * inside it and without sections would pass, with its section table
         * offset past the end. */
        if ((uint64_t) info->optional_header_offset + info->size_of_optional_header > file_size)
                return log_error(-EINVAL,
                                 "%s: truncated PE optional header: it needs %u bytes at offset %" PRIu32
                                 ", the file has %" PRIu64 " bytes",
                                 what, info->size_of_optional_header, info->optional_header_offset, file_size);

        r = read_part_of_file(fd, what, "PE optional header", opt, need, info->optional_header_offset, file_size);
        if (r < 0)
                return r;

        info->section_alignment = get_le32(opt + OPT_SECTION_ALIGNMENT);
        info->file_alignment = get_le32(opt + OPT_FILE_ALIGNMENT);
        info->size_of_image = get_le32(opt + OPT_SIZE_OF_IMAGE);
        info->size_of_headers = get_le32(opt + OPT_SIZE_OF_HEADERS);
        info->subsystem = get_le16(opt + OPT_SUBSYSTEM);
        info->dll_characteristics = get_le16(opt + OPT_DLL_CHARACTERISTICS);
        if (info->magic == PE_MAGIC_PE32) {
                info->image_base = get_le32(opt + OPT32_IMAGE_BASE);
                info->number_of_rva_and_sizes = get_le32(opt + OPT32_NUMBER_OF_RVA);
        } else {
                info->image_base = get_le64(opt + OPT64_IMAGE_BASE);
                info->number_of_rva_and_sizes = get_le32(opt + OPT64_NUMBER_OF_RVA);
        }
        info->section_table_offset = info->optional_header_offset + info->size_of_optional_header;
        return 0;
}

static void parse_section_header(const uint8_t *p, struct pe_section *ret)
{
        memcpy(ret->name, p + SEC_NAME, PE_SECTION_NAME_MAX);
        ret->name[PE_SECTION_NAME_MAX] = '\0';
        ret->virtual_size = get_le32(p + SEC_VIRTUAL_SIZE);
        ret->virtual_address = get_le32(p + SEC_VIRTUAL_ADDRESS);
        ret->size_of_raw_data = get_le32(p + SEC_SIZE_OF_RAW_DATA);
        ret->pointer_to_raw_data = get_le32(p + SEC_POINTER_TO_RAW_DATA);
        ret->characteristics = get_le32(p + SEC_CHARACTERISTICS);
}

/* Section names may hold any bytes; keep messages printable. */
static void printable_name(const char *name, char out[static PE_SECTION_NAME_MAX + 1])
{
        size_t i;

        for (i = 0; i < PE_SECTION_NAME_MAX && name[i]; i++)
                out[i] = name[i] >= 0x20 && name[i] < 0x7f ? name[i] : '?';
        out[i] = '\0';
}

int pe_read_sections(int fd, const char *what, const struct pe_info *info, struct pe_section **ret)
{
        _cleanup_free_ uint8_t *table = NULL;
        _cleanup_free_ struct pe_section *sections = NULL;
        size_t n = info->number_of_sections, size = n * SECTION_HEADER_SIZE;
        int r;

        *ret = NULL;
        if (n == 0)
                return 0;

        /* Check the bounds before allocating: the count is untrusted. */
        if (info->section_table_offset > info->file_size || size > info->file_size - info->section_table_offset)
                return log_error(-EINVAL,
                                 "%s: truncated PE section table: %zu sections at offset %" PRIu32
                                 " need %zu bytes, the file has %" PRIu64 " bytes",
                                 what, n, info->section_table_offset, size, info->file_size);

        table = malloc(size);
        sections = calloc(n, sizeof(*sections));
        if (!table || !sections)
                return log_error(-ENOMEM, "out of memory reading the sections of %s", what);

        r = read_part_of_file(fd, what, "PE section table", table, size, info->section_table_offset, info->file_size);
        if (r < 0)
                return r;

        for (size_t i = 0; i < n; i++)
                parse_section_header(table + i * SECTION_HEADER_SIZE, &sections[i]);

        *ret = sections;
        sections = NULL;
        return 0;
}

/* A bootloader cut short after its headers would still pass a header check. */
static int check_section_data_in_file(const char *what, struct pe_info *info, const struct pe_section *sections)
{
        info->end_of_raw_data = 0;
        for (size_t i = 0; i < info->number_of_sections; i++) {
                const struct pe_section *s = &sections[i];
                uint64_t end = (uint64_t) s->pointer_to_raw_data + s->size_of_raw_data;
                char name[PE_SECTION_NAME_MAX + 1];

                if (s->size_of_raw_data == 0)
                        continue;
                if (end > info->file_size) {
                        printable_name(s->name, name);
                        return log_error(-EINVAL,
                                         "%s: truncated PE file: section %zu '%s' ends at offset %" PRIu64
                                         ", the file has %" PRIu64 " bytes",
                                         what, i, name, end, info->file_size);
                }
                info->end_of_raw_data = MAX(info->end_of_raw_data, end);
        }
        return 0;
}

int pe_read_info(int fd, const char *what, struct pe_info *ret)
{
        _cleanup_free_ struct pe_section *sections = NULL;
        struct pe_info info = {};
        int r;

        r = get_file_size(fd, what, &info.file_size);
        if (r < 0)
                return r;
        r = read_dos_header(fd, what, info.file_size, &info.pe_offset);
        if (r < 0)
                return r;
        r = read_coff_header(fd, what, info.file_size, &info);
        if (r < 0)
                return r;
        r = read_optional_header(fd, what, info.file_size, &info);
        if (r < 0)
                return r;
        r = pe_read_sections(fd, what, &info, &sections);
        if (r < 0)
                return r;
        r = check_section_data_in_file(what, &info, sections);
        if (r < 0)
                return r;

        *ret = info;
        return 0;
}

int pe_check_efi_app(int fd, const char *what, uint16_t machine, uint16_t magic)
{
        struct pe_info info;
        int r;

        r = pe_read_info(fd, what, &info);
        if (r < 0)
                return r;

        if (info.machine != machine)
                return log_error(-EINVAL, "%s: PE machine is 0x%04X (%s), expected 0x%04X (%s)%s",
                                 what, info.machine, pe_machine_name(info.machine),
                                 machine, pe_machine_name(machine),
                                 machine == PE_MACHINE_ARMTHUMB_MIXED && info.machine == PE_MACHINE_ARMNT ?
                                 "; EDK2 only loads 0x01C2 for 32-bit ARM" : "");
        if (info.magic != magic)
                return log_error(-EINVAL, "%s: PE optional header magic is 0x%03x (%s), expected 0x%03x (%s)",
                                 what, info.magic, pe_magic_name(info.magic), magic, pe_magic_name(magic));
        if (info.subsystem != PE_SUBSYSTEM_EFI_APPLICATION)
                return log_error(-EINVAL, "%s: subsystem is %u (%s), expected %u (%s)",
                                 what, info.subsystem, pe_subsystem_name(info.subsystem),
                                 PE_SUBSYSTEM_EFI_APPLICATION, pe_subsystem_name(PE_SUBSYSTEM_EFI_APPLICATION));
        return 0;
}
