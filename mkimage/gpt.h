/* SPDX-License-Identifier: MIT */
#pragma once

#include "mkimage/plan.h"

/*
 * Write the protective MBR, the primary and the backup GPT for the plan into
 * the image open at fd (a regular file already sized to the disk).
 */
int gpt_write(int fd, const char *what, const struct plan *plan);
