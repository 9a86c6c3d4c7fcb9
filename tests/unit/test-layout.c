/* SPDX-License-Identifier: MIT */
/* mkimage/layout.c: layout files, good ones and the errors naming file:line. */
#include <errno.h>
#include <stdio.h>

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
        CHECK_CONTAINS(msg, at("twice.conf", 3, "partition 'ESP' is defined twice"));

        CHECK_INT(load("outside.conf", "size = 1G\n[partition ESP]\n", &l, &msg), -EINVAL);
        CHECK_CONTAINS(msg, at("outside.conf", 1, "'size' is outside any section"));

        CHECK_INT(load("label.conf", "[partition ESP]\ntype = esp\n\n[partition r]\ntype = root\nlabel = seventeen-chars-x\n",
                       &l, &msg), -EINVAL);
        CHECK_CONTAINS(msg, at("label.conf", 4, "partition 'r': ext4 labels have at most 16 characters"));

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
        CHECK_CONTAINS(msg, "more than one ESP");
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

int main(void)
{
        RUN(good);
        RUN(defaults);
        RUN(errors_name_the_line);
        RUN(whole_file_rules);
        RUN(huge_sizes);
        return unit_exit();
}
