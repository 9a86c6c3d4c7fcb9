/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>

/*
 * Checks that s is well-formed UTF-8 (no overlong forms, no surrogates,
 * nothing above U+10FFFF) and counts the UTF-16 code units it becomes
 * (two for a character above U+FFFF), as GPT partition names are stored.
 * Returns the count, or -EILSEQ.
 */
long utf8_utf16_length(const char *s);
