/* SPDX-License-Identifier: MIT */
#include "qemu-test/verdict.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/util.h"

enum {
        ESC_NONE,
        ESC_START,   /* after ESC */
        ESC_CSI,     /* after ESC [ */
};

int verdict_init(struct verdict *v, enum firmware_kind firmware, char *const *expect, size_t n_expect)
{
        *v = (struct verdict) {
                .firmware = firmware,
                .expect = expect,
                .n_expect = n_expect,
        };
        v->seen = calloc(n_expect ?: 1, sizeof(bool));
        if (!v->seen)
                return log_error_errno(-ENOMEM, "cannot set up the console verdict");
        v->n_seen = 0;
        return 0;
}

void verdict_done(struct verdict *v)
{
        free(v->seen);
        free(v->failed_check);
        free(v->failure);
        free(v->boot_option);
        v->seen = NULL;
        v->failed_check = v->failure = v->boot_option = NULL;
}

static int fail_with(struct verdict *v, const char *fmt, ...) _printf_(2, 3);
static int fail_with(struct verdict *v, const char *fmt, ...)
{
        va_list ap;
        int r;

        if (v->failure)
                return 0; /* the first recognised failure is the reason */
        va_start(ap, fmt);
        r = vasprintf(&v->failure, fmt, ap);
        va_end(ap);
        if (r < 0) {
                v->failure = NULL;
                return -ENOMEM;
        }
        return 0;
}

static void match_expected(struct verdict *v, const char *text)
{
        for (size_t i = 0; i < v->n_expect; i++)
                if (!v->seen[i] && strstr(text, v->expect[i])) {
                        v->seen[i] = true;
                        v->n_seen++;
                }
}

/* "VMIMAGE-CHECK name: PASS|FAIL [detail]" */
static int match_check_line(struct verdict *v, const char *line)
{
        const char *p = strstr(line, "VMIMAGE-CHECK "), *colon, *status;

        if (!p)
                return 0;
        p += strlen("VMIMAGE-CHECK ");
        colon = strchr(p, ':');
        if (!colon)
                return 0;
        status = colon + 1;
        while (*status == ' ')
                status++;
        v->n_checks++;
        if (strncmp(status, "PASS", 4) == 0)
                return 0;
        v->n_checks_failed++;
        if (!v->failed_check) {
                v->failed_check = strdup(p);
                if (!v->failed_check)
                        return -ENOMEM;
        }
        return 0;
}

static const char *edk2_load_hint(const char *status)
{
        if (strstr(status, "Unsupported"))
                return " (bootloader for another architecture?)";
        if (strstr(status, "Not Found"))
                return " (no removable-media bootloader on the disk?)";
        if (strstr(status, "Access Denied") || strstr(status, "Security Violation"))
                return " (refused by Secure Boot?)";
        return "";
}

/* "BdsDxe: starting Boot0000 "debian" from HD(...)" (EDK2), "Booting: debian" (U-Boot's boot manager). */
static int match_boot_option(struct verdict *v, const char *line)
{
        const char *p, *end;

        if (v->boot_option)
                return 0;
        if (v->firmware == FIRMWARE_EDK2 && (p = strstr(line, "BdsDxe: starting "))) {
                p += strlen("BdsDxe: starting ");
                end = strstr(p, " from ");
                v->boot_option = end ? strndup(p, (size_t) (end - p)) : strdup(p);
                if (!v->boot_option)
                        return -ENOMEM;
                if (v->expect_boot_option &&
                    (strncmp(p, v->expect_boot_option, strlen(v->expect_boot_option)) != 0 ||
                     (p[strlen(v->expect_boot_option)] != ' ' && p[strlen(v->expect_boot_option)] != 0)))
                        return fail_with(v, "EDK2 started %s first, not %s (the seeded boot entry was ignored or lost)",
                                         v->boot_option, v->expect_boot_option);
        } else if (v->firmware == FIRMWARE_UBOOT && strncmp(line, "Booting: ", 9) == 0) {
                if (asprintf(&v->boot_option, "\"%s\"", line + 9) < 0) {
                        v->boot_option = NULL;
                        return -ENOMEM;
                }
        }
        return 0;
}

