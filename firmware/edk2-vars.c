/* SPDX-License-Identifier: MIT */
#include "firmware/edk2-vars.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "base/log.h"
#include "base/util.h"

/* Offsets and sizes in the region, as ArmVirtQemu lays it out. */
#define FV_HEADER_SIZE 0x48u
#define STORE_HEADER_OFFSET FV_HEADER_SIZE
#define STORE_HEADER_SIZE 0x1cu
#define FIRST_VARIABLE (STORE_HEADER_OFFSET + STORE_HEADER_SIZE)   /* 0x64, 4-byte aligned */
#define STORE_END EDK2_VARS_STORE_SIZE
#define FTW_WORKING_OFFSET 0x40000u
#define FTW_WORKING_SIZE 0x40000u
#define FTW_HEADER_SIZE 0x20u
#define FLASH_BLOCK_SIZE 0x40000u   /* QEMU virt's pflash sector size */

#define FVH_SIGNATURE "_FVH"
/* EFI_FVB2_{READ,WRITE}_{ENABLED_CAP,STATUS} | STICKY_WRITE | MEMORY_MAPPED | ERASE_POLARITY */
#define FV_ATTRIBUTES 0x00000e36u
#define FV_REVISION 2

#define STORE_FORMATTED 0x5a
#define STORE_HEALTHY 0xfe

#define VARIABLE_START_ID 0x55aa
#define AUTH_VARIABLE_HEADER_SIZE 60u
#define PLAIN_VARIABLE_HEADER_SIZE 32u

/* Variable states: bits are cleared as a variable goes through its life. */
#define VAR_ADDED 0x3f
#define VAR_IN_DELETED_TRANSITION_ADDED 0x3e

/* On-disk (mixed-endian) GUIDs. */
static const uint8_t system_nv_data_fv_guid[16] = {   /* FFF12B8D-7696-4C8B-A985-2747075B4F50 */
        0x8d, 0x2b, 0xf1, 0xff, 0x96, 0x76, 0x8b, 0x4c, 0xa9, 0x85, 0x27, 0x47, 0x07, 0x5b, 0x4f, 0x50,
};
static const uint8_t auth_variable_store_guid[16] = {   /* AAF32C78-947B-439A-A180-2E144EC37792 */
        0x78, 0x2c, 0xf3, 0xaa, 0x7b, 0x94, 0x9a, 0x43, 0xa1, 0x80, 0x2e, 0x14, 0x4e, 0xc3, 0x77, 0x92,
};
static const uint8_t plain_variable_store_guid[16] = {   /* DDCF3616-3275-4164-98B6-FE85707FFE7D */
        0x16, 0x36, 0xcf, 0xdd, 0x75, 0x32, 0x64, 0x41, 0x98, 0xb6, 0xfe, 0x85, 0x70, 0x7f, 0xfe, 0x7d,
};
static const uint8_t ftw_working_block_guid[16] = {   /* 9E58292B-7C68-497D-A0CE-6500FD9F1B95 */
        0x2b, 0x29, 0x58, 0x9e, 0x68, 0x7c, 0x7d, 0x49, 0xa0, 0xce, 0x65, 0x00, 0xfd, 0x9f, 0x1b, 0x95,
};

static uint16_t fv_header_sum(const uint8_t *fv)
{
        uint16_t sum = 0;

        for (size_t i = 0; i < FV_HEADER_SIZE; i += 2)
                sum = (uint16_t) (sum + get_le16(fv + i));
        return sum;
}

/*
 * The FTW CRC covers the 32-byte header with the CRC field and the state
 * byte in their erased form (all ones), as the firmware computes it.
 */
static uint32_t ftw_header_crc(const uint8_t *h)
{
        uint8_t copy[FTW_HEADER_SIZE];

        memcpy(copy, h, sizeof(copy));
        memset(copy + 16, 0xff, 5);
        return (uint32_t) crc32(0, copy, sizeof(copy));
}

