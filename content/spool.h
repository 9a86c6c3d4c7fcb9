/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Standard input can be read only once, but sizing a root partition from
 * its content takes a scan before the fill. Such a stream is spooled, as it
 * comes (still compressed), into an unlinked file in the directory of
 * `near`, so it needs no more space than the archive and vanishes on exit.
 */
int spool_stdin(const char *near, int *ret_fd);
