/* SPDX-License-Identifier: MIT */
#pragma once

/* `mkvmimage vars ...`: argv[0] is "vars". Returns the exit status. */
int vars_main(int argc, char **argv);