static void put_fv_header(uint8_t *p)
{
        memset(p, 0, FV_HEADER_SIZE);
        memcpy(p + 0x10, system_nv_data_fv_guid, 16);
        put_le64(p + 0x20, EDK2_VARS_REGION_SIZE);
        memcpy(p + 0x28, FVH_SIGNATURE, 4);
        put_le32(p + 0x2c, FV_ATTRIBUTES);
        put_le16(p + 0x30, FV_HEADER_SIZE);
        p[0x37] = FV_REVISION;
        /* The firmware describes the whole flash device, not just the FV. */
        put_le32(p + 0x38, (uint32_t) (EDK2_VARS_SIZE / FLASH_BLOCK_SIZE));
        put_le32(p + 0x3c, FLASH_BLOCK_SIZE);
        /* Block map terminator {0, 0} at 0x40 is already zero. */
        put_le16(p + 0x32, (uint16_t) (0x10000 - fv_header_sum(p)));
}

static void put_store_header(uint8_t *p)
{
        memset(p, 0, STORE_HEADER_SIZE);
        memcpy(p, auth_variable_store_guid, 16);
        put_le32(p + 16, EDK2_VARS_STORE_SIZE - FV_HEADER_SIZE);
        p[20] = STORE_FORMATTED;
        p[21] = STORE_HEALTHY;
}

static void put_ftw_header(uint8_t *p)
{
        memset(p, 0xff, FTW_HEADER_SIZE);
        memcpy(p, ftw_working_block_guid, 16);
        put_le64(p + 24, FTW_WORKING_SIZE - FTW_HEADER_SIZE);
        put_le32(p + 16, ftw_header_crc(p));
        /* WorkingBlockValid is bit 0, set by clearing it (erase polarity 1). */
        p[20] = 0xfe;
}

static size_t variable_footprint(size_t name_size, size_t data_size)
{
        return round_up(AUTH_VARIABLE_HEADER_SIZE + name_size + data_size, 4);
}

static int check_variable(const struct efi_var *v, const struct efi_var *vars, size_t i)
{
        if (!v->name || !*v->name)
                return log_error(-EINVAL, "EDK2 variable store: variable %zu has no name", i);
        if (!(v->attributes & EFI_VARIABLE_NON_VOLATILE))
                return log_error(-EINVAL, "EDK2 variable store: %s is not non-volatile (attributes 0x%X)",
                                 v->name, v->attributes);
        if (v->attributes & (EFI_VARIABLE_AUTHENTICATED_WRITE_ACCESS | EFI_VARIABLE_TIME_BASED_AUTHENTICATED_WRITE_ACCESS |
                             EFI_VARIABLE_APPEND_WRITE | EFI_VARIABLE_HARDWARE_ERROR_RECORD))
                return log_error(-EINVAL, "EDK2 variable store: %s: only NV, BS and RT attributes can be seeded (0x%X)",
                                 v->name, v->attributes);
        for (size_t j = 0; j < i; j++)
                if (strcmp(vars[j].name, v->name) == 0 && memcmp(&vars[j].vendor, &v->vendor, sizeof(guid_t)) == 0)
                        return log_error(-EINVAL, "EDK2 variable store: %s given twice", v->name);
        return 0;
}

