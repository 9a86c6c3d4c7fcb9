/* SPDX-License-Identifier: MIT */
/* esp/pe.c: PE/COFF headers of small hand-built files, good and broken. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>

#include "base/byteorder.h"
#include "esp/pe.h"
#include "unit.h"

#define FILE_SIZE 0x400
#define PE_OFFSET 0x40
#define OPT_OFFSET (PE_OFFSET + 24)

/*
 * A minimal EFI application: DOS header, "PE\0\0", COFF header, optional
 * header with 16 data directories, one section whose raw data fills
 * 0x200-0x400. PE32+ or PE32 as `magic` says.
 */
static void build_pe(uint8_t *f, uint16_t machine, uint16_t magic)
{
        bool plus = magic == PE_MAGIC_PE32PLUS;
        uint16_t opt_size = plus ? 112 + 128 : 96 + 128;
        uint8_t *opt = f + OPT_OFFSET, *sec = opt + opt_size;

        memset(f, 0, FILE_SIZE);
        f[0] = 'M';
        f[1] = 'Z';
        put_le32(f + 0x3c, PE_OFFSET);
        memcpy(f + PE_OFFSET, "PE\0\0", 4);
        put_le16(f + PE_OFFSET + 4, machine);
        put_le16(f + PE_OFFSET + 6, 1);               /* sections */
        put_le16(f + PE_OFFSET + 20, opt_size);
        put_le16(f + PE_OFFSET + 22, 0x0206);         /* executable, debug stripped */
        put_le16(opt, magic);
        if (plus)
                put_le64(opt + 24, 0x10000000);
        else
                put_le32(opt + 28, 0x10000000);
        put_le32(opt + 32, 0x1000);                   /* section alignment */
        put_le32(opt + 36, 0x200);                    /* file alignment */
        put_le32(opt + 56, 0x2000);                   /* size of image */
        put_le32(opt + 60, 0x200);                    /* size of headers */
        put_le16(opt + 68, PE_SUBSYSTEM_EFI_APPLICATION);
        put_le32(opt + (plus ? 108 : 92), 16);
        memcpy(sec, ".text", 5);
        put_le32(sec + 8, 0x100);
        put_le32(sec + 12, 0x1000);
        put_le32(sec + 16, 0x200);
        put_le32(sec + 20, 0x200);
        put_le32(sec + 36, 0x60000020);
}

/* Writes the first `size` bytes of f to a file and opens it. */
static int file_of(const char *name, const uint8_t *f, size_t size)
{
        char path[256];
        int fd;

        snprintf(path, sizeof(path), "%s/%s", unit_tmpdir(), name);
        fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0 || write(fd, f, size) != (ssize_t) size) {
                perror(path);
                exit(2);
        }
        return fd;
}

static int check_app(const uint8_t *f, size_t size, uint16_t machine, uint16_t magic, const char **message)
{
        int fd = file_of("app.efi", f, size), r;

        unit_stderr_begin();
        r = pe_check_efi_app(fd, "app.efi", machine, magic);
        *message = unit_stderr_end();
        close(fd);
        return r;
}

TEST(good_pe32plus)
{
        uint8_t f[FILE_SIZE];
        struct pe_info info;
        struct pe_section *s = NULL;
        const char *msg;
        int fd;

        build_pe(f, PE_MACHINE_ARM64, PE_MAGIC_PE32PLUS);
        fd = file_of("aa64.efi", f, sizeof(f));
        CHECK_INT(pe_read_info(fd, "aa64.efi", &info), 0);
        CHECK_INT(info.machine, 0xAA64);
        CHECK_INT(info.magic, 0x20B);
        CHECK_INT(info.subsystem, 10);
        CHECK_INT(info.pe_offset, PE_OFFSET);
        CHECK_INT(info.optional_header_offset, OPT_OFFSET);
        CHECK_INT(info.section_table_offset, OPT_OFFSET + 240);
        CHECK_INT(info.number_of_sections, 1);
        CHECK_INT(info.section_alignment, 0x1000);
        CHECK_INT(info.file_alignment, 0x200);
        CHECK_INT(info.size_of_image, 0x2000);
        CHECK_INT(info.size_of_headers, 0x200);
        CHECK_U64(info.image_base, 0x10000000);
        CHECK_INT(info.number_of_rva_and_sizes, 16);
        CHECK_U64(info.file_size, FILE_SIZE);
        CHECK_U64(info.end_of_raw_data, FILE_SIZE);
        CHECK_INT(pe_read_sections(fd, "aa64.efi", &info, &s), 0);
        if (s) {
                CHECK_STR(s[0].name, ".text");
                CHECK_INT(s[0].virtual_address, 0x1000);
                CHECK_INT(s[0].pointer_to_raw_data, 0x200);
                CHECK_INT(s[0].characteristics, 0x60000020);
        }
        free(s);
        close(fd);
        CHECK_INT(check_app(f, sizeof(f), PE_MACHINE_ARM64, PE_MAGIC_PE32PLUS, &msg), 0);
        CHECK_STR(msg, "");
}

