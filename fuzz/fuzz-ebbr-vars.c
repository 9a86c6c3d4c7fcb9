/* SPDX-License-Identifier: MIT */
/*
 * The EBBR variable file reader (firmware/ebbr-vars.c): an input is a
 * `ubootefi.var`, parsed by ebbr_vars_parse(); every variable it yields is
 * then decoded as `mkvmimage vars list` prints it (efi_var_print: load
 * options, device paths, strings). Seeds: files from ebbr_vars_build().
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "firmware/ebbr-vars.h"
#include "firmware/varstore.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
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
        return 0;
}
