/* SPDX-License-Identifier: MIT */
#include "firmware/ebbr-vars.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "base/log.h"
#include "base/util.h"

#define FILE_HEADER_SIZE 24u
#define ENTRY_HEADER_SIZE 32u
static const uint8_t file_magic[8] = { 'U', 'b', 'E', 'f', 'i', 'V', 'a', 1 };

static int check_variable(const struct efi_var *v, size_t i)
{
        if (!v->name || !*v->name)
                return log_error(-EINVAL, "EBBR variable file: variable %zu has no name", i);
        if (!(v->attributes & EFI_VARIABLE_NON_VOLATILE) || v->size == 0)
                return log_error(-EINVAL, "EBBR variable file: %s must be non-volatile and hold data (U-Boot would drop it)",
                                 v->name);
        return 0;
}

int ebbr_vars_build(const struct efi_var *vars, size_t n, void **ret, size_t *ret_size)
{
        _cleanup_free_ uint8_t *buf = calloc(1, EBBR_VARS_MAX_SIZE);
        size_t off = FILE_HEADER_SIZE;
        int r;

        if (!buf)
                return log_error_errno(-ENOMEM, "cannot build the EBBR variable file");
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ uint8_t *name = NULL;
                size_t name_size, footprint;
                uint8_t *p;

                r = check_variable(&vars[i], i);
                if (r < 0)
                        return r;
                r = ucs2_from_utf8(vars[i].name, EFI_VAR_NAME_MAX, &name, &name_size);
                if (r == -ENOMEM)
                        return log_error_errno(r, "cannot build the EBBR variable file");
                if (r < 0)
                        return log_error(r, "EBBR variable file: variable name \"%s\" is not UCS-2 text", vars[i].name);
                if (vars[i].size > EBBR_VARS_MAX_SIZE)
                        footprint = SIZE_MAX;
                else
                        footprint = round_up(ENTRY_HEADER_SIZE + name_size + vars[i].size, 8);
                if (footprint > EBBR_VARS_MAX_SIZE - off)
                        return log_error(-ENOSPC, "EBBR variable file: %s (%zu bytes of data) does not fit in U-Boot's %u-byte variable buffer",
                                         vars[i].name, vars[i].size, EBBR_VARS_MAX_SIZE);
                p = buf + off;
                put_le32(p, (uint32_t) vars[i].size);
                put_le32(p + 4, vars[i].attributes);
                put_le64(p + 8, 0);   /* time: only meaningful for authenticated variables */
                efi_guid_to_disk(&vars[i].vendor, p + 16);
                memcpy(p + ENTRY_HEADER_SIZE, name, name_size);
                memcpy(p + ENTRY_HEADER_SIZE + name_size, vars[i].data, vars[i].size);
                off += footprint;
        }
        memcpy(buf + 8, file_magic, sizeof(file_magic));
        put_le32(buf + 16, (uint32_t) off);
        put_le32(buf + 20, (uint32_t) crc32(0, buf + FILE_HEADER_SIZE, (uInt) (off - FILE_HEADER_SIZE)));
        *ret_size = off;
        *ret = buf;
        buf = NULL;
        return 0;
}

int ebbr_vars_parse(const void *data, size_t size, const char *what, struct efi_var **ret, size_t *ret_n)
{
        const uint8_t *buf = data;
        struct efi_var *vars = NULL;
        size_t n = 0, off = FILE_HEADER_SIZE, length;
        int r;

        *ret = NULL;
        *ret_n = 0;
        if (size < FILE_HEADER_SIZE || memcmp(buf + 8, file_magic, sizeof(file_magic)) != 0)
                return log_error(-EBADMSG, "%s: not an EBBR (U-Boot) variable file (no \"UbEfiVa\" magic, revision 1)", what);
        if (get_le64(buf) != 0)
                return log_error(-EBADMSG, "%s: reserved header field is not zero (U-Boot rejects the file)", what);
        length = get_le32(buf + 16);
        if (length != size || length < FILE_HEADER_SIZE)
                return log_error(-EBADMSG, "%s: header says %zu bytes, the file has %zu", what, length, size);
        if (get_le32(buf + 20) != (uint32_t) crc32(0, buf + FILE_HEADER_SIZE, (uInt) (length - FILE_HEADER_SIZE)))
                return log_error(-EBADMSG, "%s: CRC32 of the entries is wrong (U-Boot rejects the file)", what);

        while (off < length) {
                _cleanup_free_ char *name = NULL;
                size_t name_size, data_size;
                guid_t vendor;

                if (length - off < ENTRY_HEADER_SIZE) {
                        r = log_error(-EBADMSG, "%s: entry at 0x%zX runs past the end", what, off);
                        goto fail;
                }
                data_size = get_le32(buf + off);
                r = ucs2_to_utf8(buf + off + ENTRY_HEADER_SIZE, length - off - ENTRY_HEADER_SIZE, &name, &name_size);
                if (r == -ENOMEM)
                        goto fail;
                if (r < 0 || !*name) {
                        r = log_error(-EBADMSG, "%s: entry at 0x%zX has a malformed name", what, off);
                        goto fail;
                }
                if (data_size > length - off - ENTRY_HEADER_SIZE - name_size) {
                        r = log_error(-EBADMSG, "%s: data of %s runs past the end", what, name);
                        goto fail;
                }
                efi_guid_from_disk(buf + off + 16, &vendor);
                r = efi_vars_append(&vars, &n, name, &vendor, get_le32(buf + off + 4),
                                    buf + off + ENTRY_HEADER_SIZE + name_size, data_size);
                if (r < 0)
                        goto fail;
                /* The next entry starts 8-aligned; the padding may run to the very end. */
                off = round_up(off + ENTRY_HEADER_SIZE + name_size + data_size, 8);
        }
        *ret = vars;
        *ret_n = n;
        return 0;

fail:
        if (r == -ENOMEM)
                log_error_errno(r, "%s: cannot read the variable file", what);
        efi_vars_free(vars, n);
        return r;
}
