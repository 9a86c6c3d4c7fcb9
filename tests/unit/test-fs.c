/* SPDX-License-Identifier: MIT */
/* fs/: the file-system table and what each handler says of its kind. */
#include <errno.h>

#include "base/util.h"
#include "fs/fs.h"
#include "unit.h"

TEST(find)
{
        CHECK(fs_find("ext4") == &fs_ext4);
        CHECK(fs_find("VFAT") == &fs_vfat);
        CHECK(fs_find("none") == NULL);
        CHECK(fs_find("ext2") == NULL);
}

TEST(names)
{
        char buf[64];

        CHECK_STR(fs_names(false, buf, sizeof(buf)), "vfat, ext4");
        CHECK_STR(fs_names(true, buf, sizeof(buf)), "ext4");
        /* Cut, never overrun. */
        CHECK_STR(fs_names(false, buf, 5), "vfat");
}

TEST(trees)
{
        CHECK(fs_takes_tree(&fs_ext4));
        CHECK(!fs_takes_tree(&fs_vfat));
        CHECK(!fs_takes_tree(NULL));
}

TEST(labels_and_grub)
{
        CHECK_INT(fs_ext4.label_max, 16);
        CHECK_INT(fs_vfat.label_max, 11);
        CHECK_STR(fs_ext4.grub_module, "ext2");
        CHECK_STR(fs_vfat.grub_module, "fat");
}

/* FAT32 needs 65,525 clusters: 33 MiB is the smallest partition in 1 MiB steps. */
TEST(vfat_minimum)
{
        struct fs_target t = { .size = 32 * MIB };
        uint64_t min = 0;

        CHECK_INT(fs_vfat.check_size(&t, &min), -ENOSPC);
        CHECK_U64(min, 33 * MIB);
        t.size = 33 * MIB;
        CHECK_INT(fs_vfat.check_size(&t, &min), 0);
        t.size = 256 * MIB;
        CHECK_INT(fs_vfat.check_size(&t, &min), 0);
}

TEST(id_strings)
{
        struct fs_ids ids = { .volume_id = 0x1234ABCD };
        char buf[GUID_STRING_MAX];

        CHECK_STR(fs_vfat.id_string(&ids, buf, sizeof(buf)), "1234-ABCD");
        CHECK_INT(guid_parse("0fc63daf-8483-4772-8e79-3d69d8477de4", &ids.uuid), 0);
        CHECK_STR(fs_ext4.id_string(&ids, buf, sizeof(buf)), "0FC63DAF-8483-4772-8E79-3D69D8477DE4");
}

int main(void)
{
        RUN(find);
        RUN(names);
        RUN(trees);
        RUN(labels_and_grub);
        RUN(vfat_minimum);
        RUN(id_strings);
        return unit_exit();
}
