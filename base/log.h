/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdio.h>

/*
 * Messages go to stderr, prefixed with the running program's own name
 * (mkvmimage, mkvmimage-boot, mkvmimage-vars). An error is logged once,
 * where the context (which file, which partition) is known; the log_error*
 * macros evaluate to the error code they were given so that callers can
 * write `return log_error(-EINVAL, "...")`.
 */

#define _printf_(a, b) __attribute__((format(printf, a, b)))

void log_set_quiet(bool quiet);

/* "PROGRAM: <message>", plus ": <strerror(-err)>" unless err is 0. */
void log_print_error(int err, const char *fmt, ...) _printf_(2, 3);

/*
 * Macros, not functions, so that the compiler sees the value of the
 * expression is err itself: after `return log_error(-EINVAL, ...)` in an
 * inlined callee it knows the caller's `if (r < 0) return r;` is taken and
 * does not warn that the callee's outputs may be used uninitialized
 * (-Wmaybe-uninitialized in Release builds).
 */
/* "PROGRAM: <message>"; evaluates to err (a negative errno). */
#define log_error(err, ...)                                     \
        ({                                                      \
                int _log_err_ = (err);                          \
                log_print_error(0, __VA_ARGS__);                \
                _log_err_;                                      \
        })
/* "PROGRAM: <message>: <strerror(-err)>"; evaluates to err. */
#define log_error_errno(err, ...)                               \
        ({                                                      \
                int _log_err_ = (err);                          \
                log_print_error(_log_err_, __VA_ARGS__);        \
                _log_err_;                                      \
        })

void log_warn(const char *fmt, ...) _printf_(1, 2);
/* Informational; silent with -q. */
void log_info(const char *fmt, ...) _printf_(1, 2);

/*
 * A one-line progress display for long steps, redrawn in place on a
 * terminal and silent otherwise (or with -q). progress_done() ends the line.
 */
void progress_update(const char *step, unsigned long long done, unsigned long long total);
void progress_done(void);
