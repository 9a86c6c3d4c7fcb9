/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdio.h>

/*
 * Messages go to stderr, prefixed with the program name. An error is logged
 * once, where the context (which file, which partition) is known; the
 * log_error* functions return the error code they were given so that callers
 * can write `return log_error(-EINVAL, "...")`.
 */

#define _printf_(a, b) __attribute__((format(printf, a, b)))

void log_set_quiet(bool quiet);
bool log_is_quiet(void);

/* "mkvmimage: <message>"; returns err (a negative errno). */
int log_error(int err, const char *fmt, ...) _printf_(2, 3);
/* "mkvmimage: <message>: <strerror(-err)>"; returns err. */
int log_error_errno(int err, const char *fmt, ...) _printf_(2, 3);
void log_warn(const char *fmt, ...) _printf_(1, 2);
/* Informational; silent with -q. */
void log_info(const char *fmt, ...) _printf_(1, 2);

/*
 * A one-line progress display for long steps, redrawn in place on a
 * terminal and silent otherwise (or with -q). progress_done() ends the line.
 */
void progress_update(const char *step, unsigned long long done, unsigned long long total);
void progress_done(void);
