/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Finding and printing variable stores: a 64 MiB EDK2 VARS file, an EBBR
 * `ubootefi.var`, or a disk image whose varstore partition holds an EDK2
 * store. All input is untrusted: reads are bounded, errors are logged once
 * with the file name.
 */

#include <stdint.h>
#include <stdio.h>

#include "firmware/efivar.h"

/*
 * Prints the store at path (a VARS file, a `ubootefi.var`, or a disk image
 * with a varstore partition) to out: a line naming the store, then per
 * variable "NAME [VENDOR-GUID] ATTRIBUTES, N bytes" and an indented decoded
 * line (Boot#### as "Boot0000* description  device path", BootOrder,
 * Timeout, strings, device paths, else hex). A variable that cannot be
 * decoded is printed as "cannot decode: reason". Returns 0, or a negative
 * errno (logged) when the store cannot be read.
 */
int vars_list(const char *path, FILE *out);

/* The indented lines for one variable, as vars_list() prints them. */
void efi_var_print(FILE *out, const struct efi_var *v);
