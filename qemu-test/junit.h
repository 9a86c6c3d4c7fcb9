/* SPDX-License-Identifier: MIT */
#pragma once

#include "qemu-test/qemu.h"

/* JUnit XML, one testcase per platform, for CI systems. */
int junit_write(const char *path, const char *image, const struct run *runs, size_t n);
