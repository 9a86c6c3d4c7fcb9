/* SPDX-License-Identifier: MIT */
/*
 * esp/pe.c: a PE file cut inside its optional header (as declared by the
 * COFF header's SizeOfOptionalHeader) is truncated, also when it has no
 * sections; pe_read_info() accepted it, with a section table offset past
 * the end of the file, which UKI assembly writes sections at. Found by
 * fuzz/fuzz-pe.
 */
#include <errno.h>
#include <sys/mman.h>

#include "base/byteorder.h"
#include "esp/pe.h"
#include "unit.h"

#define PE_OFFSET 0x40
#define OPT_OFFSET (PE_OFFSET + 24)
#define OPT_SIZE (112 + 128)   /* PE32+ fixed fields and 16 data directories */

/* A PE32+ AArch64 EFI application without sections, its first `size` bytes. */
static int pe_without_sections(size_t size)
{
        uint8_t f[OPT_OFFSET + OPT_SIZE] = { 0 };
        uint8_t *opt = f + OPT_OFFSET;
        int fd = memfd_create("pe", MFD_CLOEXEC);

        f[0] = 'M';
        f[1] = 'Z';
        put_le32(f + 0x3c, PE_OFFSET);
        memcpy(f + PE_OFFSET, "PE\0\0", 4);
        put_le16(f + PE_OFFSET + 4, PE_MACHINE_ARM64);
        put_le16(f + PE_OFFSET + 20, OPT_SIZE);
        put_le16(opt, PE_MAGIC_PE32PLUS);
        put_le32(opt + 32, 0x1000);
        put_le32(opt + 36, 0x200);
        put_le32(opt + 56, 0x1000);
        put_le32(opt + 60, 0x200);
        put_le16(opt + 68, PE_SUBSYSTEM_EFI_APPLICATION);
        put_le32(opt + 108, 16);
        CHECK(fd >= 0);
        CHECK(write(fd, f, size) == (ssize_t) size);
        return fd;
}

TEST(cut_inside_optional_header)
{
        /* The fixed fields are there (112 bytes), the data directories are not. */
        int fd = pe_without_sections(OPT_OFFSET + 120);
        struct pe_info info;

        CHECK_INT(pe_read_info(fd, "cut.efi", &info), -EINVAL);
        close(fd);
}

TEST(whole_optional_header)
{
        int fd = pe_without_sections(OPT_OFFSET + OPT_SIZE);
        struct pe_info info;

        CHECK_INT(pe_read_info(fd, "whole.efi", &info), 0);
        CHECK_INT(info.section_table_offset, OPT_OFFSET + OPT_SIZE);
        close(fd);
}

int main(void)
{
        RUN(cut_inside_optional_header);
        RUN(whole_optional_header);
        return unit_exit();
}
