/* SPDX-License-Identifier: MIT */
/*
 * Test-only driver for esp/pe.c.
 *
 *   pecheck FILE ARCH        pe_check_efi_app() for ARCH (aa64, arm, x64,
 *                            riscv64); exit 0 if accepted, 1 if not
 *   pecheck --info FILE      print what pe_read_info()/pe_read_sections()
 *                            found, one "key value" per line
 *   pecheck --fuzz FILE N SEED
 *                            run the parser on N damaged copies of FILE
 *                            (truncations, byte flips, hostile header
 *                            fields; for an ARM zImage also its size
 *                            table), and esp/zimage.c's reader on each;
 *                            prints how many were accepted and rejected.
 *                            Its value is in running under ASan.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE   /* asprintf, memfd_create */
#endif
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/byteorder.h"
#include "base/log.h"
#include "base/util.h"
#include "esp/pe.h"
#include "esp/zimage.h"

static const struct {
        const char *arch;
        uint16_t machine, magic;
} arches[] = {
        { "aa64",    PE_MACHINE_ARM64,          PE_MAGIC_PE32PLUS },
        { "arm",     PE_MACHINE_ARMTHUMB_MIXED, PE_MAGIC_PE32 },
        { "x64",     PE_MACHINE_AMD64,          PE_MAGIC_PE32PLUS },
        { "riscv64", PE_MACHINE_RISCV64,        PE_MAGIC_PE32PLUS },
};

static int check(const char *path, const char *arch)
{
        _cleanup_free_ char *what = NULL;
        _cleanup_close_ int fd = -EBADF;

        for (size_t i = 0; i < ELEMENTSOF(arches); i++) {
                if (strcmp(arches[i].arch, arch) != 0)
                        continue;
                fd = open(path, O_RDONLY | O_CLOEXEC);
                if (fd < 0)
                        return log_error_errno(-errno, "cannot open %s", path);
                if (asprintf(&what, "bootloader %s", path) < 0)
                        return log_error(-ENOMEM, "out of memory");
                return pe_check_efi_app(fd, what, arches[i].machine, arches[i].magic);
        }
        return log_error(-EINVAL, "unknown architecture %s", arch);
}

static int info(const char *path)
{
        _cleanup_free_ struct pe_section *sections = NULL;
        _cleanup_close_ int fd = -EBADF;
        struct pe_info pe;
        int r;

        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return log_error_errno(-errno, "cannot open %s", path);
        r = pe_read_info(fd, path, &pe);
        if (r < 0)
                return r;
        r = pe_read_sections(fd, path, &pe, &sections);
        if (r < 0)
                return r;

        printf("machine 0x%04x %s\n", pe.machine, pe_machine_name(pe.machine));
        printf("magic 0x%03x %s\n", pe.magic, pe_magic_name(pe.magic));
        printf("subsystem %u %s\n", pe.subsystem, pe_subsystem_name(pe.subsystem));
        printf("section_alignment 0x%" PRIx32 "\n", pe.section_alignment);
        printf("file_alignment 0x%" PRIx32 "\n", pe.file_alignment);
        printf("size_of_image 0x%" PRIx32 "\n", pe.size_of_image);
        printf("size_of_headers 0x%" PRIx32 "\n", pe.size_of_headers);
        printf("image_base 0x%" PRIx64 "\n", pe.image_base);
        printf("characteristics 0x%04x\n", pe.characteristics);
        printf("dll_characteristics 0x%04x\n", pe.dll_characteristics);
        printf("pe_offset 0x%" PRIx32 "\n", pe.pe_offset);
        printf("section_table_offset 0x%" PRIx32 "\n", pe.section_table_offset);
        printf("end_of_raw_data %" PRIu64 "\n", pe.end_of_raw_data);
        printf("file_size %" PRIu64 "\n", pe.file_size);
        printf("number_of_sections %u\n", pe.number_of_sections);
        for (size_t i = 0; i < pe.number_of_sections; i++)
                printf("section %s vaddr 0x%" PRIx32 " vsize 0x%" PRIx32 " raw 0x%" PRIx32
                       " rawsize 0x%" PRIx32 " flags 0x%08" PRIx32 "\n",
                       sections[i].name, sections[i].virtual_address, sections[i].virtual_size,
                       sections[i].pointer_to_raw_data, sections[i].size_of_raw_data,
                       sections[i].characteristics);
        return 0;
}

/* xorshift64*: reproducible from the seed, no global state. */
static uint64_t next_random(uint64_t *state)
{
        *state ^= *state >> 12;
        *state ^= *state << 25;
        *state ^= *state >> 27;
        return *state * UINT64_C(0x2545F4914F6CDD1D);
}

/*
 * Damage a copy of the file. Random flips alone rarely hit the few header
 * bytes that steer the parser, so half the cases aim at them on purpose.
 */
