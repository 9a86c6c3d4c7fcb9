/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "platform/machine.h"

/*
 * Judges a boot from its serial console, fed as it arrives. Text is matched
 * with terminal escape sequences and carriage returns removed (firmware
 * paints its screens with them); the raw bytes go to the log.
 */
struct verdict {
        enum firmware_kind firmware;
        char *const *expect;       /* patterns that must all appear (substrings) */
        size_t n_expect;
        bool *seen;
        size_t n_seen;

        char line[1024];           /* the current line, cleaned */
        size_t line_len;
        bool line_truncated;
        int escape;                /* escape-sequence parser state */

        size_t n_bytes;            /* raw console bytes seen */
        unsigned n_checks, n_checks_failed;
        char *failed_check;        /* the first failed VMIMAGE-CHECK line */
        char *failure;             /* a recognised failure: stop the run */
        bool cannot_load_any_image;
        char last_line[256];       /* the last non-empty line, for timeouts */

        /*
         * The first boot option the firmware's boot manager started: EDK2's
         * "BdsDxe: starting Boot0000 "debian" from ..." gives
         * `Boot0000 "debian"`, U-Boot's "Booting: debian" gives `"debian"`.
         */
        char *boot_option;
        const char *expect_boot_option;  /* EDK2 must start this one first ("Boot0000"), or NULL */
};

int verdict_init(struct verdict *v, enum firmware_kind firmware, char *const *expect, size_t n_expect);
void verdict_done(struct verdict *v);

/* Returns -ENOMEM only; v->failure says whether a failure was recognised. */
int verdict_feed(struct verdict *v, const char *buf, size_t n);

bool verdict_all_expected(const struct verdict *v);
/* The first pattern not seen, or NULL. */
const char *verdict_missing(const struct verdict *v);
