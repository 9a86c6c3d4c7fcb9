/* SPDX-License-Identifier: MIT */
#include "base/utf8.h"

#include <errno.h>
#include <stdint.h>

/* Decodes one character at s; returns its length in bytes, or 0 if malformed. */
static size_t decode_one(const unsigned char *s, uint32_t *cp)
{
        size_t n;
        uint32_t c, min;

        if (s[0] < 0x80) {
                *cp = s[0];
                return 1;
        }
        if ((s[0] & 0xE0) == 0xC0)
                n = 2, c = s[0] & 0x1F, min = 0x80;
        else if ((s[0] & 0xF0) == 0xE0)
                n = 3, c = s[0] & 0x0F, min = 0x800;
        else if ((s[0] & 0xF8) == 0xF0)
                n = 4, c = s[0] & 0x07, min = 0x10000;
        else
                return 0;
        for (size_t i = 1; i < n; i++) {
                /* A NUL here fails this test too: no reading past the end. */
                if ((s[i] & 0xC0) != 0x80)
                        return 0;
                c = (c << 6) | (s[i] & 0x3F);
        }
        if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
                return 0;
        *cp = c;
        return n;
}

long utf8_utf16_length(const char *s)
{
        const unsigned char *p = (const unsigned char *) s;
        long units = 0;

        while (*p) {
                uint32_t cp;
                size_t n = decode_one(p, &cp);

                if (n == 0)
                        return -EILSEQ;
                units += cp > 0xFFFF ? 2 : 1;
                p += n;
        }
        return units;
}
