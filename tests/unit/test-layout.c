/* SPDX-License-Identifier: MIT */
/* mkimage/layout.c: layout files, good ones and the errors naming file:line. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/util.h"
#include "mkimage/layout.h"
#include "unit.h"

/* Loads text as a layout file; on failure *message is what was logged. */
static int load(const char *name, const char *text, struct layout **ret, const char **message)
{
        const char *path = unit_write_file(name, text);
        int r;

        *ret = NULL;
        unit_stderr_begin();
        r = layout_load(path, ret);
        *message = unit_stderr_end();
        return r;
}

/* "DIR/NAME:LINE: TEXT", as a layout error must read. */
static const char *at(const char *name, unsigned line, const char *text)
{
        static char buf[512];

        snprintf(buf, sizeof(buf), "%s/%s:%u: %s", unit_tmpdir(), name, line, text);
        return buf;
}

TEST(good)
{
        struct layout *l;
        const char *msg;

        CHECK_INT(load("good.conf",
                       "# a comment\n"
                       "[disk]\n"
                       "size = 2GiB\n"
                       "\n"
                       "[partition ESP]\n"
                       "type = esp\n"
                       "size = 300MiB\n"
                       "label = BOOT\n"
                       "\n"
                       "[partition data]\n"
                       "type = 0FC63DAF-8483-4772-8E79-3D69D8477DE4\n"
                       "size = rest\n"
                       "fs = ext4\n"
                       "uuid = 0c1e0000-1111-4222-8333-444455556666\n",
                       &l, &msg), 0);
        CHECK_STR(msg, "");
        if (!l)
                return;
        CHECK(l->disk_size_set);
        CHECK_U64(l->disk_size, 2 * GIB);
        CHECK_INT(l->n_parts, 2);
        CHECK_STR(l->parts[0].name, "ESP");
        CHECK_INT(l->parts[0].line, 5);
        CHECK_INT(l->parts[0].kind, PART_ESP);
        CHECK(l->parts[0].fs == &fs_vfat);
        CHECK_INT(l->parts[0].size_mode, SIZE_FIXED);
        CHECK_U64(l->parts[0].size, 300 * MIB);
        CHECK_STR(l->parts[0].label, "BOOT");
        CHECK_STR(l->parts[1].name, "data");
        CHECK_INT(l->parts[1].line, 10);
        CHECK_INT(l->parts[1].kind, PART_OTHER);
        CHECK_INT(l->parts[1].type.bytes[0], 0x0F);
        CHECK_INT(l->parts[1].type.bytes[15], 0xE4);
        CHECK_INT(l->parts[1].size_mode, SIZE_REST);
        CHECK(l->parts[1].fs == &fs_ext4);
        CHECK(l->parts[1].uuid_set);
        CHECK_INT(l->parts[1].uuid.bytes[0], 0x0C);
        CHECK(!l->parts[1].label);
        layout_free(l);
}

TEST(defaults)
{
        struct layout *l;
        const char *msg;

        CHECK_INT(load("defaults.conf", "[partition ESP]\ntype = ESP\n[partition root]\ntype = root\n", &l, &msg), 0);
        if (!l)
                return;
        CHECK(!l->disk_size_set);
        CHECK_INT(l->parts[0].size_mode, SIZE_AUTO);
        CHECK_INT(l->parts[1].kind, PART_ROOT);
        CHECK(l->parts[1].fs == &fs_ext4);
        layout_free(l);

        /* fs given before type is kept. */
        CHECK_INT(load("fsfirst.conf", "[partition ESP]\ntype = esp\n[partition x]\nfs = vfat\ntype = linux\n", &l, &msg), 0);
        if (!l)
                return;
        CHECK(l->parts[1].fs == &fs_vfat);
        layout_free(l);
}