/* Appends one variable at *off of the region; -ENOSPC if it does not fit. */
static int put_variable(uint8_t *region, size_t *off, const struct efi_var *v, size_t i, const struct efi_var *vars)
{
        _cleanup_free_ uint8_t *name = NULL;
        size_t name_size, footprint;
        uint8_t *p;
        int r;

        r = check_variable(v, vars, i);
        if (r < 0)
                return r;
        r = ucs2_from_utf8(v->name, EFI_VAR_NAME_MAX, &name, &name_size);
        if (r == -ENOMEM)
                return log_error_errno(r, "EDK2 variable store: %s", v->name);
        if (r < 0)
                return log_error(r, "EDK2 variable store: variable name \"%s\" is not UCS-2 text", v->name);
        if (v->size > EDK2_VARS_MAX_VARIABLE_SIZE ||
            AUTH_VARIABLE_HEADER_SIZE + name_size + v->size > EDK2_VARS_MAX_VARIABLE_SIZE)
                return log_error(-ENOSPC, "EDK2 variable store: %s (%zu bytes of data) is larger than the firmware's maximum variable size (%u bytes with its header)",
                                 v->name, v->size, EDK2_VARS_MAX_VARIABLE_SIZE);
        footprint = variable_footprint(name_size, v->size);
        if (footprint > STORE_END - *off)
                return log_error(-ENOSPC, "EDK2 variable store: %s (%zu bytes of data) does not fit: %zu of %u bytes are used",
                                 v->name, v->size, *off - FIRST_VARIABLE, STORE_END - FIRST_VARIABLE);

        p = region + *off;
        memset(p, 0, AUTH_VARIABLE_HEADER_SIZE);  /* MonotonicCount, TimeStamp, PubKeyIndex: 0 */
        put_le16(p, VARIABLE_START_ID);
        p[2] = VAR_ADDED;
        put_le32(p + 4, v->attributes);
        put_le32(p + 36, (uint32_t) name_size);
        put_le32(p + 40, (uint32_t) v->size);
        efi_guid_to_disk(&v->vendor, p + 44);
        memcpy(p + AUTH_VARIABLE_HEADER_SIZE, name, name_size);
        if (v->size > 0)
                memcpy(p + AUTH_VARIABLE_HEADER_SIZE + name_size, v->data, v->size);
        /* The alignment padding stays 0xFF, as the firmware leaves it. */
        *off += footprint;
        return 0;
}

static int zero_tail(int fd, uint64_t offset, uint64_t len)
{
        _cleanup_free_ uint8_t *zeros = NULL;
        const size_t chunk = 1024 * 1024;
        int r;

        if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t) offset, (off_t) len) == 0)
                return 0;
        /* Block devices and file systems without hole punching: write the zeros. */
        zeros = calloc(1, chunk);
        if (!zeros)
                return -ENOMEM;
        for (uint64_t done = 0; done < len;) {
                size_t n = len - done < chunk ? (size_t) (len - done) : chunk;

                r = pwrite_all(fd, zeros, n, offset + done);
                if (r < 0)
                        return r;
                done += n;
        }
        return 0;
}

int edk2_vars_write(int fd, uint64_t offset, const struct efi_var *vars, size_t n)
{
        _cleanup_free_ uint8_t *region = malloc(EDK2_VARS_REGION_SIZE);
        size_t off = FIRST_VARIABLE;
        struct stat st;
        int r;

        if (!region)
                return log_error_errno(-ENOMEM, "cannot build the EDK2 variable store");
        memset(region, 0xff, EDK2_VARS_REGION_SIZE);
        put_fv_header(region);
        put_store_header(region + STORE_HEADER_OFFSET);
        for (size_t i = 0; i < n; i++) {
                r = put_variable(region, &off, &vars[i], i, vars);
                if (r < 0)
                        return r;
        }
        put_ftw_header(region + FTW_WORKING_OFFSET);

        if (fstat(fd, &st) < 0)
                return log_error_errno(-errno, "cannot write the EDK2 variable store");
        if (S_ISREG(st.st_mode) && (uint64_t) st.st_size < offset + EDK2_VARS_SIZE &&
            ftruncate(fd, (off_t) (offset + EDK2_VARS_SIZE)) < 0)
                return log_error_errno(-errno, "cannot grow the file for the EDK2 variable store");
        r = pwrite_all(fd, region, EDK2_VARS_REGION_SIZE, offset);
        if (r < 0)
                return log_error_errno(r, "cannot write the EDK2 variable store");
        r = zero_tail(fd, offset + EDK2_VARS_REGION_SIZE, EDK2_VARS_SIZE - EDK2_VARS_REGION_SIZE);
        if (r < 0)
                return log_error_errno(r, "cannot write the EDK2 variable store");
        return 0;
}

/* ---- reading ------------------------------------------------------------- */

static bool all_bytes_are(const uint8_t *p, size_t n, uint8_t v)
{
        for (size_t i = 0; i < n; i++)
                if (p[i] != v)
                        return false;
        return true;
}