TEST(good_pe32)
{
        uint8_t f[FILE_SIZE];
        const char *msg;

        build_pe(f, PE_MACHINE_ARMTHUMB_MIXED, PE_MAGIC_PE32);
        CHECK_INT(check_app(f, sizeof(f), PE_MACHINE_ARMTHUMB_MIXED, PE_MAGIC_PE32, &msg), 0);
        CHECK_STR(msg, "");
}

TEST(wrong_kind)
{
        uint8_t f[FILE_SIZE];
        const char *msg;

        build_pe(f, PE_MACHINE_AMD64, PE_MAGIC_PE32PLUS);
        CHECK_INT(check_app(f, sizeof(f), PE_MACHINE_ARM64, PE_MAGIC_PE32PLUS, &msg), -EINVAL);
        CHECK_CONTAINS(msg, "app.efi: PE machine is 0x8664 (x86-64), expected 0xAA64 (AArch64)");

        build_pe(f, PE_MACHINE_ARMNT, PE_MAGIC_PE32);
        CHECK_INT(check_app(f, sizeof(f), PE_MACHINE_ARMTHUMB_MIXED, PE_MAGIC_PE32, &msg), -EINVAL);
        CHECK_CONTAINS(msg, "PE machine is 0x01C4 (ARMNT), expected 0x01C2");
        CHECK_CONTAINS(msg, "EDK2 only loads 0x01C2 for 32-bit ARM");

        build_pe(f, PE_MACHINE_ARM64, PE_MAGIC_PE32);
        CHECK_INT(check_app(f, sizeof(f), PE_MACHINE_ARM64, PE_MAGIC_PE32PLUS, &msg), -EINVAL);
        CHECK_CONTAINS(msg, "PE optional header magic is 0x10b (PE32), expected 0x20b (PE32+)");

        build_pe(f, PE_MACHINE_ARM64, PE_MAGIC_PE32PLUS);
        put_le16(f + OPT_OFFSET + 68, 3);
        CHECK_INT(check_app(f, sizeof(f), PE_MACHINE_ARM64, PE_MAGIC_PE32PLUS, &msg), -EINVAL);
        CHECK_CONTAINS(msg, "subsystem is 3");
        CHECK_CONTAINS(msg, "expected 10 (EFI application)");
}

TEST(truncated)
{
        uint8_t f[FILE_SIZE];
        const char *msg;

        build_pe(f, PE_MACHINE_ARM64, PE_MAGIC_PE32PLUS);
        CHECK_INT(check_app(f, 0x300, PE_MACHINE_ARM64, PE_MAGIC_PE32PLUS, &msg), -EINVAL);
        CHECK_CONTAINS(msg, "app.efi: truncated PE file: section 0 '.text' ends at offset 1024, the file has 768 bytes");
        CHECK_INT(check_app(f, 0x50, PE_MACHINE_ARM64, PE_MAGIC_PE32PLUS, &msg), -EINVAL);
        CHECK_CONTAINS(msg, "truncated PE header: it needs 24 bytes at offset 64, the file has 80 bytes");
        CHECK_INT(check_app(f, 0x30, PE_MACHINE_ARM64, PE_MAGIC_PE32PLUS, &msg), -EINVAL);
        CHECK_CONTAINS(msg, "truncated DOS header");
        CHECK_INT(check_app(f, 0x80, PE_MACHINE_ARM64, PE_MAGIC_PE32PLUS, &msg), -EINVAL);
        CHECK_CONTAINS(msg, "truncated PE optional header");
        CHECK_INT(check_app(f, 0, PE_MACHINE_ARM64, PE_MAGIC_PE32PLUS, &msg), -EINVAL);
        CHECK_CONTAINS(msg, "is not a PE file: the file is empty");
}

