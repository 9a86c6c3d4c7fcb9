/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdio.h>

/*
 * Opening a file the user named as a file (a layout, a variable store, a
 * bootloader, an image, a firmware descriptor). A FIFO, a tty or a device
 * there would block open() or the first read forever, so the file is opened
 * with O_NONBLOCK | O_NOCTTY, checked with fstat() and refused unless it is
 * a regular file ("WHAT PATH is not a regular file (a FIFO)"); then
 * O_NONBLOCK is cleared again. O_CLOEXEC is always added.
 *
 * flags: O_RDONLY or O_RDWR (no O_CREAT: creating is the output's job).
 * what: how messages name the file, e.g. "layout" or "bootloader".
 * Returns the descriptor, or a negative errno (logged).
 */
int open_regular_file(const char *path, int flags, const char *what);

/* The same, also accepting a block device (disk images). */
int open_regular_file_or_block(const char *path, int flags, const char *what);

/* open_regular_file(path, O_RDONLY, what) as a stdio stream: 0 and *ret, or
 * a negative errno (logged). */
int fopen_regular_file(const char *path, const char *what, FILE **ret);

/* "a FIFO", "a directory", ...: what a stat mode is, for messages. */
const char *file_type_name(unsigned mode);
