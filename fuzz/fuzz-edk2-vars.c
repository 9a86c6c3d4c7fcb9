/* SPDX-License-Identifier: MIT */
/*
 * The EDK2 VARS reader (firmware/edk2-vars.c): an input is the start of a
 * 64 MiB store, read by edk2_vars_read(); every variable is then decoded
 * as `mkvmimage vars list` prints it (efi_var_print). The reader looks at
 * the first EDK2_VARS_REGION_SIZE bytes (768 KiB); an input shorter than
 * that is laid over an empty store from edk2_vars_write(), so that a few
 * KiB of input reach the variables while the headers further in (the FTW
 * working block) stay valid, and libFuzzer is not slowed by inputs of
 * 768 KiB. Seeds: the first 4 KiB of stores from edk2_vars_write().
 *
 * What the reader accepts must survive a round trip: when the writer
 * (edk2_vars_write) takes the variables, reading its store gives them
 * back unchanged.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "firmware/edk2-vars.h"
#include "firmware/varstore.h"
#include "fuzz-vars.h"
#include "fuzz-input.h"

static int rewritten = -1;     /* the round trip's store */
static uint8_t *empty_store;   /* the region of a store without variables */
static uint8_t *region;
static FILE *null;
static int fd = -1;

/* Write vars with edk2_vars_write() and read them back. */
static void round_trip(const struct efi_var *vars, size_t n)
{
        struct efi_var *again = NULL;
        size_t n_again = 0;

        if (edk2_vars_write(rewritten, 0, vars, n) < 0)
                return;   /* not every readable store is one we would write */
        if (edk2_vars_read(rewritten, 0, EDK2_VARS_SIZE, "rewritten fuzz input", &again, &n_again) < 0) {
                fprintf(stderr, "fuzz-edk2-vars: the store written from %zu variables does not read back\n", n);
                abort();
        }
        fuzz_check_round_trip("fuzz-edk2-vars", vars, n, again, n_again);
        efi_vars_free(again, n_again);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        fd = fuzz_memfd("VARS.fd");
        rewritten = fuzz_memfd("VARS-rewritten.fd");
        null = fopen("/dev/null", "we");
        empty_store = malloc(EDK2_VARS_REGION_SIZE);
        region = malloc(EDK2_VARS_REGION_SIZE);
        if (!null || !empty_store || !region || edk2_vars_write(fd, 0, NULL, 0) < 0 ||
            pread(fd, empty_store, EDK2_VARS_REGION_SIZE, 0) != EDK2_VARS_REGION_SIZE)
                abort();
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct efi_var *vars = NULL;
        size_t n = 0;

        /* Longer inputs add nothing the reader would see. */
        if (size > EDK2_VARS_REGION_SIZE)
                size = EDK2_VARS_REGION_SIZE;
        memcpy(region, data, size);
        memcpy(region + size, empty_store + size, EDK2_VARS_REGION_SIZE - size);
        /* The memfd stays 64 MiB (edk2_vars_write made it so); rewrite the region. */
        if (pwrite(fd, region, EDK2_VARS_REGION_SIZE, 0) != EDK2_VARS_REGION_SIZE)
                abort();
        if (edk2_vars_read(fd, 0, EDK2_VARS_SIZE, "fuzz input", &vars, &n) == 0) {
                for (size_t i = 0; i < n; i++)
                        efi_var_print(null, &vars[i]);
                round_trip(vars, n);
                efi_vars_free(vars, n);
        }
        return 0;
}