static int check_fv_header(const uint8_t *fv, const char *what)
{
        if (memcmp(fv + 0x28, FVH_SIGNATURE, 4) != 0)
                return log_error(-EBADMSG, "%s: not an EDK2 variable store (no firmware volume signature \"_FVH\")", what);
        if (memcmp(fv + 0x10, system_nv_data_fv_guid, 16) != 0)
                return log_error(-EBADMSG, "%s: the firmware volume is not a variable store (file system GUID is not FFF12B8D-7696-4C8B-A985-2747075B4F50)", what);
        if (get_le64(fv + 0x20) != EDK2_VARS_REGION_SIZE)
                return log_error(-EBADMSG, "%s: firmware volume length 0x%llX, ArmVirtQemu's is 0x%X", what,
                                 (unsigned long long) get_le64(fv + 0x20), EDK2_VARS_REGION_SIZE);
        if (get_le16(fv + 0x30) != FV_HEADER_SIZE || fv[0x37] != FV_REVISION)
                return log_error(-EBADMSG, "%s: unexpected firmware volume header length 0x%X or revision %u", what,
                                 get_le16(fv + 0x30), fv[0x37]);
        if (fv_header_sum(fv) != 0)
                return log_error(-EBADMSG, "%s: firmware volume header checksum is wrong (the firmware would erase the store)", what);
        return 0;
}

/* Returns the variable header size the store's format uses. */
static int check_store_header(const uint8_t *h, const char *what, size_t *ret_header_size)
{
        if (memcmp(h, auth_variable_store_guid, 16) == 0)
                *ret_header_size = AUTH_VARIABLE_HEADER_SIZE;
        else if (memcmp(h, plain_variable_store_guid, 16) == 0)
                *ret_header_size = PLAIN_VARIABLE_HEADER_SIZE;
        else
                return log_error(-EBADMSG, "%s: no variable store header after the firmware volume header", what);
        if (get_le32(h + 16) != EDK2_VARS_STORE_SIZE - FV_HEADER_SIZE)
                return log_error(-EBADMSG, "%s: variable store size 0x%X, expected 0x%X", what, get_le32(h + 16),
                                 EDK2_VARS_STORE_SIZE - FV_HEADER_SIZE);
        if (h[20] != STORE_FORMATTED || h[21] != STORE_HEALTHY)
                return log_error(-EBADMSG, "%s: variable store is not marked formatted and healthy (format 0x%02X, state 0x%02X)",
                                 what, h[20], h[21]);
        return 0;
}

static int check_ftw_header(const uint8_t *h, const char *what)
{
        if (memcmp(h, ftw_working_block_guid, 16) != 0)
                return log_error(-EBADMSG, "%s: no fault-tolerant write working block header at 0x%X", what, FTW_WORKING_OFFSET);
        if (get_le32(h + 16) != ftw_header_crc(h))
                return log_error(-EBADMSG, "%s: fault-tolerant write working block header CRC is wrong", what);
        return 0;
}

/* Drops delete-transition copies of variables that also have a live copy. */
static void drop_superseded(struct efi_var *vars, size_t *n, const bool *transition)
{
        size_t out = 0;

        for (size_t i = 0; i < *n; i++) {
                bool superseded = false;

                for (size_t j = 0; transition[i] && j < *n && !superseded; j++)
                        superseded = j != i && !transition[j] && strcmp(vars[i].name, vars[j].name) == 0 &&
                                     memcmp(&vars[i].vendor, &vars[j].vendor, sizeof(guid_t)) == 0;
                if (superseded) {
                        free(vars[i].name);
                        free(vars[i].data);
                        continue;
                }
                vars[out++] = vars[i];
        }
        *n = out;
}

static int parse_variables(const uint8_t *region, size_t header_size, const char *what,
                           struct efi_var **ret, size_t *ret_n)
{
        struct efi_var *vars = NULL;
        _cleanup_free_ bool *transition = NULL;
        size_t n = 0, off = FIRST_VARIABLE;
        size_t name_at = header_size == AUTH_VARIABLE_HEADER_SIZE ? 36 : 8;
        int r = 0;

