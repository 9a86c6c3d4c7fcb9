/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The EBBR variable file U-Boot keeps on the ESP (`ubootefi.var`), little
 * endian:
 *
 *   u64 reserved (0) | u64 magic "UbEfiVa" + revision 1 | u32 total length |
 *   u32 CRC32 (zlib) of everything after this 24-byte header |
 *   entries: u32 data size | u32 attributes | u64 time | vendor GUID |
 *            UCS-2 name with NUL | data | padding to 8 bytes
 *
 * U-Boot restores only non-volatile variables with data, so Boot####,
 * BootOrder and Timeout go in with NV+BS+RT (EFI_VARIABLE_NV_BS_RT).
 */

#include <stddef.h>

#include "firmware/efivar.h"

#define EBBR_VARS_FILE_NAME "ubootefi.var"
/* U-Boot reads the file into a buffer of CONFIG_EFI_VAR_BUF_SIZE (Debian: the default, 128 KiB). */
#define EBBR_VARS_MAX_SIZE (128u * 1024u)

/*
 * Builds the file holding vars, in order. Each needs
 * EFI_VARIABLE_NON_VOLATILE and data (U-Boot drops the others). Errors
 * (logged): -EINVAL for a bad variable, -ENOSPC beyond EBBR_VARS_MAX_SIZE.
 */
int ebbr_vars_build(const struct efi_var *vars, size_t n, void **ret, size_t *ret_size);

/*
 * Parses size untrusted bytes (bounded; never crashes). Returns 0 and the
 * variables, or -EBADMSG (logged, naming `what`) for a bad magic, length,
 * CRC or entry.
 */
int ebbr_vars_parse(const void *buf, size_t size, const char *what, struct efi_var **ret, size_t *n);
