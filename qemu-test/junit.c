/* SPDX-License-Identifier: MIT */
#include "qemu-test/junit.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "base/util.h"

static void put_escaped(FILE *f, const char *s)
{
        for (; s && *s; s++) {
                unsigned char c = *s;

                switch (c) {
                case '<': fputs("&lt;", f); break;
                case '>': fputs("&gt;", f); break;
                case '&': fputs("&amp;", f); break;
                case '"': fputs("&quot;", f); break;
                case '\'': fputs("&apos;", f); break;
                default:
                        /* XML 1.0 cannot carry most control characters at all. */
                        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
                                fputc('?', f);
                        else
                                fputc(c, f);
                }
        }
}

int junit_write(const char *path, const char *image, const struct run *runs, size_t n)
{
        _cleanup_fclose_ FILE *f = NULL;
        unsigned failures = 0;
        double total = 0;

        for (size_t i = 0; i < n; i++) {
                failures += !runs[i].passed;
                total += run_seconds(&runs[i]);
        }

        f = fopen(path, "we");
        if (!f)
                return log_error_errno(-errno, "cannot create %s", path);
        fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n", f);
        fprintf(f, "  <testsuite name=\"mkvmimage-boot\" tests=\"%zu\" failures=\"%u\" errors=\"0\" time=\"%.1f\">\n",
                n, failures, total);
        for (size_t i = 0; i < n; i++) {
                const struct run *r = &runs[i];

                fputs("    <testcase classname=\"", f);
                put_escaped(f, image);
                fprintf(f, "\" name=\"%s\" time=\"%.1f\">\n", r->platform->name, run_seconds(r));
                if (!r->passed) {
                        fputs("      <failure message=\"", f);
                        put_escaped(f, r->reason ?: "failed");
                        fputs("\"/>\n", f);
                }
                if (r->log_path) {
                        fputs("      <system-out>log: ", f);
                        put_escaped(f, r->log_path);
                        fputs("</system-out>\n", f);
                }
                fputs("    </testcase>\n", f);
        }
        fputs("  </testsuite>\n</testsuites>\n", f);
        if (fflush(f) != 0 || ferror(f))
                return log_error_errno(-EIO, "cannot write %s", path);
        return 0;
}
