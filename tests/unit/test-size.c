/* SPDX-License-Identifier: MIT */
/* base/size.{c,h}: parsing and printing sizes, checked size arithmetic. */
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

TEST(parse_limits)
{
        uint64_t v = 0;

        CHECK_INT(parse_size("18446744073709551615", &v), 0);
        CHECK_U64(v, UINT64_MAX);
        CHECK_INT(parse_size("16777215T", &v), 0);
        CHECK_U64(v, UINT64_C(16777215) << 40);
        CHECK_INT(parse_size("16777216T", &v), -ERANGE);
        /* Parsing is not the limit: 2^64 - 256 MiB parses, and must then be refused. */
        CHECK_INT(parse_size("18446744073441116160", &v), 0);
        CHECK(v > SIZE_IMAGE_MAX);
}

TEST(add)
{
        uint64_t v = 7;

        CHECK_INT(size_add(1, 2, &v), 0);
        CHECK_U64(v, 3);
        CHECK_INT(size_add(UINT64_MAX - 1, 1, &v), 0);
        CHECK_U64(v, UINT64_MAX);
        v = 7;
        CHECK_INT(size_add(UINT64_MAX, 1, &v), -ERANGE);
        CHECK_INT(size_add(UINT64_C(18446744073441116160), 512 * MIB, &v), -ERANGE);
        CHECK_U64(v, 7);
}

TEST(mul)
{
        uint64_t v = 7;

        CHECK_INT(size_mul(4096, 1100, &v), 0);
        CHECK_U64(v, 4096 * 1100);
        CHECK_INT(size_mul(UINT64_C(1) << 32, UINT64_C(1) << 31, &v), 0);
        CHECK_U64(v, UINT64_C(1) << 63);
        v = 7;
        CHECK_INT(size_mul(UINT64_C(1) << 32, UINT64_C(1) << 32, &v), -ERANGE);
        CHECK_INT(size_mul(UINT64_MAX, 2, &v), -ERANGE);
        CHECK_U64(v, 7);
        CHECK_INT(size_mul(UINT64_MAX, 0, &v), 0);
        CHECK_U64(v, 0);
}

TEST(round_up)
{
        uint64_t v = 7;

        CHECK_INT(size_round_up(0, MIB, &v), 0);
        CHECK_U64(v, 0);
        CHECK_INT(size_round_up(1, MIB, &v), 0);
        CHECK_U64(v, MIB);
        CHECK_INT(size_round_up(MIB, MIB, &v), 0);
        CHECK_U64(v, MIB);
        CHECK_INT(size_round_up(MIB + 1, MIB, &v), 0);
        CHECK_U64(v, 2 * MIB);
        CHECK_INT(size_round_up(1000, 3, &v), 0);
        CHECK_U64(v, 1002);
        /* The largest whole MiB rounds to itself; one byte more cannot round. */
        CHECK_INT(size_round_up(UINT64_MAX / MIB * MIB, MIB, &v), 0);
        CHECK_U64(v, UINT64_MAX / MIB * MIB);
        v = 7;
        CHECK_INT(size_round_up(UINT64_MAX / MIB * MIB + 1, MIB, &v), -ERANGE);
        /* Unchecked, this rounded up to 0. */
        CHECK_INT(size_round_up(UINT64_MAX, 4096, &v), -ERANGE);
        CHECK_INT(size_round_up(5, 0, &v), -EINVAL);
        CHECK_U64(v, 7);
}

int main(void)
{
        RUN(parse_units);
        RUN(parse_refuses);
        RUN(format);
        RUN(parse_limits);
        RUN(add);
        RUN(mul);
        RUN(round_up);
        return unit_exit();
}
