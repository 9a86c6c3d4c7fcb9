/* SPDX-License-Identifier: MIT */
/* base/size.c: parsing and printing sizes. */
#include <errno.h>

#include "base/size.h"
#include "base/util.h"
#include "unit.h"

TEST(parse_units)
{
        uint64_t v = 0;

        CHECK_INT(parse_size("4096", &v), 0);
        CHECK_U64(v, 4096);
        CHECK_INT(parse_size("256MiB", &v), 0);
        CHECK_U64(v, 256 * MIB);
        CHECK_INT(parse_size("1G", &v), 0);
        CHECK_U64(v, GIB);
        CHECK_INT(parse_size("512 K", &v), 0);
        CHECK_U64(v, 512 * KIB);
}

TEST(parse_refuses)
{
        uint64_t v = 7;

        CHECK_INT(parse_size("", &v), -EINVAL);
        CHECK_INT(parse_size("-1", &v), -EINVAL);
        CHECK_INT(parse_size("12X", &v), -EINVAL);
        CHECK_INT(parse_size("18446744073709551616", &v), -ERANGE);
        CHECK_INT(parse_size("17179869184G", &v), -ERANGE);
        CHECK_U64(v, 7);
}

TEST(format)
{
        char buf[32];

        CHECK_STR(format_size(256 * MIB, buf, sizeof(buf)), "256 MiB");
        CHECK_STR(format_size(3 * GIB / 2, buf, sizeof(buf)), "1.5 GiB");
        CHECK_STR(format_size(512, buf, sizeof(buf)), "512 bytes");
}

int main(void)
{
        RUN(parse_units);
        RUN(parse_refuses);
        RUN(format);
        return unit_exit();
}
