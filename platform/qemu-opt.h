/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * A value for QEMU's -drive/-blockdev option lists, where ',' separates
 * options and ",," stands for a literal comma. Returns a new string, or
 * NULL when out of memory. Used for the harness's command line and the
 * bundle's run script alike.
 */
char *qemu_opt_escape(const char *s);