TEST(bad_fields)
{
        uint8_t f[FILE_SIZE];
        const char *msg;

        build_pe(f, PE_MACHINE_ARM64, PE_MAGIC_PE32PLUS);
        f[0] = 'Z';
        CHECK_INT(check_app(f, sizeof(f), PE_MACHINE_ARM64, PE_MAGIC_PE32PLUS, &msg), -EINVAL);
        CHECK_CONTAINS(msg, "app.efi is not a PE file: no MZ signature");
        CHECK_INT(check_app((const uint8_t *) "M", 1, PE_MACHINE_ARM64, PE_MAGIC_PE32PLUS, &msg), -EINVAL);
        CHECK_CONTAINS(msg, "no MZ signature");

        build_pe(f, PE_MACHINE_ARM64, PE_MAGIC_PE32PLUS);
        put_le32(f + 0x3c, 0x10000);
        CHECK_INT(check_app(f, sizeof(f), PE_MACHINE_ARM64, PE_MAGIC_PE32PLUS, &msg), -EINVAL);
        CHECK_CONTAINS(msg, "the PE header offset 0x10000 lies beyond the end of the file (1024 bytes)");
        put_le32(f + 0x3c, 0xFFFFFFF0);
        CHECK_INT(check_app(f, sizeof(f), PE_MACHINE_ARM64, PE_MAGIC_PE32PLUS, &msg), -EINVAL);
        CHECK_CONTAINS(msg, "lies beyond the end of the file");
        put_le32(f + 0x3c, 0x3F0);              /* inside, but the headers are not */
        CHECK_INT(check_app(f, sizeof(f), PE_MACHINE_ARM64, PE_MAGIC_PE32PLUS, &msg), -EINVAL);
        CHECK_CONTAINS(msg, "truncated PE header");

        build_pe(f, PE_MACHINE_ARM64, PE_MAGIC_PE32PLUS);
        f[PE_OFFSET + 1] = 'X';
        CHECK_INT(check_app(f, sizeof(f), PE_MACHINE_ARM64, PE_MAGIC_PE32PLUS, &msg), -EINVAL);
        CHECK_CONTAINS(msg, "no PE signature at offset 0x40");

        build_pe(f, PE_MACHINE_ARM64, PE_MAGIC_PE32PLUS);
        put_le16(f + PE_OFFSET + 20, 0);
        CHECK_INT(check_app(f, sizeof(f), PE_MACHINE_ARM64, PE_MAGIC_PE32PLUS, &msg), -EINVAL);
        CHECK_CONTAINS(msg, "has no optional header");
        put_le16(f + PE_OFFSET + 20, 100);
        CHECK_INT(check_app(f, sizeof(f), PE_MACHINE_ARM64, PE_MAGIC_PE32PLUS, &msg), -EINVAL);
        CHECK_CONTAINS(msg, "PE32+ optional header too small (100 bytes, needs 112)");

        build_pe(f, PE_MACHINE_ARM64, PE_MAGIC_PE32PLUS);
        put_le16(f + OPT_OFFSET, 0x107);
        CHECK_INT(check_app(f, sizeof(f), PE_MACHINE_ARM64, PE_MAGIC_PE32PLUS, &msg), -EINVAL);
        CHECK_CONTAINS(msg, "unknown PE optional header magic 0x107");

        /* An untrusted section count: bounds checked before anything is allocated. */
        build_pe(f, PE_MACHINE_ARM64, PE_MAGIC_PE32PLUS);
        put_le16(f + PE_OFFSET + 6, 0xFFFF);
        CHECK_INT(check_app(f, sizeof(f), PE_MACHINE_ARM64, PE_MAGIC_PE32PLUS, &msg), -EINVAL);
        CHECK_CONTAINS(msg, "truncated PE section table: 65535 sections");

        /* A section's raw data pointing past the end, with a 32-bit wrap in mind. */
        build_pe(f, PE_MACHINE_ARM64, PE_MAGIC_PE32PLUS);
        put_le32(f + OPT_OFFSET + 240 + 20, 0xFFFFFF00);
        CHECK_INT(check_app(f, sizeof(f), PE_MACHINE_ARM64, PE_MAGIC_PE32PLUS, &msg), -EINVAL);
        CHECK_CONTAINS(msg, "section 0 '.text' ends at offset 4294967552");
}

TEST(not_a_file)
{
        int fd = open(unit_tmpdir(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        struct pe_info info;
        const char *msg;

        unit_stderr_begin();
        CHECK_INT(pe_read_info(fd, "dir", &info), -EINVAL);
        msg = unit_stderr_end();
        CHECK_CONTAINS(msg, "dir is not a PE file: not a regular file");
        close(fd);
}

TEST(names)
{
        CHECK_STR(pe_machine_name(PE_MACHINE_ARM64), "AArch64");
        CHECK_STR(pe_machine_name(PE_MACHINE_AMD64), "x86-64");
        CHECK_STR(pe_magic_name(PE_MAGIC_PE32PLUS), "PE32+");
        CHECK_STR(pe_magic_name(PE_MAGIC_PE32), "PE32");
        CHECK_STR(pe_subsystem_name(PE_SUBSYSTEM_EFI_APPLICATION), "EFI application");
        CHECK_STR(pe_machine_name(0x1234), "unknown");
}

int main(void)
{
        RUN(good_pe32plus);
        RUN(good_pe32);
        RUN(wrong_kind);
        RUN(truncated);
        RUN(bad_fields);
        RUN(not_a_file);
        RUN(names);
        return unit_exit();
}
