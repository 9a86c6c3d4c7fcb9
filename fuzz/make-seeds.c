/* SPDX-License-Identifier: MIT */
/*
 * fuzz-make-seeds OUTDIR: the binary seeds of the fuzz targets, made at run
 * time by our own writers so that no binary is committed:
 *
 *   OUTDIR/edk2-vars/  the start of stores from edk2_vars_write()
 *   OUTDIR/ebbr-vars/  files from ebbr_vars_build()
 *   OUTDIR/pe/         a PE32+ AArch64 EFI application and a PE32 zImage
 *   OUTDIR/zimage/     the zImage (with a size table) and an older one without
 *
 * The stores hold what an image starts with (boot_entry_vars: Boot0000,
 * BootOrder, Timeout) plus a string variable. The PE files are built here
 * field by field: headers, a section table and section data, which is all
 * the readers look at.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/byteorder.h"
#include "base/util.h"
#include "firmware/ebbr-vars.h"
#include "firmware/edk2-vars.h"
#include "firmware/efivar.h"
#include "firmware/loadopt.h"

static const char *outdir;

static void die(const char *what)
{
        fprintf(stderr, "fuzz-make-seeds: %s failed\n", what);
        exit(1);
}

static void write_seed(const char *sub, const char *name, const void *buf, size_t size)
{
        char path[4096];
        FILE *f;

        snprintf(path, sizeof(path), "%s/%s", outdir, sub);
        if (mkdir(path, 0755) < 0 && errno != EEXIST)
                die(path);
        snprintf(path, sizeof(path), "%s/%s/%s", outdir, sub, name);
        f = fopen(path, "we");
        if (!f || fwrite(buf, 1, size, f) != size || fclose(f) != 0)
                die(path);
}

/* The variables of a freshly built image, and one more of another kind. */
static void make_vars(struct efi_var **vars, size_t *n, unsigned timeout)
{
        struct boot_entry e = {
                .description = "debian",
                .partno = 1,
                .start_lba = 2048,
                .size_lba = 262144,
                .loader = "\\EFI\\BOOT\\BOOTAA64.EFI",
                .timeout = timeout,
        };
        static const char lang[] = "en-US";
        guid_t global;

        if (guid_parse("c12a7328-f81f-11d2-ba4b-00a0c93ec93b", &e.part_uuid) < 0 ||
            boot_entry_vars(&e, vars, n) < 0)
                die("boot_entry_vars");
        global = (*vars)[0].vendor;   /* a copy: appending moves the array */
        if (efi_vars_append(vars, n, "PlatformLang", &global, EFI_VARIABLE_NV_BS_RT, lang, sizeof(lang)) < 0)
                die("efi_vars_append");
}

/* The first `keep` bytes of a store holding vars (fuzz-edk2-vars lays a
 * short input over an empty store). */
static void make_edk2(const char *name, const struct efi_var *vars, size_t n, size_t keep)
{
        int fd = memfd_create("VARS.fd", MFD_CLOEXEC);
        uint8_t *region = malloc(EDK2_VARS_REGION_SIZE);

        if (fd < 0 || !region || edk2_vars_write(fd, 0, vars, n) < 0 ||
            pread_all(fd, region, EDK2_VARS_REGION_SIZE, 0) < 0)
                die("edk2_vars_write");
        write_seed("edk2-vars", name, region, keep);
        free(region);
        close(fd);
}

static void make_ebbr(const char *name, const struct efi_var *vars, size_t n)
{
        void *buf = NULL;
        size_t size = 0;

        if (ebbr_vars_build(vars, n, &buf, &size) < 0)
                die("ebbr_vars_build");
        write_seed("ebbr-vars", name, buf, size);
        free(buf);
}

/*
 * A PE file: DOS header (e_lfanew 0x40), "PE\0\0", COFF header, optional
 * header with 16 data directories, two sections (.text, .data) of 0x200
 * bytes at file offsets 0x200 and 0x400, virtual 0x1000 and 0x2000.
 * PE32 files get the zImage header words (arch/arm/boot/compressed/head.S)
 * and, with `table`, the size table after the sections.
 */
