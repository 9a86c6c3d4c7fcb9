/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/size.h"
#include "base/util.h"

int parse_size(const char *s, uint64_t *ret)
{
        static const struct { const char *suffix; uint64_t factor; } units[] = {
                { "", 1 },
                { "B", 1 },
                { "K", KIB }, { "KiB", KIB },
                { "M", MIB }, { "MiB", MIB },
                { "G", GIB }, { "GiB", GIB },
                { "T", GIB * 1024 }, { "TiB", GIB * 1024 },
        };
        unsigned long long v;
        char *end;

        if (!s || !isdigit((unsigned char)*s))
                return -EINVAL;
        errno = 0;
        v = strtoull(s, &end, 10);
        if (errno == ERANGE)
                return -ERANGE;
        while (*end == ' ')
                end++;
        for (size_t i = 0; i < ELEMENTSOF(units); i++) {
                if (strcasecmp(end, units[i].suffix) != 0)
                        continue;
                if (v > UINT64_MAX / units[i].factor)
                        return -ERANGE;
                *ret = v * units[i].factor;
                return 0;
        }
        return -EINVAL;
}

const char *format_size(uint64_t bytes, char *buf, size_t len)
{
        if (bytes >= GIB && bytes % GIB == 0)
                snprintf(buf, len, "%llu GiB", (unsigned long long)(bytes / GIB));
        else if (bytes >= GIB)
                snprintf(buf, len, "%.1f GiB", (double)bytes / (double)GIB);
        else if (bytes >= MIB && bytes % MIB == 0)
                snprintf(buf, len, "%llu MiB", (unsigned long long)(bytes / MIB));
        else if (bytes >= MIB)
                snprintf(buf, len, "%.1f MiB", (double)bytes / (double)MIB);
        else if (bytes >= KIB)
                snprintf(buf, len, "%.1f KiB", (double)bytes / (double)KIB);
        else
                snprintf(buf, len, "%llu bytes", (unsigned long long)bytes);
        return buf;
}
