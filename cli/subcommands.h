/* SPDX-License-Identifier: MIT */
#pragma once

/* `mkvmimage vars ...`: argv[0] is "vars". Returns the exit status. */
int vars_main(int argc, char **argv);

/* `mkvmimage bundle ...`: argv[0] is "bundle". Exit status 0, 1 failed, 2 usage. */
int bundle_main(int argc, char **argv);