#define PE_AT 0x40
#define FILE_SIZE 0x700
static size_t make_pe(uint8_t *f, uint16_t machine, uint16_t magic, int zimage, int table)
{
        size_t opt = PE_AT + 24, opt_size = magic == 0x20b ? 240 : 224, sec = opt + opt_size;
        size_t size = table ? FILE_SIZE : 0x600;
        static const char *names[] = { ".text", ".data" };

        memset(f, 0, FILE_SIZE);
        f[0] = 'M';
        f[1] = 'Z';
        put_le32(f + 0x3c, PE_AT);
        if (zimage) {
                put_le32(f + 0x24, 0x016f2818);   /* zImage magic */
                put_le32(f + 0x28, 0);            /* start */
                put_le32(f + 0x2c, (uint32_t) size);   /* end */
                put_le32(f + 0x30, 0x04030201);   /* endianness */
                if (table) {
                        put_le32(f + 0x34, 0x45454545);
                        put_le32(f + 0x38, 0x600);
                }
        }
        memcpy(f + PE_AT, "PE\0\0", 4);
        put_le16(f + PE_AT + 4, machine);
        put_le16(f + PE_AT + 6, 2);               /* sections */
        put_le16(f + PE_AT + 20, (uint16_t) opt_size);
        put_le16(f + PE_AT + 22, 0x0206);         /* executable, debug stripped */
        put_le16(f + opt, magic);
        put_le32(f + opt + 32, 0x1000);           /* section alignment */
        put_le32(f + opt + 36, 0x200);            /* file alignment */
        put_le32(f + opt + 56, 0x3000);           /* size of image */
        put_le32(f + opt + 60, 0x200);            /* size of headers */
        put_le16(f + opt + 68, 10);               /* EFI application */
        put_le32(f + opt + (magic == 0x20b ? 108 : 92), 16);
        for (int i = 0; i < 2; i++) {
                uint8_t *s = f + sec + 40 * (size_t) i;

                memcpy(s, names[i], strlen(names[i]));
                put_le32(s + 8, 0x200);                       /* virtual size */
                put_le32(s + 12, 0x1000 * (uint32_t) (i + 1));   /* virtual address */
                put_le32(s + 16, 0x200);                      /* raw size */
                put_le32(s + 20, 0x200 * (uint32_t) (i + 1)); /* raw pointer */
                put_le32(s + 36, i == 0 ? 0x60000020 : 0xc0000040);
                memset(f + 0x200 * (size_t) (i + 1), 0x90 + i, 0x200);
        }
        if (table) {
                static const uint32_t words[] = { 6, 0x5a534c4b, 0x1234, 0x8000, 0x8000, 0x10000, 0 };

                for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
                        put_le32(f + 0x600 + 4 * i, words[i]);
        }
        return size;
}

int main(int argc, char **argv)
{
        static uint8_t pe[FILE_SIZE];
        struct efi_var *vars = NULL;
        size_t n = 0, size;

        if (argc != 2) {
                fprintf(stderr, "usage: %s OUTDIR\n", argv[0]);
                return 2;
        }
        outdir = argv[1];
        make_vars(&vars, &n, 3);

        make_edk2("empty", NULL, 0, 4096);
        make_edk2("boot-entry", vars, n, 4096);
        make_edk2("boot-entry-headers", vars, n, 512);
        make_ebbr("empty.var", NULL, 0);
        make_ebbr("boot-entry.var", vars, n);

        size = make_pe(pe, 0xaa64, 0x20b, 0, 0);
        write_seed("pe", "aa64.efi", pe, size);
        size = make_pe(pe, 0x01c2, 0x10b, 1, 1);
        write_seed("pe", "zImage", pe, size);
        write_seed("zimage", "zImage", pe, size);
        size = make_pe(pe, 0x01c2, 0x10b, 1, 0);
        write_seed("zimage", "zImage-no-table", pe, size);

        efi_vars_free(vars, n);
        return 0;
}
