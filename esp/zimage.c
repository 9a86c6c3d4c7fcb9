/* SPDX-License-Identifier: MIT */
#include "esp/zimage.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

#include "base/byteorder.h"
#include "base/log.h"
#include "base/util.h"
#include "esp/pe.h"

/* The word before the size table's offset says that there is one. */
#define ZIMAGE_TABLE_MAGIC_OFFSET 0x34
#define ZIMAGE_TABLE_MAGIC       0x45454545u
#define ZIMAGE_HEADER_SIZE       0x3c

/*
 * The size table: a word count, then KEXEC magic, piggy size address, the
 * kernel's BSS size, TEXT_OFFSET and (in newer kernels: count 6 and up)
 * the decompressor's malloc size, ended by a zero word.
 */
#define TABLE_KEXEC_MAGIC        0x5a534c4bu
#define TABLE_WORDS_WITH_MALLOC  6
#define TABLE_MALLOC_INDEX       5
#define TABLE_WORDS_MAX          16
/* What head.S hard-coded before the table said it. */
#define DEFAULT_HEAP_SIZE        (64 * KIB)
#define HEAP_SIZE_MAX            (16 * MIB)

#define OPT_SIZE_OF_IMAGE        56
/* The certificate table's entry: data directory 4, in a PE32 optional header. */
#define OPT32_DATA_DIRECTORIES   96
#define DIRECTORY_SECURITY       4
#define DATA_DIRECTORY_SIZE      8
#define SECTION_HEADER_SIZE      40
#define SEC_VIRTUAL_SIZE         8

/* The heap size the zImage states, or what older ones used. */
static int read_heap_size(int fd, const char *what, const uint8_t *header, uint64_t file_size, uint32_t *ret)
{
        uint8_t table[(TABLE_WORDS_MAX + 1) * 4];
        uint32_t offset, words;
        int r;

        if (get_le32(header + ZIMAGE_TABLE_MAGIC_OFFSET) != ZIMAGE_TABLE_MAGIC) {
                *ret = DEFAULT_HEAP_SIZE;
                return 0;
        }
        offset = get_le32(header + ZIMAGE_TABLE_OFFSET);
        if ((uint64_t) offset + 8 > file_size)
                return log_error(-EINVAL, "%s: its zImage size table (offset 0x%" PRIx32 ") lies outside the file",
                                 what, offset);
        r = pread_all(fd, table, 8, offset);
        if (r < 0)
                return log_error_errno(r, "cannot read %s", what);
        words = get_le32(table);
        if (get_le32(table + 4) != TABLE_KEXEC_MAGIC || words < 2 || words > TABLE_WORDS_MAX ||
            (uint64_t) offset + (words + 1) * 4 > file_size)
                return log_error(-EINVAL, "%s: malformed zImage size table at offset 0x%" PRIx32, what, offset);
        if (words < TABLE_WORDS_WITH_MALLOC) {
                *ret = DEFAULT_HEAP_SIZE;
                return 0;
        }
        r = pread_all(fd, table, (words + 1) * 4, offset);
        if (r < 0)
                return log_error_errno(r, "cannot read %s", what);
        *ret = get_le32(table + TABLE_MALLOC_INDEX * 4);
        if (*ret == 0 || *ret > HEAP_SIZE_MAX)
                return log_error(-EINVAL, "%s: implausible decompressor heap size %" PRIu32 " in its zImage size table",
                                 what, *ret);
        return 0;
}

/* The section that ends the image: the one with the highest address. */
static int last_section(const struct pe_info *info, const struct pe_section *sections, size_t *ret)
{
        size_t last = SIZE_MAX;

        for (size_t i = 0; i < info->number_of_sections; i++) {
                if (sections[i].virtual_size == 0)
                        continue;
                if (last == SIZE_MAX || sections[i].virtual_address > sections[last].virtual_address)
                        last = i;
        }
        if (last == SIZE_MAX)
                return -ENOENT;
        *ret = last;
        return 0;
}

/* Whether the kernel carries an Authenticode signature (a certificate table). */
static int read_is_signed(int fd, const char *what, const struct pe_info *info, bool *ret)
{
        uint8_t entry[DATA_DIRECTORY_SIZE];
        uint64_t at = (uint64_t) info->optional_header_offset + OPT32_DATA_DIRECTORIES +
                      DIRECTORY_SECURITY * DATA_DIRECTORY_SIZE;
        int r;

        *ret = false;
        if (info->magic != PE_MAGIC_PE32 || info->number_of_rva_and_sizes <= DIRECTORY_SECURITY ||
            at + sizeof(entry) > (uint64_t) info->optional_header_offset + info->size_of_optional_header)
                return 0;
        r = pread_all(fd, entry, sizeof(entry), at);
        if (r < 0)
                return log_error_errno(r, "cannot read %s", what);
        *ret = get_le32(entry) != 0 && get_le32(entry + 4) != 0;
        return 0;
}

int zimage_heap_fix_write(int fd, uint64_t offset, const struct zimage_heap_fix *fix)
{
        uint8_t field[4];
        int r;

        put_le32(field, fix->size_of_image);
        r = pwrite_all(fd, field, sizeof(field), offset + fix->size_of_image_offset);
        if (r < 0)
                return r;
        put_le32(field, fix->virtual_size);
        return pwrite_all(fd, field, sizeof(field), offset + fix->virtual_size_offset);
}

int zimage_heap_fix(int fd, const char *what, struct zimage_heap_fix *ret)
{
        _cleanup_free_ struct pe_section *sections = NULL;
        uint8_t header[ZIMAGE_HEADER_SIZE];
        struct pe_info info;
        uint64_t size_of_image;
        uint32_t heap;
        bool is_signed;
        size_t last;
        int r;

        r = pread_all(fd, header, sizeof(header), 0);
        if (r == -EIO)
                return 0;       /* shorter than a zImage header */
        if (r < 0)
                return log_error_errno(r, "cannot read %s", what);
        if (get_le32(header + ZIMAGE_MAGIC_OFFSET) != ZIMAGE_MAGIC)
                return 0;

        r = pe_read_info(fd, what, &info);
        if (r < 0)
                return r;
        r = pe_read_sections(fd, what, &info, &sections);
        if (r < 0)
                return r;
        r = read_heap_size(fd, what, header, info.file_size, &heap);
        if (r < 0)
                return r;
        r = read_is_signed(fd, what, &info, &is_signed);
        if (r < 0)
                return r;
        if (last_section(&info, sections, &last) < 0 || info.section_alignment == 0)
                return log_error(-EINVAL, "%s: a zImage PE file without sections", what);

        size_of_image = round_up((uint64_t) info.size_of_image + heap, info.section_alignment);
        if (size_of_image > UINT32_MAX || sections[last].virtual_address >= info.size_of_image ||
            (uint64_t) sections[last].virtual_address + sections[last].virtual_size > size_of_image)
                return log_error(-EINVAL, "%s: its last section (at 0x%" PRIx32 ") does not lie within SizeOfImage 0x%"
                                 PRIx32, what, sections[last].virtual_address, info.size_of_image);

        *ret = (struct zimage_heap_fix) {
                .heap_size = heap,
                .size_of_image_offset = info.optional_header_offset + OPT_SIZE_OF_IMAGE,
                .size_of_image = (uint32_t) size_of_image,
                .virtual_size_offset = info.section_table_offset + (uint32_t) last * SECTION_HEADER_SIZE +
                                       SEC_VIRTUAL_SIZE,
                .virtual_size = (uint32_t) size_of_image - sections[last].virtual_address,
                .is_signed = is_signed,
        };
        return 1;
}
