/* SPDX-License-Identifier: MIT */
#include "firmware/efivar.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

const guid_t efi_global_variable_guid = { {
        0x8b, 0xe4, 0xdf, 0x61, 0x93, 0xca, 0x11, 0xd2, 0xaa, 0x0d, 0x00, 0xe0, 0x98, 0x03, 0x2b, 0x8c,
} };

void efi_vars_free(struct efi_var *vars, size_t n)
{
        if (!vars)
                return;
        for (size_t i = 0; i < n; i++) {
                free(vars[i].name);
                free(vars[i].data);
        }
        free(vars);
}

int efi_vars_append(struct efi_var **vars, size_t *n, const char *name, const guid_t *vendor,
                    uint32_t attributes, const void *data, size_t size)
{
        struct efi_var *grown, *v;

        grown = realloc(*vars, (*n + 1) * sizeof(**vars));
        if (!grown)
                return -ENOMEM;
        *vars = grown;
        v = &grown[*n];
        *v = (struct efi_var) { .vendor = *vendor, .attributes = attributes, .size = size };
        v->name = strdup(name);
        /* One extra byte so a zero-sized variable still has a buffer. */
        v->data = malloc(size + 1);
        if (!v->name || !v->data) {
                free(v->name);
                free(v->data);
                return -ENOMEM;
        }
        if (size > 0)
                memcpy(v->data, data, size);
        (*n)++;
        return 0;
}

void efi_guid_to_disk(const guid_t *g, uint8_t out[16])
{
        const uint8_t *b = g->bytes;

        out[0] = b[3]; out[1] = b[2]; out[2] = b[1]; out[3] = b[0];
        out[4] = b[5]; out[5] = b[4];
        out[6] = b[7]; out[7] = b[6];
        memcpy(out + 8, b + 8, 8);
}

void efi_guid_from_disk(const uint8_t in[16], guid_t *ret)
{
        uint8_t *b = ret->bytes;

        /* The swap is its own inverse. */
        b[0] = in[3]; b[1] = in[2]; b[2] = in[1]; b[3] = in[0];
        b[4] = in[5]; b[5] = in[4];
        b[6] = in[7]; b[7] = in[6];
        memcpy(b + 8, in + 8, 8);
}

/* Decodes one UTF-8 character; returns its length or -EINVAL. */
static int utf8_decode_char(const unsigned char *s, uint32_t *ret)
{
        uint32_t c;
        int len;

        if (s[0] < 0x80) {
                *ret = s[0];
                return 1;
        }
        if ((s[0] & 0xe0) == 0xc0) {
                c = s[0] & 0x1f;
                len = 2;
        } else if ((s[0] & 0xf0) == 0xe0) {
                c = s[0] & 0x0f;
                len = 3;
        } else
                return -EINVAL;  /* 4-byte forms are beyond the BMP anyway */
        for (int i = 1; i < len; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return -EINVAL;
                c = c << 6 | (s[i] & 0x3f);
        }
        if ((len == 2 && c < 0x80) || (len == 3 && c < 0x800) || (c >= 0xd800 && c <= 0xdfff))
                return -EINVAL;
        *ret = c;
        return len;
}

int ucs2_from_utf8(const char *s, size_t max_chars, uint8_t **ret, size_t *ret_size)
{
        size_t len = strlen(s), n = 0;
        _cleanup_free_ uint8_t *out = malloc((len + 1) * 2);

        if (!out)
                return -ENOMEM;
        for (size_t i = 0; i < len;) {
                uint32_t c;
                int k = utf8_decode_char((const unsigned char *) s + i, &c);

                if (k < 0 || n >= max_chars)
                        return -EINVAL;
                put_le16(out + 2 * n++, (uint16_t) c);
                i += (size_t) k;
        }
        put_le16(out + 2 * n++, 0);
        *ret_size = 2 * n;
        *ret = out;
        out = NULL;
        return 0;
}

int ucs2_to_utf8(const uint8_t *p, size_t size, char **ret, size_t *ret_size)
{
        size_t chars = 0;
        char *out, *q;

        while (true) {
                if (2 * chars + 2 > size)
                        return -EBADMSG;
                if (get_le16(p + 2 * chars) == 0)
                        break;
                chars++;
        }
        out = malloc(chars * 3 + 1);
        if (!out)
                return -ENOMEM;
        q = out;
        for (size_t i = 0; i < chars; i++) {
                uint32_t c = get_le16(p + 2 * i);

                if (c >= 0xd800 && c <= 0xdfff)
                        c = 0xfffd;
                if (c < 0x80)
                        *q++ = (char) c;
                else if (c < 0x800) {
                        *q++ = (char) (0xc0 | c >> 6);
                        *q++ = (char) (0x80 | (c & 0x3f));
                } else {
                        *q++ = (char) (0xe0 | c >> 12);
                        *q++ = (char) (0x80 | ((c >> 6) & 0x3f));
                        *q++ = (char) (0x80 | (c & 0x3f));
                }
        }
        *q = 0;
        if (ret_size)
                *ret_size = 2 * chars + 2;
        *ret = out;
        return 0;
}

void efi_attributes_format(uint32_t attributes, char *buf, size_t size)
{
        static const struct { uint32_t bit; const char *name; } names[] = {
                { EFI_VARIABLE_NON_VOLATILE, "NV" },
                { EFI_VARIABLE_BOOTSERVICE_ACCESS, "BS" },
                { EFI_VARIABLE_RUNTIME_ACCESS, "RT" },
                { EFI_VARIABLE_HARDWARE_ERROR_RECORD, "HR" },
                { EFI_VARIABLE_AUTHENTICATED_WRITE_ACCESS, "AW" },
                { EFI_VARIABLE_TIME_BASED_AUTHENTICATED_WRITE_ACCESS, "AT" },
                { EFI_VARIABLE_APPEND_WRITE, "AP" },
        };
        size_t len = 0;

        buf[0] = 0;
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if ((attributes & names[i].bit) && len < size)
                        len += (size_t) snprintf(buf + len, size - len, "%s%s", len ? "+" : "", names[i].name);
        attributes &= ~0x7fu;
        if (attributes && len < size)
                len += (size_t) snprintf(buf + len, size - len, "%s0x%08X", len ? "+" : "", attributes);
        if (len == 0)
                snprintf(buf, size, "-");
}
