/* SPDX-License-Identifier: MIT */
#pragma once
/*
 * A small assertion header for the C unit tests of the pure core. Each test
 * file defines its cases with TEST(name) and lists them in main() with
 * RUN(name); a failed check prints file:line, the expression and the
 * values, and the case goes on (so one run shows every failure). main()
 * returns unit_exit(): non-zero if any check failed. No case can be
 * skipped.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int unit_failures;
static const char *unit_case;

#define TEST(name) static void test_##name(void)

#define RUN(name)                                                     \
        do {                                                          \
                int before_ = unit_failures;                          \
                unit_case = #name;                                    \
                test_##name();                                        \
                printf("%s %s\n", unit_failures == before_ ? "ok  " : "FAIL", #name); \
        } while (0)

#define unit_fail_(fmt, ...)                                          \
        do {                                                          \
                fprintf(stderr, "%s:%d: %s: " fmt "\n", __FILE__, __LINE__, unit_case, __VA_ARGS__); \
                unit_failures++;                                      \
        } while (0)

#define CHECK(expr)                                                   \
        do {                                                          \
                if (!(expr))                                          \
                        unit_fail_("%s is false", #expr);             \
        } while (0)

#define CHECK_INT(a, b)                                               \
        do {                                                          \
                long long a_ = (long long)(a), b_ = (long long)(b);   \
                if (a_ != b_)                                         \
                        unit_fail_("%s == %lld, expected %s == %lld", #a, a_, #b, b_); \
        } while (0)

#define CHECK_U64(a, b)                                               \
        do {                                                          \
                uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b);      \
                if (a_ != b_)                                         \
                        unit_fail_("%s == %" PRIu64 ", expected %s == %" PRIu64, #a, a_, #b, b_); \
        } while (0)

#define CHECK_STR(a, b)                                               \
        do {                                                          \
                const char *a_ = (a), *b_ = (b);                      \
                if (!a_ || !b_ || strcmp(a_, b_) != 0)                \
                        unit_fail_("%s == \"%s\", expected \"%s\"", #a, a_ ? a_ : "(null)", b_ ? b_ : "(null)"); \
        } while (0)

#define CHECK_MEM(a, b, n)                                            \
        do {                                                          \
                if (memcmp((a), (b), (n)) != 0)                       \
                        unit_fail_("%s differs from %s in its first %zu bytes", #a, #b, (size_t)(n)); \
        } while (0)

/*
 * What the code under test logs, for checking messages: between
 * unit_stderr_begin() and unit_stderr_end(), stderr goes to a temporary
 * file; unit_stderr_end() restores it and returns what was written (static
 * buffer, valid until the next call).
 */
static int unit_saved_stderr = -1;
static FILE *unit_stderr_file;

static inline void unit_stderr_begin(void)
{
        fflush(stderr);
        unit_stderr_file = tmpfile();
        unit_saved_stderr = dup(STDERR_FILENO);
        if (unit_stderr_file && unit_saved_stderr >= 0)
                dup2(fileno(unit_stderr_file), STDERR_FILENO);
}

static inline const char *unit_stderr_end(void)
{
        static char text[4096];
        size_t n = 0;

        fflush(stderr);
        if (unit_saved_stderr >= 0) {
                dup2(unit_saved_stderr, STDERR_FILENO);
                close(unit_saved_stderr);
                unit_saved_stderr = -1;
        }
        text[0] = 0;
        if (unit_stderr_file) {
                rewind(unit_stderr_file);
                n = fread(text, 1, sizeof(text) - 1, unit_stderr_file);
                text[n] = 0;
                fclose(unit_stderr_file);
                unit_stderr_file = NULL;
        }
        return text;
}

/* CHECK_CONTAINS(haystack, needle): the text holds the string. */
#define CHECK_CONTAINS(a, b)                                          \
        do {                                                          \
                const char *a_ = (a), *b_ = (b);                      \
                if (!a_ || !b_ || !strstr(a_, b_))                    \
                        unit_fail_("%s == \"%s\" does not contain \"%s\"", #a, a_ ? a_ : "(null)", b_ ? b_ : "(null)"); \
        } while (0)

/* A fresh directory for the test's files, removed with its files at exit. */
static char unit_dir[64];

static inline void unit_cleanup_dir(void)
{
        char cmd[128];

        if (unit_dir[0]) {
                snprintf(cmd, sizeof(cmd), "rm -rf '%s'", unit_dir);
                if (system(cmd) != 0)
                        fprintf(stderr, "cannot remove %s\n", unit_dir);
        }
}

static inline const char *unit_tmpdir(void)
{
        if (!unit_dir[0]) {
                snprintf(unit_dir, sizeof(unit_dir), "/tmp/mkvm-unit.XXXXXX");
                if (!mkdtemp(unit_dir)) {
                        perror("mkdtemp");
                        exit(2);
                }
                atexit(unit_cleanup_dir);
        }
        return unit_dir;
}

/* Writes text to NAME in the test's directory; returns the path (static buffer per call site's copy). */
static inline const char *unit_write_file(const char *name, const char *text)
{
        static char path[256];
        FILE *f;

        snprintf(path, sizeof(path), "%s/%s", unit_tmpdir(), name);
        f = fopen(path, "we");
        if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
                perror(path);
                exit(2);
        }
        return path;
}

static inline int unit_exit(void)
{
        if (unit_failures)
                fprintf(stderr, "%d check(s) failed\n", unit_failures);
        return unit_failures ? 1 : 0;
}
