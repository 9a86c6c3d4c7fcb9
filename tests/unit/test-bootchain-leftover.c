/* SPDX-License-Identifier: MIT */
/* esp/bootchain.c: the names never chosen as the newest kernel. */
#include <stdbool.h>

#include "esp/bootchain.h"
#include "unit.h"

TEST(leftovers)
{
        static const char *const left[] = {
                "6.1.0-26-arm64.old", "6.1.0-26-arm64.bak", "6.1.0-26-arm64~", "6.1.0-26-arm64.dpkg-tmp",
                "6.1.0-26-arm64.dpkg-new", "6.1.0-26-arm64.dpkg-old", "6.1.0-26-arm64.dpkg-dist",
                "6.1.0-26-arm64.rpmnew", "6.1.0-26-arm64.rpmsave", "6.1.0-26-arm64.orig", "vmlinuz.old",
        };
        for (size_t i = 0; i < sizeof(left) / sizeof(left[0]); i++)
                CHECK(bootchain_is_leftover(left[i]));
}

TEST(kernels)
{
        static const char *const kernels[] = {
                "6.1.0-26-arm64", "6.12.9+bpo-arm64", "6.11.4-301.fc41.aarch64", "5.10.0-old-arm64",
                "6.1.0-rc1", "vmlinuz",
        };
        for (size_t i = 0; i < sizeof(kernels) / sizeof(kernels[0]); i++)
                CHECK(!bootchain_is_leftover(kernels[i]));
}

int main(void)
{
        RUN(leftovers);
        RUN(kernels);
        return unit_exit();
}
