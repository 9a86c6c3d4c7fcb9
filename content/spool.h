/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>

/*
 * Standard input can be read only once, but sizing a root partition from
 * its content takes a scan before the fill. Such a stream is spooled, as it
 * comes (still compressed), into an unlinked file in the directory of
 * `near`, so it needs no more space than the archive and vanishes on exit.
 */
int spool_stdin(const char *near, int *ret_fd);

/* A path that can be read only once: a FIFO, a pipe (`<(tar c ...)` gives
 * /dev/fd/N), a character device. Directories, regular files and block
 * devices are read in place. */
bool spool_needed(const char *path);

/* Spool such a path like standard input. A FIFO that no writer opens within
 * SPOOL_WRITER_WAIT seconds is an error naming it, not a hang. */
#define SPOOL_WRITER_WAIT 2
int spool_path(const char *near, const char *path, int *ret_fd);