        while (STORE_END - off >= 2) {
                const uint8_t *v = region + off;
                uint32_t name_size, data_size;
                _cleanup_free_ char *name = NULL;
                guid_t vendor;
                bool *grown;

                /*
                 * Like the firmware: the variables end at the first header
                 * without the start marker. Normally free space (0xFF)
                 * follows; anything else is left over from an interrupted
                 * write or reclaim, and the firmware reclaims it at its next
                 * start.
                 */
                if (get_le16(v) != VARIABLE_START_ID)
                        break;
                if (STORE_END - off < header_size) {
                        r = log_error(-EBADMSG, "%s: corrupt variable store: variable header at 0x%zX runs past the end", what, off);
                        goto fail;
                }
                name_size = get_le32(v + name_at);
                data_size = get_le32(v + name_at + 4);
                if (name_size > STORE_END - off - header_size || data_size > STORE_END - off - header_size - name_size) {
                        r = log_error(-EBADMSG, "%s: corrupt variable store: variable at 0x%zX runs past the end (name %u, data %u bytes)",
                                      what, off, name_size, data_size);
                        goto fail;
                }

                if (v[2] == VAR_ADDED || v[2] == VAR_IN_DELETED_TRANSITION_ADDED) {
                        r = ucs2_to_utf8(v + header_size, name_size, &name, NULL);
                        if (r == -ENOMEM)
                                goto fail;
                        if (r < 0 || !*name) {
                                r = log_error(-EBADMSG, "%s: corrupt variable store: variable at 0x%zX has a malformed name", what, off);
                                goto fail;
                        }
                        efi_guid_from_disk(v + name_at + 8, &vendor);
                        r = efi_vars_append(&vars, &n, name, &vendor, get_le32(v + 4),
                                            v + header_size + name_size, data_size);
                        if (r < 0)
                                goto fail;
                        grown = realloc(transition, n * sizeof(bool));
                        if (!grown) {
                                r = -ENOMEM;
                                goto fail;
                        }
                        transition = grown;
                        transition[n - 1] = v[2] == VAR_IN_DELETED_TRANSITION_ADDED;
                }
                off += round_up(header_size + name_size + data_size, 4);
        }

        if (transition)
                drop_superseded(vars, &n, transition);
        *ret = vars;
        *ret_n = n;
        return 0;

fail:
        if (r == -ENOMEM)
                log_error_errno(r, "%s: cannot read the variable store", what);
        efi_vars_free(vars, n);
        return r;
}

int edk2_vars_read(int fd, uint64_t offset, uint64_t size, const char *what, struct efi_var **ret, size_t *n)
{
        _cleanup_free_ uint8_t *region = NULL;
        size_t header_size = 0;
        int r;

        *ret = NULL;
        *n = 0;
        if (size != EDK2_VARS_SIZE)
                return log_error(-EINVAL, "%s: %llu bytes, an EDK2 (ArmVirtQemu) variable store is %llu bytes (64 MiB)",
                                 what, (unsigned long long) size, (unsigned long long) EDK2_VARS_SIZE);
        region = malloc(EDK2_VARS_REGION_SIZE);
        if (!region)
                return log_error_errno(-ENOMEM, "%s: cannot read the variable store", what);
        r = pread_all(fd, region, EDK2_VARS_REGION_SIZE, offset);
        if (r == -EIO)
                return log_error(-EBADMSG, "%s: truncated: shorter than the variable store region", what);
        if (r < 0)
                return log_error_errno(r, "%s: cannot read the variable store", what);

        if (all_bytes_are(region, EDK2_VARS_REGION_SIZE, 0) || all_bytes_are(region, EDK2_VARS_REGION_SIZE, 0xff))
                return 1;
        r = check_fv_header(region, what);
        if (r < 0)
                return r;
        r = check_store_header(region + STORE_HEADER_OFFSET, what, &header_size);
        if (r < 0)
                return r;
        r = check_ftw_header(region + FTW_WORKING_OFFSET, what);
        if (r < 0)
                return r;
        return parse_variables(region, header_size, what, ret, n);
}