TEST(errors_name_the_line)
{
        struct layout *l;
        const char *msg;

        CHECK_INT(load("key.conf", "[partition ESP]\ntype = esp\ncolour = blue\n", &l, &msg), -EINVAL);
        CHECK_CONTAINS(msg, at("key.conf", 3, "unknown key 'colour' in a partition section"));
        CHECK(!l);

        CHECK_INT(load("size.conf", "[partition ESP]\ntype = esp\nsize = lots\n", &l, &msg), -EINVAL);
        CHECK_CONTAINS(msg, at("size.conf", 3, "size: 'lots' is not a size"));

        CHECK_INT(load("zero.conf", "[partition ESP]\ntype = esp\nsize = 0\n", &l, &msg), -EINVAL);
        CHECK_CONTAINS(msg, at("zero.conf", 3, "size: '0' is not a size"));

        CHECK_INT(load("section.conf", "[partition ESP]\ntype = esp\n\n[partitions root]\n", &l, &msg), -EINVAL);
        CHECK_CONTAINS(msg, at("section.conf", 4, "unknown section [partitions root]"));

        CHECK_INT(load("syntax.conf", "[partition ESP]\ntype = esp\nsize 256MiB\n", &l, &msg), -EINVAL);
        CHECK_CONTAINS(msg, at("syntax.conf", 3, "syntax error"));

        CHECK_INT(load("type.conf", "[partition ESP]\ntype = fat\n", &l, &msg), -EINVAL);
        CHECK_CONTAINS(msg, at("type.conf", 2, "type: 'fat' is not esp, root, varstore, linux or a GUID"));

        CHECK_INT(load("twice.conf", "[partition ESP]\ntype = esp\n[partition ESP]\n", &l, &msg), -EINVAL);
        CHECK_CONTAINS(msg, at("twice.conf", 3, "partition 'ESP' is defined twice: lines 1 and 3"));

        CHECK_INT(load("outside.conf", "size = 1G\n[partition ESP]\n", &l, &msg), -EINVAL);
        CHECK_CONTAINS(msg, at("outside.conf", 1, "'size' is outside any section"));

        CHECK_INT(load("label.conf", "[partition ESP]\ntype = esp\n\n[partition r]\ntype = root\nlabel = seventeen-chars-x\n",
                       &l, &msg), -EINVAL);
        CHECK_CONTAINS(msg, at("label.conf", 6, "partition 'r': ext4 labels have at most 16 characters"));

        CHECK_INT(load("vsfs.conf", "[partition ESP]\ntype = esp\n[partition v]\ntype = varstore\nfs = ext4\n", &l, &msg), -EINVAL);
        CHECK_CONTAINS(msg, at("vsfs.conf", 3, "partition 'v': a varstore partition has no file system"));
}

TEST(whole_file_rules)
{
        struct layout *l;
        const char *msg;
        char want[256];

        CHECK_INT(load("empty.conf", "[disk]\nsize = 1G\n", &l, &msg), -EINVAL);
        snprintf(want, sizeof(want), "%s/empty.conf: no [partition NAME] section", unit_tmpdir());
        CHECK_CONTAINS(msg, want);

        CHECK_INT(load("rest2.conf", "[disk]\nsize = 1G\n[partition a]\nsize = rest\n[partition b]\nsize = rest\n", &l, &msg), -EINVAL);
        CHECK_CONTAINS(msg, "only one partition can have size = rest");

        CHECK_INT(load("esp2.conf", "[partition a]\ntype = esp\n[partition b]\ntype = esp\n", &l, &msg), -EINVAL);
        CHECK_CONTAINS(msg, at("esp2.conf", 4, "partition 'b' is a second ESP: partition 'a' (line 1) is the ESP already"));
}

