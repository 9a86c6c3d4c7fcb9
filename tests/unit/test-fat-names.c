/* SPDX-License-Identifier: MIT */
/* fs/fat-names.c: which names FAT holds, long (UTF-16) and short (8.3) forms. */
#include <errno.h>

#include "fs/fat-names.h"
#include "unit.h"

static uint16_t units[FAT_LFN_MAX_UNITS];

TEST(utf16)
{
        const char *why = NULL;

        CHECK_INT(fat_name_to_utf16("loader.conf", units, &why), 11);
        CHECK_INT(units[0], 'l');
        CHECK_INT(units[10], 'f');
        CHECK_INT(fat_name_to_utf16("caf\xc3\xa9", units, &why), 4);      /* café */
        CHECK_INT(units[3], 0xE9);
        CHECK_INT(fat_name_to_utf16("\xe2\x82\xac", units, &why), 1);     /* € */
        CHECK_INT(units[0], 0x20AC);
        CHECK_INT(fat_name_to_utf16("\xf0\x9f\x98\x80", units, &why), 2); /* U+1F600: a surrogate pair */
        CHECK_INT(units[0], 0xD83D);
        CHECK_INT(units[1], 0xDE00);
}

static void check_refused(const char *name, int err, const char *why_part)
{
        const char *why = NULL;

        CHECK_INT(fat_name_to_utf16(name, units, &why), err);
        CHECK_CONTAINS(why, why_part);
}

TEST(refused)
{
        check_refused("", -EINVAL, "empty");
        check_refused(".", -EINVAL, "\".\" and \"..\" are not allowed");
        check_refused("..", -EINVAL, "\".\" and \"..\" are not allowed");
        check_refused("name.", -EINVAL, "cannot end in a dot or a space");
        check_refused("name ", -EINVAL, "cannot end in a dot or a space");
        check_refused("a:b", -EINVAL, "control characters or any of");
        check_refused("a*b", -EINVAL, "control characters or any of");
        check_refused("a\\b", -EINVAL, "control characters or any of");
        check_refused("tab\there", -EINVAL, "control characters");
        check_refused("\xff", -EINVAL, "not valid UTF-8");
        check_refused("\xc0\xaf", -EINVAL, "not valid UTF-8");           /* overlong '/' */
        check_refused("\xed\xa0\x80", -EINVAL, "not valid UTF-8");       /* a lone surrogate */
        check_refused("\xe2\x82", -EINVAL, "not valid UTF-8");           /* cut short */
}

TEST(length_limit)
{
        char name[4 * 130 + 1];
        const char *why = NULL;

        memset(name, 'x', 255);
        name[255] = 0;
        CHECK_INT(fat_name_to_utf16(name, units, &why), 255);
        name[255] = 'x';
        name[256] = 0;
        CHECK_INT(fat_name_to_utf16(name, units, &why), -ENAMETOOLONG);
        CHECK_CONTAINS(why, "255 UTF-16 characters");

        /* 127 pairs fit (254 units), 128 do not; then one more BMP character does. */
        for (int i = 0; i < 128; i++)
                memcpy(name + 4 * i, "\xf0\x9f\x98\x80", 4);
        name[4 * 127] = 0;
        CHECK_INT(fat_name_to_utf16(name, units, &why), 254);
        name[4 * 127] = 'y';
        name[4 * 127 + 1] = 0;
        CHECK_INT(fat_name_to_utf16(name, units, &why), 255);
        memcpy(name + 4 * 127, "\xf0\x9f\x98\x80", 5);
        CHECK_INT(fat_name_to_utf16(name, units, &why), -ENAMETOOLONG);
}

TEST(strict_short)
{
        char out[12];

        CHECK(fat_name_to_strict_short("BOOTAA64.EFI", out));
        CHECK_STR(out, "BOOTAA64EFI");
        CHECK(fat_name_to_strict_short("EFI", out));
        CHECK_STR(out, "EFI        ");
        CHECK(fat_name_to_strict_short("A.B", out));
        CHECK_STR(out, "A       B  ");
        CHECK(fat_name_to_strict_short("X_1~$.{}", out));
        CHECK_STR(out, "X_1~$   {} ");

        CHECK(!fat_name_to_strict_short("boot.efi", out));       /* lower case needs a long name */
        CHECK(!fat_name_to_strict_short("TOOLONGNAME", out));
        CHECK(!fat_name_to_strict_short("A.TOOL", out));
        CHECK(!fat_name_to_strict_short("A.", out));
        CHECK(!fat_name_to_strict_short(".PROFILE", out));
        CHECK(!fat_name_to_strict_short("A.B.C", out));
        CHECK(!fat_name_to_strict_short("A+B", out));
        CHECK(!fat_name_to_strict_short("A B", out));
}

TEST(generated_short)
{
        char out[12];

        fat_short_name_candidate("Long file.txt", 1, out);
        CHECK_STR(out, "LONGFI~1TXT");
        fat_short_name_candidate("Long file.txt", 10, out);
        CHECK_STR(out, "LONGF~10TXT");
        fat_short_name_candidate("Long file.txt", 999999, out);
        CHECK_STR(out, "L~999999TXT");
        fat_short_name_candidate(".bashrc", 1, out);               /* leading dots skipped */
        CHECK_STR(out, "BASHRC~1   ");
        fat_short_name_candidate("a+b.tar.gz", 2, out);            /* last dot; '+' is not 8.3 */
        CHECK_STR(out, "A_BTAR~2GZ ");
        fat_short_name_candidate("caf\xc3\xa9.html", 1, out);       /* non-ASCII becomes '_' */
        CHECK_STR(out, "CAF_~1  HTM");
        fat_short_name_candidate("\xe2\x82\xac", 3, out);           /* nothing usable: '_' */
        CHECK_STR(out, "_~3        ");
        fat_short_name_candidate("ab", 1, out);
        CHECK_STR(out, "AB~1       ");
}

/* The checksum each long-name slot carries, as the FAT specification computes it. */
TEST(checksum)
{
        CHECK_INT(fat_short_name_checksum("BOOTAA64EFI"), 0x54);
        CHECK_INT(fat_short_name_checksum("LONGFI~1TXT"), 0xD4);
}

/* Volume labels, as mkfs.fat -n (dosfstools 4.2) takes or refuses them. */
TEST(labels)
{
        static const char *const good[] = { "ESP", "efi", "A B", "A-B_C!#$%&", "A~B`{^@()'", "12345678901" };
        static const char *const bad[] = { "123456789012", " LEAD", "A.B", "A*B", "A?B", "A,B", "A;B", "A:B", "A/B",
                                           "A\\B", "A|B", "A+B", "A=B", "A<B", "A>B", "A[B", "A]B", "A\"B",
                                           "A\tB", "A\x7f", "\xc3\x89" "COLE" };

        for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
                CHECK_STR(fat_label_problem(good[i]) ?: "(taken)", "(taken)");
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                CHECK(fat_label_problem(bad[i]) != NULL);
        CHECK_STR(fat_label_problem("BOOT.EFI"), "FAT labels cannot hold any of *?.,;:/\\|+=<>[]\"");
}

int main(void)
{
        RUN(utf16);
        RUN(refused);
        RUN(length_limit);
        RUN(strict_short);
        RUN(generated_short);
        RUN(checksum);
        RUN(labels);
        return unit_exit();
}
