/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * UEFI variables as the variable-store writers and readers exchange them,
 * and the small pieces of UEFI encoding they share: GUIDs as stored on disk
 * (mixed endian) and UCS-2 strings.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/byteorder.h"

#include "base/guid.h"

#define EFI_VARIABLE_NON_VOLATILE                          0x00000001u
#define EFI_VARIABLE_BOOTSERVICE_ACCESS                    0x00000002u
#define EFI_VARIABLE_RUNTIME_ACCESS                        0x00000004u
#define EFI_VARIABLE_HARDWARE_ERROR_RECORD                 0x00000008u
#define EFI_VARIABLE_AUTHENTICATED_WRITE_ACCESS            0x00000010u
#define EFI_VARIABLE_TIME_BASED_AUTHENTICATED_WRITE_ACCESS 0x00000020u
#define EFI_VARIABLE_APPEND_WRITE                          0x00000040u

/* What Boot####, BootOrder and Timeout carry: the boot manager reads them at run time too. */
#define EFI_VARIABLE_NV_BS_RT \
        (EFI_VARIABLE_NON_VOLATILE | EFI_VARIABLE_BOOTSERVICE_ACCESS | EFI_VARIABLE_RUNTIME_ACCESS)

/* 8BE4DF61-93CA-11D2-AA0D-00E098032B8C, in string order (guid_t). */
extern const guid_t efi_global_variable_guid;

/* Longest variable name accepted, in characters (names are short in practice). */
#define EFI_VAR_NAME_MAX 1024u

struct efi_var {
        char *name;           /* UTF-8 (UCS-2 on disk; only the BMP) */
        guid_t vendor;        /* string order */
        uint32_t attributes;  /* EFI_VARIABLE_* */
        void *data;
        size_t size;
};

void efi_vars_free(struct efi_var *vars, size_t n);

/* Appends a copy of (name, vendor, attributes, data) to a growing array. */
int efi_vars_append(struct efi_var **vars, size_t *n, const char *name, const guid_t *vendor,
                    uint32_t attributes, const void *data, size_t size);

/* GUIDs: string order <-> EFI_GUID on-disk bytes (first three fields little endian). */
void efi_guid_to_disk(const guid_t *g, uint8_t out[16]);
void efi_guid_from_disk(const uint8_t in[16], guid_t *ret);

/*
 * UTF-8 -> UCS-2 little endian with a terminating NUL. *ret_size is in bytes,
 * NUL included. -EINVAL for malformed UTF-8, characters beyond the BMP, an
 * embedded NUL or more than max_chars characters.
 */
int ucs2_from_utf8(const char *s, size_t max_chars, uint8_t **ret, size_t *ret_size);

/*
 * UCS-2 little endian of at most size bytes -> UTF-8. The string must be
 * NUL-terminated within size (-EBADMSG otherwise); *ret_size (optional) gets
 * the bytes used including the NUL. Surrogates (not UCS-2) become U+FFFD.
 */
int ucs2_to_utf8(const uint8_t *p, size_t size, char **ret, size_t *ret_size);

/* "NV+BS+RT" and friends; unknown bits in hex. buf of 128 bytes is enough. */
void efi_attributes_format(uint32_t attributes, char *buf, size_t size);

