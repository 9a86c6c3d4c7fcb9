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

/* mkvmimage's own partition type for the EDK2 variable store (see layouts/vmspec-varstore.conf). */
#define VARSTORE_PARTITION_TYPE "2733F78F-FA97-4F45-8CC4-56973BF464DB"

#define ESP_PARTITION_TYPE "C12A7328-F81F-11D2-BA4B-00A0C93EC93B"

struct gpt_partition {
        unsigned partno;     /* 1-based */
        uint64_t offset;     /* bytes */
        uint64_t size;       /* bytes */
        guid_t uuid;         /* unique partition GUID (PARTUUID), string order */
};

/*
 * Reads the primary GPT of the image open as fd (512-byte sectors; bounded,
 * CRCs checked) and looks for the first partition of the given type
 * (string order). Returns 1 and fills *ret, 0 if the disk has none,
 * -EBADMSG (logged, naming `what`) if fd holds no usable GPT or the
 * partition lies outside the image, -errno for I/O.
 */
int gpt_find_partition(int fd, const char *what, const guid_t *type, struct gpt_partition *ret);

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
