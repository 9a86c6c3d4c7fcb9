/* SPDX-License-Identifier: MIT */
#include "fs/fat-names.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define MIN(a, b) ((a) < (b) ? (a) : (b))

static bool char_is_short_safe(unsigned char c)
{
        /* What an 8.3 name may hold besides upper-case letters and digits. */
        return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || (c != 0 && strchr("!#$%&'()-@^_`{}~", c));
}

static bool char_is_forbidden(uint32_t cp)
{
        return cp < 0x20 || (cp < 0x80 && strchr("\"*/:<>?\\|", (int)cp));
}

/* "NAME.EXT" in upper case with allowed characters: stored as a short entry
 * alone, padded to 11 bytes in `out`. */
bool fat_name_to_strict_short(const char *name, char out[static 12])
{
        const char *dot = strchr(name, '.');
        size_t base = dot ? (size_t)(dot - name) : strlen(name);
        size_t ext = dot ? strlen(dot + 1) : 0;

        if (base < 1 || base > 8 || (dot && (ext < 1 || ext > 3)))
                return false;
        for (size_t i = 0; i < base; i++)
                if (!char_is_short_safe((unsigned char)name[i]))
                        return false;
        for (size_t i = 0; i < ext; i++)
                if (!char_is_short_safe((unsigned char)dot[1 + i]))
                        return false;

        memset(out, ' ', 11);
        out[11] = 0;
        memcpy(out, name, base);
        if (dot)
                memcpy(out + 8, dot + 1, ext);
        return true;
}

/* Decode one UTF-8 sequence; returns its length or 0 if invalid. */
static size_t utf8_decode(const unsigned char *s, uint32_t *cp)
{
        if (s[0] < 0x80) {
                *cp = s[0];
                return 1;
        }
        size_t len;
        uint32_t v, min;
        if ((s[0] & 0xE0) == 0xC0) {
                len = 2; v = s[0] & 0x1F; min = 0x80;
        } else if ((s[0] & 0xF0) == 0xE0) {
                len = 3; v = s[0] & 0x0F; min = 0x800;
        } else if ((s[0] & 0xF8) == 0xF0) {
                len = 4; v = s[0] & 0x07; min = 0x10000;
        } else
                return 0;
        for (size_t i = 1; i < len; i++) {
                if ((s[i] & 0xC0) != 0x80)
                        return 0;
                v = v << 6 | (s[i] & 0x3F);
        }
        if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
                return 0;
        *cp = v;
        return len;
}

int fat_name_to_utf16(const char *name, uint16_t units[static FAT_LFN_MAX_UNITS], const char **why)
{
        size_t len = strlen(name);
        size_t n_units = 0;

        if (len == 0) {
                *why = "FAT names cannot be empty";
                return -EINVAL;
        }
        if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
                *why = "\".\" and \"..\" are not allowed in FAT paths";
                return -EINVAL;
        }
        if (name[len - 1] == '.' || name[len - 1] == ' ') {
                *why = "FAT names cannot end in a dot or a space";
                return -EINVAL;
        }

        for (const unsigned char *p = (const unsigned char *)name; *p;) {
                uint32_t cp;
                size_t k = utf8_decode(p, &cp);
                if (k == 0) {
                        *why = "name is not valid UTF-8";
                        return -EINVAL;
                }
                if (char_is_forbidden(cp)) {
                        *why = "FAT names cannot hold control characters or any of \"*/:<>?\\|";
                        return -EINVAL;
                }
                size_t need = cp >= 0x10000 ? 2 : 1;
                if (n_units + need > FAT_LFN_MAX_UNITS) {
                        *why = "name longer than the 255 UTF-16 characters FAT allows";
                        return -ENAMETOOLONG;
                }
                if (cp >= 0x10000) {
                        cp -= 0x10000;
                        units[n_units++] = (uint16_t)(0xD800 | cp >> 10);
                        units[n_units++] = (uint16_t)(0xDC00 | (cp & 0x3FF));
                } else
                        units[n_units++] = (uint16_t)cp;
                p += k;
        }
        return (int)n_units;
}

static bool short_char_for(uint32_t cp, char *out)
{
        if (cp >= 'a' && cp <= 'z') {
                *out = (char)(cp - 'a' + 'A');
                return true;
        }
        if (cp < 0x80 && char_is_short_safe((unsigned char)cp)) {
                *out = (char)cp;
                return true;
        }
        if (cp == ' ' || cp == '.')
                return false;   /* dropped */
        *out = '_';             /* anything an 8.3 name cannot hold */
        return true;
}

/* Upper-cased, filtered base (up to 8) and extension (up to 3) of a long
 * name, as Windows and Linux derive the basis of a generated short name. */
static void short_basis(const char *name, char base[static 9], size_t *base_len, char ext[static 4], size_t *ext_len)
{
        while (*name == '.')
                name++;
        const char *dot = strrchr(name, '.');
        *base_len = *ext_len = 0;

        for (const unsigned char *p = (const unsigned char *)name; *p && (const char *)p != dot;) {
                uint32_t cp = 0;
                size_t k = utf8_decode(p, &cp);
                char c;
                if (*base_len < 8 && short_char_for(cp, &c))
                        base[(*base_len)++] = c;
                p += k ? k : 1;
        }
        if (dot)
                for (const unsigned char *p = (const unsigned char *)dot + 1; *p;) {
                        uint32_t cp = 0;
                        size_t k = utf8_decode(p, &cp);
                        char c;
                        if (*ext_len < 3 && short_char_for(cp, &c))
                                ext[(*ext_len)++] = c;
                        p += k ? k : 1;
                }
        if (*base_len == 0)
                base[(*base_len)++] = '_';
}

void fat_short_name_candidate(const char *name, unsigned tail, char out[static 12])
{
        char base[9], ext[4], num[8];
        size_t base_len, ext_len, keep;
        int digits;

        short_basis(name, base, &base_len, ext, &ext_len);
        digits = snprintf(num, sizeof(num), "~%u", tail);
        keep = MIN(base_len, (size_t)(8 - digits));

        memset(out, ' ', 11);
        out[11] = 0;
        memcpy(out, base, keep);
        memcpy(out + keep, num, (size_t)digits);
        memcpy(out + 8, ext, ext_len);
}

uint8_t fat_short_name_checksum(const char name[static 11])
{
        uint8_t sum = 0;
        for (size_t i = 0; i < 11; i++)
                sum = (uint8_t)(((sum & 1) << 7) + (sum >> 1) + (uint8_t)name[i]);
        return sum;
}

const char *fat_label_problem(const char *label)
{
        if (strlen(label) > 11)
                return "FAT labels have at most 11 characters";
        if (label[0] == ' ')
                return "FAT labels cannot start with a space";
        for (const unsigned char *c = (const unsigned char *) label; *c; c++) {
                if (*c >= 0x80)
                        return "FAT labels are ASCII only (other characters depend on the DOS code page)";
                if (*c < 0x20 || *c == 0x7F)
                        return "FAT labels cannot hold control characters";
                if (strchr("*?.,;:/\\|+=<>[]\"", *c))
                        return "FAT labels cannot hold any of *?.,;:/\\|+=<>[]\"";
        }
        return NULL;
}