/* Sizes never wrap: what does not fit in an image file is refused at its line. */
TEST(huge_sizes)
{
        struct layout *l;
        const char *msg;

        CHECK_INT(load("huge.conf",
                       "[partition ESP]\ntype = esp\n\n[partition data]\ntype = linux\nsize = 18446744073441116160\n",
                       &l, &msg), -EINVAL);
        CHECK_CONTAINS(msg, at("huge.conf", 6, "partition 'data': size 18446744073441116160 is too large"));
        CHECK(!l);

        /* Past 2^64 while parsing: the same refusal, not "not a size". */
        CHECK_INT(load("range.conf", "[partition ESP]\ntype = esp\nsize = 20000000T\n", &l, &msg), -EINVAL);
        CHECK_CONTAINS(msg, at("range.conf", 3, "partition 'ESP': size 20000000T is too large"));

        /* 8 EiB is one byte more than a file can hold; 8 EiB - 1 MiB fits. */
        CHECK_INT(load("8e.conf", "[partition ESP]\ntype = esp\nsize = 8388608T\n", &l, &msg), -EINVAL);
        CHECK_CONTAINS(msg, "size 8388608T is too large");
        CHECK_INT(load("8e-1m.conf", "[partition ESP]\ntype = esp\nsize = 9223372036853727232\n", &l, &msg), 0);
        layout_free(l);

        CHECK_INT(load("disk.conf", "[disk]\nsize = 16777215T\n[partition ESP]\ntype = esp\n", &l, &msg), -EINVAL);
        CHECK_CONTAINS(msg, at("disk.conf", 2, "disk size 16777215T is too large"));
}

/* libinih reads 200-byte lines: a longer comment's tail must not become a key. */
TEST(long_lines)
{
        struct layout *l;
        const char *msg;
        char text[2048], filler[200];

        memset(filler, 'x', 198);
        filler[198] = '\0';
        /* "#" + 198 bytes: the 199 a 200-byte buffer holds; then "size = 1TiB". */
        snprintf(text, sizeof(text), "[partition ESP]\ntype = esp\n#%ssize = 1TiB\n  ; %s%s\n", filler, filler, filler);
        CHECK_INT(load("comment.conf", text, &l, &msg), 0);
        CHECK_STR(msg, "");
        if (l) {
                CHECK_INT(l->parts[0].size_mode, SIZE_AUTO);
                layout_free(l);
        }

        /* A key line that long is an error at its line, not two lines. */
        snprintf(text, sizeof(text), "[partition ESP]\ntype = esp\n\nlabel = %s%s\n", filler, filler);
        CHECK_INT(load("longkey.conf", text, &l, &msg), -EINVAL);
        CHECK_CONTAINS(msg, at("longkey.conf", 4, "line is 404 bytes long: layout lines hold at most 199"));

        /* Indented keys are keys, not continuations of the previous value. */
        CHECK_INT(load("indent.conf", "[partition ESP]\n  type = esp\n  size = 300MiB\n\tlabel = EFI\n", &l, &msg), 0);
        if (l) {
                CHECK_INT(l->parts[0].kind, PART_ESP);
                CHECK_U64(l->parts[0].size, 300 * MIB);
                CHECK_STR(l->parts[0].label, "EFI");
                layout_free(l);
        }
}

