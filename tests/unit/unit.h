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
#include <string.h>

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

static inline int unit_exit(void)
{
        if (unit_failures)
                fprintf(stderr, "%d check(s) failed\n", unit_failures);
        return unit_failures ? 1 : 0;
}
