/* SPDX-License-Identifier: MIT */
/*
 * The EBBR variable file reader (firmware/ebbr-vars.c): an input is a
 * `ubootefi.var`, parsed by ebbr_vars_parse(); every variable it yields is
 * then decoded as `mkvmimage vars list` prints it (efi_var_print: load
 * options, device paths, strings). Seeds: files from ebbr_vars_build().
 *
 * The header's CRC32 covers every entry, so nearly every mutated input
 * would stop at the CRC check: each input is parsed as is, and then once
 * more with its length and CRC fields made right, which lets the fuzzer
 * reach the entries.
 *
 * What the reader accepts must survive a round trip: when the writer
 * (ebbr_vars_build) takes the variables, reading its file gives them back
 * unchanged.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "base/byteorder.h"
#include "firmware/ebbr-vars.h"
#include "firmware/varstore.h"
#include "fuzz-vars.h"

#define HEADER_SIZE 24   /* reserved, magic, length (u32 at 16), CRC32 (u32 at 20) */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Write vars with ebbr_vars_build() and read them back. */
static void round_trip(const struct efi_var *vars, size_t n)
{
        struct efi_var *again = NULL;
        size_t n_again = 0, size = 0;
        void *file = NULL;

        if (ebbr_vars_build(vars, n, &file, &size) < 0)
                return;   /* not every readable file is one we would write */
        if (ebbr_vars_parse(file, size, "rewritten fuzz input", &again, &n_again) < 0) {
                fprintf(stderr, "fuzz-ebbr-vars: the file written from %zu variables does not read back\n", n);
                abort();
        }
        fuzz_check_round_trip("fuzz-ebbr-vars", vars, n, again, n_again);
        efi_vars_free(again, n_again);
        free(file);
}

static void parse(const uint8_t *data, size_t size)
{
        static FILE *null;
        struct efi_var *vars = NULL;
        size_t n = 0;

        if (!null && !(null = fopen("/dev/null", "we")))
                abort();
        if (ebbr_vars_parse(data, size, "fuzz input", &vars, &n) == 0) {
                for (size_t i = 0; i < n; i++)
                        efi_var_print(null, &vars[i]);
                round_trip(vars, n);
                efi_vars_free(vars, n);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        uint8_t *fixed;

        parse(data, size);
        if (size < HEADER_SIZE || size > UINT32_MAX)
                return 0;
        /* A copy of its own size, so ASan sees any read past the end. */
        fixed = malloc(size);
        if (!fixed)
                abort();
        memcpy(fixed, data, size);
        put_le32(fixed + 16, (uint32_t) size);
        put_le32(fixed + 20, (uint32_t) crc32(0, fixed + HEADER_SIZE, (uInt) (size - HEADER_SIZE)));
        parse(fixed, size);
        free(fixed);
        return 0;
}