/* The last of two values silently winning is a wrong image: both lines named. */
TEST(duplicates)
{
        struct layout *l;
        const char *msg;

        CHECK_INT(load("dupkey.conf", "[partition ESP]\ntype = esp\nsize = 1G\n# x\nsize = 2G\n", &l, &msg), -EINVAL);
        CHECK_CONTAINS(msg, at("dupkey.conf", 5, "'size' is given twice in [partition ESP]: lines 3 and 5"));
        CHECK(!l);

        CHECK_INT(load("dupdisk.conf", "[disk]\nsize = 1G\n[partition ESP]\ntype = esp\n[disk]\nsize = 2G\n", &l, &msg), -EINVAL);
        CHECK_CONTAINS(msg, at("dupdisk.conf", 5, "[disk] is given twice: lines 1 and 5"));

        CHECK_INT(load("dupdsize.conf", "[disk]\nsize = 1G\nsize = auto\n[partition ESP]\ntype = esp\n", &l, &msg), -EINVAL);
        CHECK_CONTAINS(msg, at("dupdsize.conf", 3, "'size' is given twice in [disk]: lines 2 and 3"));

        /* The same key in two sections is fine. */
        CHECK_INT(load("twosec.conf", "[partition ESP]\ntype = esp\nsize = 1G\n[partition r]\ntype = root\nsize = 1G\n", &l, &msg), 0);
        layout_free(l);

        CHECK_INT(load("dupuuid.conf",
                       "[partition ESP]\ntype = esp\nuuid = 0c1e0000-1111-4222-8333-444455556666\n"
                       "[partition r]\ntype = root\nuuid = 0C1E0000-1111-4222-8333-444455556666\n", &l, &msg), -EINVAL);
        CHECK_CONTAINS(msg, at("dupuuid.conf", 6, "uuid 0C1E0000-1111-4222-8333-444455556666 is partition 'ESP''s too (its section starts at line 1)"));
}

TEST(guids)
{
        struct layout *l;
        const char *msg;

        CHECK_INT(load("zerotype.conf", "[partition ESP]\ntype = esp\n[partition x]\ntype = 00000000-0000-0000-0000-000000000000\n",
                       &l, &msg), -EINVAL);
        CHECK_CONTAINS(msg, at("zerotype.conf", 4, "type: the all-zero GUID marks an unused GPT entry"));

        CHECK_INT(load("zerouuid.conf", "[partition ESP]\ntype = esp\nuuid = 00000000-0000-0000-0000-000000000000\n",
                       &l, &msg), -EINVAL);
        CHECK_CONTAINS(msg, at("zerouuid.conf", 3, "uuid: the all-zero GUID"));

        /* The ESP's type GUID given literally is an ESP too: one per disk. */
        CHECK_INT(load("espguid.conf", "[partition ESP]\ntype = esp\n\n[partition ESP2]\nfs = vfat\ntype = c12a7328-f81f-11d2-ba4b-00a0c93ec93b\n",
                       &l, &msg), -EINVAL);
        CHECK_CONTAINS(msg, at("espguid.conf", 6, "partition 'ESP2' is a second ESP: partition 'ESP' (line 1) is the ESP already"));
        CHECK_INT(load("espguid2.conf", "[partition A]\ntype = C12A7328-F81F-11D2-BA4B-00A0C93EC93B\n[partition B]\ntype = esp\n",
                       &l, &msg), -EINVAL);
        CHECK_CONTAINS(msg, at("espguid2.conf", 4, "partition 'B' is a second ESP: partition 'A' (line 1)"));
}

/* GPT names: valid UTF-8, at most 36 UTF-16 code units (not bytes). */
TEST(names)
{
        struct layout *l;
        const char *msg;
        char text[512], name[200] = "";

        CHECK_INT(load("utf8.conf", "[partition ESP]\ntype = esp\n[partition r\xC3\x28]\n", &l, &msg), -EINVAL);
        CHECK_CONTAINS(msg, at("utf8.conf", 3, "partition name is not valid UTF-8"));
        CHECK_INT(load("overlong.conf", "[partition ESP]\ntype = esp\n[partition \xC0\xAF]\n", &l, &msg), -EINVAL);
        CHECK_CONTAINS(msg, "not valid UTF-8");
        CHECK_INT(load("surrogate.conf", "[partition ESP]\ntype = esp\n[partition \xED\xA0\x80]\n", &l, &msg), -EINVAL);
        CHECK_CONTAINS(msg, "not valid UTF-8");

        /* 36 two-byte characters: 72 bytes, 36 units: fits. */
        for (int i = 0; i < 36; i++)
                strcat(name, "\xC3\xA9");
        snprintf(text, sizeof(text), "[partition ESP]\ntype = esp\n[partition %s]\n", name);
        CHECK_INT(load("e36.conf", text, &l, &msg), 0);
        layout_free(l);

        /* 18 characters above U+FFFF are 36 units; 19 are 38. */
        name[0] = '\0';
        for (int i = 0; i < 19; i++)
                strcat(name, "\xF0\x9F\x98\x80");
        snprintf(text, sizeof(text), "[partition ESP]\ntype = esp\n[partition %s]\n", name);
        CHECK_INT(load("emoji19.conf", text, &l, &msg), -EINVAL);
        CHECK_CONTAINS(msg, "is 38 UTF-16 code units: GPT holds at most 36");
        name[18 * 4] = '\0';
        snprintf(text, sizeof(text), "[partition ESP]\ntype = esp\n[partition %s]\n", name);
        CHECK_INT(load("emoji18.conf", text, &l, &msg), 0);
        layout_free(l);

        CHECK_INT(load("a37.conf", "[partition ESP]\ntype = esp\n[partition aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa]\n", &l, &msg), -EINVAL);
        CHECK_CONTAINS(msg, at("a37.conf", 3, "partition name 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' is 37 UTF-16 code units"));
}