static size_t damage(uint8_t *buf, size_t size, uint64_t *rnd)
{
        uint32_t pe_offset = size >= 64 ? get_le32(buf + 0x3c) : 0;
        bool is_zimage = size >= 64 && get_le32(buf + ZIMAGE_MAGIC_OFFSET) == ZIMAGE_MAGIC;
        static const uint32_t hostile[] = { 0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffff0, 0xffff, 0x10000 };
        /* Offsets (from "PE\0\0") of the COFF and optional header fields the parser reads. */
        static const uint32_t fields[] = { 4, 6, 20, 22, 24, 24 + 32, 24 + 36, 24 + 56, 24 + 60, 24 + 68,
                                           24 + 92, 24 + 108 };
        uint64_t r = next_random(rnd);

        switch (r % 4) {
        case 0: /* truncate */
                return size ? next_random(rnd) % size : 0;
        case 1: /* flip a few random bytes */
                for (unsigned n = 1 + next_random(rnd) % 8; n > 0 && size > 0; n--)
                        buf[next_random(rnd) % size] ^= (uint8_t) (1 + next_random(rnd) % 255);
                return size;
        case 2: { /* hostile value in a header field */
                uint64_t at = (uint64_t) pe_offset + fields[next_random(rnd) % ELEMENTSOF(fields)];
                uint32_t v = next_random(rnd) % 2 ? hostile[next_random(rnd) % ELEMENTSOF(hostile)] :
                                                    (uint32_t) next_random(rnd);
                if (next_random(rnd) % 4 == 0)
                        at = 0x3c;   /* e_lfanew */
                else if (is_zimage && next_random(rnd) % 2)
                        /* The size table's offset, or one of its first words. */
                        at = next_random(rnd) % 3 == 0 ? ZIMAGE_TABLE_OFFSET :
                             (uint64_t) get_le32(buf + ZIMAGE_TABLE_OFFSET) + 4 * (next_random(rnd) % 8);
                if (at + 4 <= size)
                        put_le32(buf + at, v);
                return size;
        }
        default: { /* hostile size or offset in one of the first section headers */
                uint64_t opt_size, at;

                if ((uint64_t) pe_offset + 24 > size)
                        return size;
                opt_size = buf[pe_offset + 20] | buf[pe_offset + 21] << 8;
                at = (uint64_t) pe_offset + 24 + opt_size + 40 * (next_random(rnd) % 4) +
                     8 + 4 * (next_random(rnd) % 4);
                if (at + 4 <= size)
                        put_le32(buf + at, hostile[next_random(rnd) % ELEMENTSOF(hostile)]);
                return size;
        }
        }
}

/*
 * zimage_heap_fix() on a damaged copy: no zImage (0), refused (-EINVAL,
 * with a message), or a fix (1) whose two fields lie inside the file.
 */
static int check_zimage_fix(int fd, size_t len)
{
        struct zimage_heap_fix fix;
        int r = zimage_heap_fix(fd, "fuzzed copy", &fix);

        if (r <= 0)
                return r;
        if ((uint64_t) fix.size_of_image_offset + 4 > len || (uint64_t) fix.virtual_size_offset + 4 > len ||
            fix.size_of_image < fix.heap_size)
                return -ERANGE;
        return 1;
}

static int fuzz(const char *path, unsigned long n, uint64_t seed)
{
        _cleanup_free_ uint8_t *orig = NULL, *buf = NULL;
        _cleanup_close_ int fd = -EBADF, mfd = -EBADF;
        unsigned long accepted = 0, rejected = 0, zimage_fixed = 0, zimage_refused = 0;
        uint64_t rnd = seed ? seed : 1;
        struct stat st;
        size_t size;
        int r;

        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return log_error_errno(-errno, "cannot open %s", path);
        if (fstat(fd, &st) < 0)
                return log_error_errno(-errno, "cannot stat %s", path);
        size = st.st_size;
        orig = malloc(size + 1);
        buf = malloc(size + 1);
        if (!orig || !buf)
                return log_error(-ENOMEM, "out of memory");
        r = pread_all(fd, orig, size, 0);
        if (r < 0)
                return log_error_errno(r, "cannot read %s", path);

        mfd = memfd_create("pefuzz", MFD_CLOEXEC);
        if (mfd < 0)
                return log_error_errno(-errno, "memfd_create");

        for (unsigned long i = 0; i < n; i++) {
                _cleanup_free_ struct pe_section *sections = NULL;
                struct pe_info pe;
                size_t len;

                memcpy(buf, orig, size);
                len = damage(buf, size, &rnd);
                if (ftruncate(mfd, 0) < 0 || pwrite_all(mfd, buf, len, 0) < 0)
                        return log_error_errno(-errno, "cannot write the damaged copy");

                r = check_zimage_fix(mfd, len);
                if (r == -ERANGE)
                        return log_error(r, "case %lu: the zImage fix points outside the file", i);
                if (r == -EINVAL)
                        zimage_refused++;
                else if (r < 0)
                        return log_error_errno(r, "case %lu: unexpected error from zimage_heap_fix", i);
                else if (r > 0)
                        zimage_fixed++;
                r = pe_read_info(mfd, "fuzzed copy", &pe);
                if (r >= 0) {
                        r = pe_read_sections(mfd, "fuzzed copy", &pe, &sections);
                        if (r < 0)
                                return log_error(r, "pe_read_sections failed after pe_read_info succeeded");
                        (void) pe_check_efi_app(mfd, "fuzzed copy", PE_MACHINE_ARM64, PE_MAGIC_PE32PLUS);
                        accepted++;
                } else if (r == -EINVAL)
                        rejected++;
                else
                        return log_error_errno(r, "unexpected error on case %lu", i);
        }
        printf("accepted %lu rejected %lu zimage-fixed %lu zimage-refused %lu\n",
               accepted, rejected, zimage_fixed, zimage_refused);
        return 0;
}

int main(int argc, char *argv[])
{
        int r;

        if (argc == 3 && strcmp(argv[1], "--info") == 0)
                r = info(argv[2]);
        else if (argc == 5 && strcmp(argv[1], "--fuzz") == 0)
                r = fuzz(argv[2], strtoul(argv[3], NULL, 0), strtoull(argv[4], NULL, 0));
        else if (argc == 3 && argv[1][0] != '-')
                r = check(argv[1], argv[2]);
        else {
                fprintf(stderr, "usage: pecheck FILE aa64|arm|x64|riscv64\n"
                                "       pecheck --info FILE\n"
                                "       pecheck --fuzz FILE N SEED\n");
                return 2;
        }
        return r < 0 ? 1 : 0;
}
