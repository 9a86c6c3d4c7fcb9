/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>
#include <stdint.h>

/*
 * Parse "4096", "256MiB", "1G", "512K" (binary units: K/KiB, M/MiB, G/GiB,
 * T/TiB; no suffix = bytes). -EINVAL if malformed, -ERANGE on overflow.
 */
int parse_size(const char *s, uint64_t *ret);
/* "256 MiB", "1.5 GiB", "512 bytes" into buf. */
const char *format_size(uint64_t bytes, char *buf, size_t len);
