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
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "base/byteorder.h"
#include "firmware/ebbr-vars.h"
#include "firmware/varstore.h"

#define HEADER_SIZE 24   /* reserved, magic, length (u32 at 16), CRC32 (u32 at 20) */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
