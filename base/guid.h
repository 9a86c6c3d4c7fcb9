/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* A GUID as its canonical upper-case string, "XXXXXXXX-XXXX-...". */
#define GUID_STRING_MAX 37
typedef struct {
        uint8_t bytes[16]; /* in string order (big-endian fields) */
} guid_t;

/* Parse "8-4-4-4-12" hex (either case); -EINVAL if malformed. */
int guid_parse(const char *s, guid_t *ret);
void guid_format(const guid_t *g, char out[GUID_STRING_MAX]);
static inline bool guid_equal(const guid_t *a, const guid_t *b)
{
        return memcmp(a->bytes, b->bytes, sizeof(a->bytes)) == 0;
}

/*
 * Everything random in an image comes from here. With a seed, each value is
 * derived as SHA-256("mkvmimage\0" || seed bytes || purpose) so that the same
 * seed and purpose always give the same value; without a seed, values come
 * from the kernel's random source.
 */
struct seed {
        bool set;
        guid_t value;
};

/* A version-4-shaped GUID for `purpose` (e.g. "partition-guid:ESP"). */
int seed_derive_guid(const struct seed *s, const char *purpose, guid_t *ret);
/* 32 bits for `purpose` (e.g. the FAT volume id). */
int seed_derive_u32(const struct seed *s, const char *purpose, uint32_t *ret);
