/* SPDX-License-Identifier: MIT */
/*
 * varsfuzz ITERATIONS SEED: random damage to well-formed inputs of every
 * firmware/ parser (EBBR files with their CRC and length fixed up so the
 * damage reaches the entries, EDK2 stores with intact headers so it reaches
 * the variables, load options, device paths), each decoded and printed.
 * Run under ASan/UBSan: it passes when nothing crashes or reads out of
 * bounds. Prints how many inputs each parser accepted and rejected.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "base/util.h"
#include "firmware/ebbr-vars.h"
#include "firmware/edk2-vars.h"
#include "firmware/loadopt.h"
#include "firmware/varstore.h"

static uint64_t rng_state;

static uint32_t rnd(void)
{
        /* xorshift64*: reproducible from the seed on the command line. */
        rng_state ^= rng_state >> 12;
        rng_state ^= rng_state << 25;
        rng_state ^= rng_state >> 27;
        return (uint32_t) ((rng_state * 0x2545F4914F6CDD1DULL) >> 32);
}

static void damage(uint8_t *p, size_t from, size_t to)
{
        unsigned k = 1 + rnd() % 8;

        for (unsigned i = 0; i < k && to > from; i++) {
                size_t at = from + rnd() % (to - from);

                switch (rnd() % 4) {
                case 0: p[at] = (uint8_t) rnd(); break;
                case 1: p[at] = 0xff; break;
                case 2: p[at] = 0; break;
                default: p[at] ^= (uint8_t) (1u << (rnd() % 8)); break;
                }
        }
}

static void print_all(FILE *sink, const struct efi_var *vars, size_t n)
{
        for (size_t i = 0; i < n; i++)
                efi_var_print(sink, &vars[i]);
}

static int build_vars(struct efi_var **vars, size_t *n)
{
        guid_t part = { { 0x76, 0x39, 0x9a, 0xb9, 0xc3, 0x96, 0x46, 0xea, 0xb1, 0x46, 0x40, 0xc6, 0xa6, 0x34, 0xa4, 0xb2 } };
        _cleanup_free_ void *opt = NULL;
        uint8_t order[4] = { 0, 0, 1, 0 }, timeout[2] = { 5, 0 };
        size_t opt_size;
        int r;

        r = loadopt_build("fuzz entry", 1, &part, 2048, 524288, "\\EFI\\BOOT\\BOOTAA64.EFI", &opt, &opt_size);
        if (r < 0)
                return r;
        r = efi_vars_append(vars, n, "Boot0000", &efi_global_variable_guid, EFI_VARIABLE_NV_BS_RT, opt, opt_size);
        if (r >= 0)
                r = efi_vars_append(vars, n, "Boot0001", &efi_global_variable_guid, EFI_VARIABLE_NV_BS_RT, opt, opt_size);
        if (r >= 0)
                r = efi_vars_append(vars, n, "BootOrder", &efi_global_variable_guid, EFI_VARIABLE_NV_BS_RT, order, 4);
        if (r >= 0)
                r = efi_vars_append(vars, n, "Timeout", &efi_global_variable_guid, EFI_VARIABLE_NV_BS_RT, timeout, 2);
        if (r >= 0)
                r = efi_vars_append(vars, n, "PlatformLang", &efi_global_variable_guid, EFI_VARIABLE_NV_BS_RT, "en", 3);
        return r;
}

static int fuzz_ebbr(FILE *sink, const struct efi_var *vars, size_t n, unsigned iterations)
{
        _cleanup_free_ uint8_t *good = NULL, *buf = NULL;
        unsigned ok = 0, bad = 0;
        size_t size;
        int r;

        r = ebbr_vars_build(vars, n, (void **) &good, &size);
        if (r < 0)
                return r;
        buf = malloc(size + 64);
        if (!buf)
                return -ENOMEM;
        for (unsigned i = 0; i < iterations; i++) {
                struct efi_var *got = NULL;
                size_t got_n = 0, len = size;

                memcpy(buf, good, size);
                damage(buf, 24, size);
                if (rnd() % 4 == 0)
                        len = 24 + rnd() % (size - 24 + 1);   /* truncated, header fixed up */
                if (rnd() % 8 != 0) {
                        put_le32(buf + 16, (uint32_t) len);
                        put_le32(buf + 20, (uint32_t) crc32(0, buf + 24, (uInt) (len - 24)));
                }
                if (ebbr_vars_parse(buf, len, "fuzz.var", &got, &got_n) < 0)
                        bad++;
                else {
                        ok++;
                        print_all(sink, got, got_n);
                        efi_vars_free(got, got_n);
                }
        }
        printf("ebbr: %u parsed, %u rejected\n", ok, bad);
        return 0;
}