/* Failures printed on whole lines. */
static int match_failure_line(struct verdict *v, const char *line)
{
        const char *p;

        if ((p = strstr(line, "Kernel panic")))
                return fail_with(v, "Linux kernel panic (\"%s\")", p);
        if (strstr(line, "Synchronous Exception") || strstr(line, "Undefined OpCode Exception") ||
            strstr(line, "\"Synchronous Abort\" handler") || strcmp(line, "data abort") == 0 ||
            strcmp(line, "prefetch abort") == 0 || strcmp(line, "undefined instruction") == 0)
                return fail_with(v, "the guest crashed in the firmware (\"%s\")", line);

        if (v->firmware == FIRMWARE_EDK2) {
                if ((p = strstr(line, "BdsDxe: failed to load"))) {
                        const char *status = strrchr(p, ':');

                        status = status && status > p + strlen("BdsDxe:") ? status + 2 : "";
                        return fail_with(v, "EDK2 could not load the boot option: %s%s (\"%s\")",
                                         *status ? status : "unknown error", edk2_load_hint(status), p);
                }
                if (strstr(line, "No bootable option or device was found"))
                        return fail_with(v, "EDK2 found no bootable option or device");
        } else {
                if ((p = strstr(line, "Machine type")) && strstr(p, "is not supported"))
                        return fail_with(v, "U-Boot refused the bootloader: bootloader is for another architecture (\"%s\")", p);
                if ((p = strstr(line, "Unknown Relocation")))
                        return fail_with(v, "U-Boot cannot relocate the bootloader (\"%s\")", p);
                if (strstr(line, "Cannot load any image"))
                        /* Also printed on a good boot, before the removable-media scan. */
                        v->cannot_load_any_image = true;
        }
        return 0;
}

/* Prompts are printed without a newline: they are matched on the current line too. */
static int match_prompt(struct verdict *v, const char *line)
{
        if (v->firmware == FIRMWARE_EDK2 && strncmp(line, "Shell> ", 7) == 0)
                return fail_with(v, "EDK2 fell through to the UEFI Shell (\"Shell>\"): nothing bootable");
        if (v->firmware == FIRMWARE_UBOOT && strncmp(line, "=> ", 3) == 0)
                return fail_with(v, "U-Boot found nothing to boot (%s)",
                                 v->cannot_load_any_image ? "\"Cannot load any image\", then its \"=>\" prompt"
                                                          : "fell to its \"=>\" prompt");
        return 0;
}

static int end_line(struct verdict *v)
{
        int r;

        v->line[v->line_len] = 0;
        match_expected(v, v->line);
        r = match_check_line(v, v->line);
        if (r >= 0)
                r = match_boot_option(v, v->line);
        if (r >= 0)
                r = match_failure_line(v, v->line);
        if (r >= 0)
                r = match_prompt(v, v->line);
        if (v->line_len > 0) {
                /* Truncated on purpose: it only illustrates a failure message. */
                size_t n = v->line_len < sizeof(v->last_line) - 1 ? v->line_len : sizeof(v->last_line) - 1;

                memcpy(v->last_line, v->line, n);
                v->last_line[n] = 0;
        }
        v->line_len = 0;
        v->line_truncated = false;
        return r;
}

static void add_char(struct verdict *v, char c)
{
        if (v->line_len + 1 < sizeof(v->line))
                v->line[v->line_len++] = c;
        else
                v->line_truncated = true;
}

/* Drops ESC sequences: ESC [ params intermediates final, or ESC + one char. */
static bool consume_escape(struct verdict *v, unsigned char c)
{
        switch (v->escape) {
        case ESC_START:
                v->escape = c == '[' ? ESC_CSI : ESC_NONE;
                return true;
        case ESC_CSI:
                if (c >= 0x40 && c <= 0x7e)
                        v->escape = ESC_NONE;
                return true;
        default:
                if (c == 0x1b) {
                        v->escape = ESC_START;
                        return true;
                }
                return false;
        }
}

int verdict_feed(struct verdict *v, const char *buf, size_t n)
{
        int r;

        v->n_bytes += n;
        for (size_t i = 0; i < n; i++) {
                unsigned char c = buf[i];

                if (consume_escape(v, c))
                        continue;
                if (c == '\n') {
                        r = end_line(v);
                        if (r < 0)
                                return r;
                } else if (c != '\r' && c != 0)
                        add_char(v, (char) c);
        }

        v->line[v->line_len] = 0;
        match_expected(v, v->line);
        return match_prompt(v, v->line);
}

bool verdict_all_expected(const struct verdict *v)
{
        return v->n_seen == v->n_expect;
}

const char *verdict_missing(const struct verdict *v)
{
        for (size_t i = 0; i < v->n_expect; i++)
                if (!v->seen[i])
                        return v->expect[i];
        return NULL;
}
