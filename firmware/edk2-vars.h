/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The variable flash of EDK2's ArmVirtQemu (Debian's AAVMF and AAVMF32):
 * a 64 MiB pflash image whose first 0xC0000 bytes hold a firmware volume
 * with the authenticated variable store (0x40000 bytes), the fault-tolerant
 * write (FTW) working block (0x40000) and the FTW spare (0x40000). The rest
 * is unused. See ../shared/reference/FACTS.md; the header bytes match what
 * the firmware itself writes when it formats a blank store.
 */

#include <stdint.h>

#include "firmware/efivar.h"

#define EDK2_VARS_SIZE ((uint64_t) 64 * 1024 * 1024)   /* QEMU refuses a pflash of any other size */
#define EDK2_VARS_REGION_SIZE 0xc0000u                 /* FV: store + FTW working block + spare */
#define EDK2_VARS_STORE_SIZE 0x40000u
/* ArmVirtQemu's PcdMaxVariableSize: the firmware refuses larger variables. */
#define EDK2_VARS_MAX_VARIABLE_SIZE 0x2000u

/*
 * Writes a complete 64 MiB store at offset of fd (a VARS file: offset 0;
 * a varstore partition: its byte offset) holding vars, in order. Every
 * variable needs EFI_VARIABLE_NON_VOLATILE. The file is grown to
 * offset + 64 MiB if shorter; the unused tail is zeroed (holes where the
 * file system can punch them). Errors (logged): -EINVAL for a bad variable,
 * -ENOSPC if the variables do not fit (the message names the one that
 * does not), -errno from I/O.
 */
int edk2_vars_write(int fd, uint64_t offset, const struct efi_var *vars, size_t n);

/*
 * Reads the store of size bytes at offset of fd (untrusted: bounded, never
 * crashes). size must be EDK2_VARS_SIZE. Returns 0 and the live variables
 * (added and not deleted; a variable caught in a delete transition counts
 * when no newer copy exists) in store order, or 1 and no variables for a
 * blank store (all zeros or all 0xFF: the firmware formats it on first
 * boot), or -EBADMSG for a corrupt store, -EINVAL for a wrong size, -errno
 * for I/O. `what` names the store in the error messages (a file name, or
 * "disk.img partition 2").
 */
int edk2_vars_read(int fd, uint64_t offset, uint64_t size, const char *what, struct efi_var **ret, size_t *n);
