/* SPDX-License-Identifier: MIT */
#include "base/log.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

static bool quiet;
static bool progress_shown;

void log_set_quiet(bool q) { quiet = q; }

/* The name the program was started as (glibc sets it from argv[0] before
 * main), so each program names itself without having to say so. */
static const char *program_name(void)
{
        return program_invocation_short_name;
}

static void end_progress_line(void)
{
        if (progress_shown) {
                fputc('\n', stderr);
                progress_shown = false;
        }
}

static void vlog(const char *fmt, va_list ap, int err)
{
        end_progress_line();
        fprintf(stderr, "%s: ", program_name());
        vfprintf(stderr, fmt, ap);
        if (err != 0)
                fprintf(stderr, ": %s", strerror(err < 0 ? -err : err));
        fputc('\n', stderr);
}

void log_print_error(int err, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        vlog(fmt, ap, err);
        va_end(ap);
}

void log_warn(const char *fmt, ...)
{
        va_list ap;

        end_progress_line();
        fprintf(stderr, "%s: warning: ", program_name());
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
}

void log_info(const char *fmt, ...)
{
        va_list ap;

        if (quiet)
                return;
        end_progress_line();
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
}

void progress_update(const char *step, unsigned long long done, unsigned long long total)
{
        unsigned pct;

        if (quiet || !isatty(STDERR_FILENO))
                return;
        pct = total ? (unsigned)(done * 100 / total) : 100;
        fprintf(stderr, "\r%-32s %3u%%", step, pct);
        progress_shown = true;
}

void progress_done(void)
{
        end_progress_line();
}
