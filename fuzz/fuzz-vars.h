/* SPDX-License-Identifier: MIT */
#pragma once

/* What the variable-store targets share: comparing a variable read back
 * after our writer wrote it with the one first read. */

#include <stdbool.h>
#include <string.h>

#include "firmware/varstore.h"

static inline bool fuzz_same_var(const struct efi_var *a, const struct efi_var *b)
{
        return strcmp(a->name, b->name) == 0 && memcmp(&a->vendor, &b->vendor, sizeof(a->vendor)) == 0 &&
               a->attributes == b->attributes && a->size == b->size &&
               (a->size == 0 || memcmp(a->data, b->data, a->size) == 0);
}
