/* SPDX-License-Identifier: MIT */
#pragma once

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Parse "4096", "256MiB", "1G", "512K" (binary units: K/KiB, M/MiB, G/GiB,
 * T/TiB; no suffix = bytes). -EINVAL if malformed, -ERANGE on overflow.
 */
int parse_size(const char *s, uint64_t *ret);
/* "256 MiB", "1.5 GiB", "512 bytes" into buf. */
const char *format_size(uint64_t bytes, char *buf, size_t len);

/*
 * The largest size anything in an image may have: an image is one file,
 * and off_t is a signed 64-bit number, so no file holds more than 8 EiB - 1
 * bytes. Sizes from layouts and the command line are refused above it, and
 * every sum and rounding below is checked, so a size never wraps around into
 * a small one.
 */
#define SIZE_IMAGE_MAX ((uint64_t) INT64_MAX)

/* Checked arithmetic: 0 and the result in *ret, or -ERANGE (and *ret
 * untouched) when the result does not fit in 64 bits. */
static inline int size_add(uint64_t a, uint64_t b, uint64_t *ret)
{
        uint64_t r;

        if (__builtin_add_overflow(a, b, &r))
                return -ERANGE;
        *ret = r;
        return 0;
}

static inline int size_mul(uint64_t a, uint64_t b, uint64_t *ret)
{
        uint64_t r;

        if (__builtin_mul_overflow(a, b, &r))
                return -ERANGE;
        *ret = r;
        return 0;
}

/* v rounded up to a multiple of align (need not be a power of two; 0 is -EINVAL). */
static inline int size_round_up(uint64_t v, uint64_t align, uint64_t *ret)
{
        uint64_t r;

        if (align == 0)
                return -EINVAL;
        r = v % align;
        if (r == 0) {
                *ret = v;
                return 0;
        }
        return size_add(v, align - r, ret);
}
