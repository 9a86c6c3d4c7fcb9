/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * EFI_LOAD_OPTION (the data of Boot####) and the device paths in it
 * (UEFI 2.10, "Load Options" and "Device Path Protocol").
 */

#include <stddef.h>
#include <stdint.h>

#include "base/guid.h"

#define LOAD_OPTION_ACTIVE 0x00000001u

/*
 * An active load option booting file_path ("\EFI\BOOT\BOOTAA64.EFI"; '/' is
 * accepted for '\', a leading separator added) from GPT partition partno
 * (1-based) whose unique GUID is part_guid (string order), start_lba and
 * size_lba in 512-byte sectors (what the firmware's HD() node compares):
 *
 *   Attributes | FilePathListLength | Description (UCS-2) |
 *   HD(partno,GPT,part_guid,start,size) / File(file_path) / End
 *
 * This short form (starting at the partition) is what firmware matches
 * against any disk holding that partition, whatever bus it sits on.
 * Returns 0 and a malloc'ed buffer, or -EINVAL for an empty or non-UCS-2
 * description or path, partno 0.
 */
int loadopt_build(const char *description, unsigned partno, const guid_t *part_guid, uint64_t start_lba,
                  uint64_t size_lba, const char *file_path, void **ret, size_t *ret_size);

/*
 * The text form of an EFI_LOAD_OPTION of at most size untrusted bytes:
 * "* debian  HD(1,GPT,<GUID>,0x800,0x80000)/File(\EFI\BOOT\BOOTAA64.EFI)"
 * ('*' when active, ' ' when not; two spaces after the description, as
 * efibootmgr prints it). Returns 0, or -EBADMSG with *reason (static text)
 * saying what is malformed.
 */
int loadopt_format(const void *buf, size_t size, char **ret, const char **reason);

/* What a seeded store holds: Boot0000 for the image's bootloader, BootOrder = 0000, Timeout. */
struct boot_entry {
        const char *description;   /* e.g. the image's name */
        unsigned partno;           /* ESP partition number, 1-based */
        guid_t part_uuid;          /* ESP unique GUID (PARTUUID), string order */
        uint64_t start_lba;        /* ESP first sector (512 bytes) */
        uint64_t size_lba;         /* ESP size in sectors */
        const char *loader;        /* "\EFI\BOOT\BOOTAA64.EFI" */
        unsigned timeout;          /* seconds, < 0xFFFF */
};

struct efi_var;

/*
 * The three variables (NV+BS+RT, EFI global GUID) for e, ready for
 * edk2_vars_write() or ebbr_vars_build(); free with efi_vars_free().
 * Errors are logged.
 */
int boot_entry_vars(const struct boot_entry *e, struct efi_var **ret, size_t *ret_n);

/* The text form of a device path of at most size untrusted bytes (UEFI text notation). */
int devpath_format(const void *buf, size_t size, char **ret, const char **reason);
