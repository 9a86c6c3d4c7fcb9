/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * mkvmimage's data: layouts/, the efi-hello payloads, guest/ (the Linux
 * test guest's builder). An install keeps it in DATADIR/mkvmimage
 * (/usr/share/mkvmimage), found relative to the running program
 * (/proc/self/exe, then ../share/mkvmimage from BINDIR), so the install
 * works from any prefix and after being moved: no path of the build
 * machine is compiled in. The build tree has the same shape (a data
 * directory beside cli/ linking to the source tree's files), so programs
 * run from the build tree find the source's data the same way.
 * $MKVMIMAGE_DATA_DIR, when set, is used instead.
 */

/* The data directory joined with `name` ("layouts"; NULL for the directory
 * itself), newly allocated. Logs and returns -errno when the running
 * program's own path cannot be read. */
int data_dir_path(const char *name, char **ret);
