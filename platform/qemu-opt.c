/* SPDX-License-Identifier: MIT */
#include "platform/qemu-opt.h"

#include <stdlib.h>
#include <string.h>

char *qemu_opt_escape(const char *s)
{
        size_t n = strlen(s);
        char *out, *p;

        for (const char *q = s; *q; q++)
                n += *q == ',';
        out = malloc(n + 1);
        if (!out)
                return NULL;
        p = out;
        for (const char *q = s; *q; q++) {
                *p++ = *q;
                if (*q == ',')
                        *p++ = ',';
        }
        *p = '\0';
        return out;
}
