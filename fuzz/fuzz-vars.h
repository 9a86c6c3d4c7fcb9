/* SPDX-License-Identifier: MIT */
#pragma once

/* What the variable-store targets share: comparing the variables read
 * back after our writer wrote them with those first read. */

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firmware/varstore.h"

static inline bool fuzz_same_var(const struct efi_var *a, const struct efi_var *b)
{
        return strcmp(a->name, b->name) == 0 && memcmp(&a->vendor, &b->vendor, sizeof(a->vendor)) == 0 &&
               a->attributes == b->attributes && a->size == b->size &&
               (a->size == 0 || memcmp(a->data, b->data, a->size) == 0);
}

/* The variables read back (again, n_again) must be those written (vars, n):
 * abort, naming the target and the first difference, if not. */
static inline void fuzz_check_round_trip(const char *target, const struct efi_var *vars, size_t n,
                                         const struct efi_var *again, size_t n_again)
{
        if (n_again != n) {
                fprintf(stderr, "%s: what was written from %zu variables reads back as %zu\n", target, n, n_again);
                abort();
        }
        for (size_t i = 0; i < n; i++)
                if (!fuzz_same_var(&vars[i], &again[i])) {
                        fprintf(stderr, "%s: variable %zu (%s) changed in a round trip\n", target, i, vars[i].name);
                        abort();
                }
}