/* What mkfs.fat -n refuses is refused at the label's line, before any image exists. */
TEST(fat_labels)
{
        static const char *const bad[] = { "BOOT.EFI", "A*B", "A:B", "A/B", "A+B", "A[B", "A\"B", "\xC3\x89" "COLE", "A\x01B", "TWELVE_CHARS" };
        struct layout *l;
        const char *msg;
        char text[256];

        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                snprintf(text, sizeof(text), "[partition ESP]\ntype = esp\nlabel = %s\n", bad[i]);
                CHECK_INT(load("fatlabel.conf", text, &l, &msg), -EINVAL);
                CHECK_CONTAINS(msg, at("fatlabel.conf", 3, "partition 'ESP': "));
        }
        CHECK_INT(load("fatdot.conf", "[partition ESP]\ntype = esp\nlabel = A.B\n", &l, &msg), -EINVAL);
        CHECK_CONTAINS(msg, "label 'A.B': FAT labels cannot hold any of *?.,;:/\\|+=<>[]\"");
        /* Lower case, spaces inside, and the punctuation mkfs.fat takes. */
        CHECK_INT(load("fatok.conf", "[partition ESP]\ntype = esp\nlabel = efi Sys-_!~\n", &l, &msg), 0);
        CHECK_STR(msg, "");
        layout_free(l);
        /* ext4 labels have no such rule. */
        CHECK_INT(load("ext4label.conf", "[partition ESP]\ntype = esp\n[partition r]\ntype = root\nlabel = a.b:c*\n", &l, &msg), 0);
        layout_free(l);
}

/* A GPT holds 128 entries: the 129th section is refused at once, so a huge
 * file costs one pass, not a comparison of every pair of names. */
TEST(many_sections)
{
        enum { N = 100000 };
        struct layout *l;
        const char *msg;
        size_t cap = (size_t) N * 40, len = 0;
        char *text = malloc(cap);
        clock_t t0;

        if (!text)
                return;
        for (int i = 0; i < N; i++)
                len += (size_t) snprintf(text + len, cap - len, "[partition p%d]\nsize = 1MiB\n", i);
        t0 = clock();
        CHECK_INT(load("many.conf", text, &l, &msg), -EINVAL);
        CHECK((clock() - t0) / CLOCKS_PER_SEC < 5);
        CHECK_CONTAINS(msg, at("many.conf", 257, "a GPT holds at most 128 partitions: [partition p128] is one more"));
        free(text);
}

int main(void)
{
        RUN(good);
        RUN(defaults);
        RUN(errors_name_the_line);
        RUN(whole_file_rules);
        RUN(huge_sizes);
        RUN(long_lines);
        RUN(duplicates);
        RUN(guids);
        RUN(names);
        RUN(fat_labels);
        RUN(many_sections);
        return unit_exit();
}
