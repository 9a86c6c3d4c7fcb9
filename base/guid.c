/* SPDX-License-Identifier: MIT */
#include "base/guid.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include <openssl/evp.h>

int guid_parse(const char *s, guid_t *ret)
{
        static const int dash_at[] = { 8, 13, 18, 23 };
        size_t n = 0;

        if (!s || strlen(s) != 36)
                return -EINVAL;
        for (size_t d = 0; d < 4; d++)
                if (s[dash_at[d]] != '-')
                        return -EINVAL;

        for (size_t i = 0; i < 36; i++) {
                int hi, lo;

                if (s[i] == '-')
                        continue;
                if (!isxdigit((unsigned char)s[i]) || !isxdigit((unsigned char)s[i + 1]))
                        return -EINVAL;
                hi = isdigit((unsigned char)s[i]) ? s[i] - '0' : tolower((unsigned char)s[i]) - 'a' + 10;
                lo = isdigit((unsigned char)s[i + 1]) ? s[i + 1] - '0' : tolower((unsigned char)s[i + 1]) - 'a' + 10;
                ret->bytes[n++] = (uint8_t)(hi << 4 | lo);
                i++;
        }
        return n == 16 ? 0 : -EINVAL;
}

void guid_format(const guid_t *g, char out[GUID_STRING_MAX])
{
        const uint8_t *b = g->bytes;

        snprintf(out, GUID_STRING_MAX,
                 "%02X%02X%02X%02X-%02X%02X-%02X%02X-%02X%02X-%02X%02X%02X%02X%02X%02X",
                 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
                 b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

static int seed_bytes(const struct seed *s, const char *purpose, uint8_t out[32])
{
        static const char domain[] = "mkvmimage"; /* hashed with its NUL */
        unsigned int len = 0;
        EVP_MD_CTX *ctx;
        int ok;

        if (!s->set) {
                if (getrandom(out, 32, 0) != 32)
                        return -errno;
                return 0;
        }

        ctx = EVP_MD_CTX_new();
        if (!ctx)
                return -ENOMEM;
        ok = EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) &&
             EVP_DigestUpdate(ctx, domain, sizeof(domain)) &&
             EVP_DigestUpdate(ctx, s->value.bytes, sizeof(s->value.bytes)) &&
             EVP_DigestUpdate(ctx, purpose, strlen(purpose)) &&
             EVP_DigestFinal_ex(ctx, out, &len);
        EVP_MD_CTX_free(ctx);
        return ok && len == 32 ? 0 : -EIO;
}

int seed_derive_guid(const struct seed *s, const char *purpose, guid_t *ret)
{
        uint8_t h[32];
        int r;

        r = seed_bytes(s, purpose, h);
        if (r < 0)
                return r;
        memcpy(ret->bytes, h, 16);
        /* Mark it as a random (version 4, RFC 4122 variant) UUID. */
        ret->bytes[6] = (uint8_t)((ret->bytes[6] & 0x0F) | 0x40);
        ret->bytes[8] = (uint8_t)((ret->bytes[8] & 0x3F) | 0x80);
        return 0;
}

int seed_derive_u32(const struct seed *s, const char *purpose, uint32_t *ret)
{
        uint8_t h[32];
        int r;

        r = seed_bytes(s, purpose, h);
        if (r < 0)
                return r;
        *ret = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
        return 0;
}