static int fuzz_edk2(FILE *sink, const struct efi_var *vars, size_t n, unsigned iterations)
{
        char path[] = "/tmp/varsfuzz.XXXXXX";
        _cleanup_free_ uint8_t *good = malloc(EDK2_VARS_REGION_SIZE), *buf = malloc(EDK2_VARS_REGION_SIZE);
        _cleanup_close_ int fd = mkstemp(path);
        unsigned ok = 0, bad = 0;
        int r;

        if (fd < 0 || !good || !buf)
                return -errno ?: -ENOMEM;
        (void) unlink(path);
        r = edk2_vars_write(fd, 0, vars, n);
        if (r < 0)
                return r;
        r = pread_all(fd, good, EDK2_VARS_REGION_SIZE, 0);
        if (r < 0)
                return r;
        for (unsigned i = 0; i < iterations; i++) {
                struct efi_var *got = NULL;
                size_t got_n = 0;

                memcpy(buf, good, EDK2_VARS_REGION_SIZE);
                /* Mostly the variables (headers intact), sometimes the headers too. */
                if (rnd() % 8 == 0)
                        damage(buf, 0, 0x64);
                else
                        damage(buf, 0x64, 0x300);
                r = pwrite_all(fd, buf, EDK2_VARS_REGION_SIZE, 0);
                if (r < 0)
                        return r;
                r = edk2_vars_read(fd, 0, EDK2_VARS_SIZE, "fuzz.fd", &got, &got_n);
                if (r < 0)
                        bad++;
                else {
                        ok++;
                        print_all(sink, got, got_n);
                        efi_vars_free(got, got_n);
                }
        }
        printf("edk2: %u parsed, %u rejected\n", ok, bad);
        return 0;
}

static void fuzz_loadopt(FILE *sink, const struct efi_var *boot, unsigned iterations)
{
        _cleanup_free_ uint8_t *buf = malloc(boot->size);
        unsigned ok = 0, bad = 0;

        if (!buf)
                return;
        for (unsigned i = 0; i < iterations; i++) {
                _cleanup_free_ char *text = NULL;
                const char *reason = NULL;
                size_t len = rnd() % 4 == 0 ? rnd() % (boot->size + 1) : boot->size;

                memcpy(buf, boot->data, boot->size);
                damage(buf, 0, boot->size);
                /* A copy of exactly len bytes, so ASan sees any read past it. */
                _cleanup_free_ uint8_t *exact = malloc(len ?: 1);
                if (!exact)
                        return;
                memcpy(exact, buf, len);
                if (loadopt_format(exact, len, &text, &reason) < 0)
                        bad++;
                else {
                        ok++;
                        fputs(text, sink);
                }
        }
        printf("loadopt: %u decoded, %u rejected\n", ok, bad);
}

int main(int argc, char **argv)
{
        _cleanup_fclose_ FILE *sink = fopen("/dev/null", "w");
        struct efi_var *vars = NULL;
        unsigned iterations;
        size_t n = 0;
        int r;

        if (argc != 3 || !sink) {
                fprintf(stderr, "usage: varsfuzz ITERATIONS SEED\n");
                return 2;
        }
        iterations = (unsigned) strtoul(argv[1], NULL, 10);
        rng_state = strtoull(argv[2], NULL, 0) * 0x9E3779B97F4A7C15ULL + 1;
        r = build_vars(&vars, &n);
        if (r >= 0)
                r = fuzz_ebbr(sink, vars, n, iterations);
        if (r >= 0)
                r = fuzz_edk2(sink, vars, n, iterations);
        if (r >= 0)
                fuzz_loadopt(sink, &vars[0], iterations);
        efi_vars_free(vars, n);
        if (r < 0) {
                fprintf(stderr, "varsfuzz: %s\n", strerror(-r));
                return 1;
        }
        return 0;
}
