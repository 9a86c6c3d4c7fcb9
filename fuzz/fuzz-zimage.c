/* SPDX-License-Identifier: MIT */
/*
 * The zImage reader (esp/zimage.c): an input is a 32-bit ARM kernel, read
 * by zimage_heap_fix(); when it finds a fix, zimage_heap_fix_write()
 * applies it to the same memfd (as UKI assembly does to its copy), and
 * the fixed file must read back as a PE file with the new SizeOfImage and
 * a grown section that ends exactly there: a fix that writes elsewhere
 * would make a kernel that fails only at boot. Seeds: zImage PE files made
 * by fuzz-make-seeds.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "esp/pe.h"
#include "esp/zimage.h"
#include "fuzz-input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The fixed file, read again: SizeOfImage as the fix said, and the grown
 * section (the one whose VirtualSize the fix wrote) ends exactly there. */
static void check_fixed(int fd, const struct zimage_heap_fix *fix)
{
        struct pe_section *sections = NULL;
        struct pe_info info;
        uint64_t i, end = 0;

        if (pe_read_info(fd, "fixed fuzz input", &info) < 0 ||
            pe_read_sections(fd, "fixed fuzz input", &info, &sections) < 0) {
                fprintf(stderr, "fuzz-zimage: the fixed kernel is no longer a readable PE file\n");
                abort();
        }
        i = (fix->virtual_size_offset - info.section_table_offset) / 40;   /* 40: a section header */
        if (i < info.number_of_sections)
                end = (uint64_t) sections[i].virtual_address + sections[i].virtual_size;
        free(sections);
        if (info.size_of_image != fix->size_of_image || end != info.size_of_image) {
                fprintf(stderr, "fuzz-zimage: fixed SizeOfImage 0x%x (fix: 0x%x), grown section %llu ends at 0x%llx\n",
                        info.size_of_image, fix->size_of_image, (unsigned long long) i, (unsigned long long) end);
                abort();
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static int fd = -1;
        struct zimage_heap_fix fix;

        if (fd < 0)
                fd = fuzz_memfd("zImage");
        fuzz_memfd_set(fd, data, size, 0);
        if (zimage_heap_fix(fd, "fuzz input", &fix) != 1)
                return 0;
        if (zimage_heap_fix_write(fd, 0, &fix) < 0)
                abort();   /* a memfd write fails only on a bug */
        check_fixed(fd, &fix);
        return 0;
}
