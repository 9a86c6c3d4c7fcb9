/* SPDX-License-Identifier: MIT */
/* firmware/loadopt.c: EFI load options and device paths, built and printed. */
#include <errno.h>
#include <stdlib.h>

#include "base/byteorder.h"
#include "firmware/loadopt.h"
#include "unit.h"

static const char part_guid_text[] = "0C1E0000-1111-4222-8333-444455556666";

static guid_t part_guid(void)
{
        guid_t g;

        if (guid_parse(part_guid_text, &g) < 0)
                exit(2);
        return g;
}

TEST(build_bytes)
{
        /* The GUID as EFI stores it: first three fields little-endian. */
        static const uint8_t guid_on_disk[16] = {
                0x00, 0x00, 0x1E, 0x0C, 0x11, 0x11, 0x22, 0x42, 0x83, 0x33, 0x44, 0x44, 0x55, 0x55, 0x66, 0x66,
        };
        static const uint8_t desc[14] = { 'd', 0, 'e', 0, 'b', 0, 'i', 0, 'a', 0, 'n', 0, 0, 0 };
        guid_t g = part_guid();
        uint8_t *p = NULL;
        size_t size = 0;

        CHECK_INT(loadopt_build("debian", 1, &g, 0x800, 0x80000, "EFI/BOOT/BOOTAA64.EFI", (void **) &p, &size), 0);
        if (!p)
                return;
        /* 6 + "debian" (14) + HD (42) + File("\EFI\BOOT\BOOTAA64.EFI", 4 + 46) + End (4) */
        CHECK_INT(size, 116);
        CHECK_INT(get_le32(p), LOAD_OPTION_ACTIVE);
        CHECK_INT(get_le16(p + 4), 96);
        CHECK_MEM(p + 6, desc, sizeof(desc));
        const uint8_t *hd = p + 20;
        CHECK_INT(hd[0], 4);    /* media */
        CHECK_INT(hd[1], 1);    /* hard drive */
        CHECK_INT(get_le16(hd + 2), 42);
        CHECK_INT(get_le32(hd + 4), 1);
        CHECK_U64(get_le64(hd + 8), 0x800);
        CHECK_U64(get_le64(hd + 16), 0x80000);
        CHECK_MEM(hd + 24, guid_on_disk, 16);
        CHECK_INT(hd[40], 2);   /* GPT */
        CHECK_INT(hd[41], 2);   /* GUID signature */
        const uint8_t *file = hd + 42;
        CHECK_INT(file[0], 4);
        CHECK_INT(file[1], 4);  /* file path */
        CHECK_INT(get_le16(file + 2), 50);
        CHECK_INT(get_le16(file + 4), '\\');
        CHECK_INT(get_le16(file + 6), 'E');
        CHECK_INT(get_le16(file + 48), 0);
        const uint8_t *end = file + 50;
        CHECK_INT(end[0], 0x7f);
        CHECK_INT(end[1], 0xff);
        CHECK_INT(get_le16(end + 2), 4);
        free(p);
}

TEST(build_refuses)
{
        guid_t g = part_guid();
        void *p = NULL;
        size_t size = 0;

        CHECK_INT(loadopt_build("", 1, &g, 1, 1, "\\x.efi", &p, &size), -EINVAL);
        CHECK_INT(loadopt_build("d", 0, &g, 1, 1, "\\x.efi", &p, &size), -EINVAL);
        CHECK_INT(loadopt_build("d", 1, &g, 1, 1, "", &p, &size), -EINVAL);
        CHECK_INT(loadopt_build("d", 1, &g, 1, 1, NULL, &p, &size), -EINVAL);
        CHECK(!p);
}

TEST(round_trip)
{
        guid_t g = part_guid();
        char *text = NULL, want[200];
        uint8_t *p = NULL;
        size_t size = 0;
        const char *reason = NULL;

        CHECK_INT(loadopt_build("debian", 3, &g, 0x800, 0x80000, "\\EFI\\BOOT\\BOOTAA64.EFI", (void **) &p, &size), 0);
        if (!p)
                return;
        CHECK_INT(loadopt_format(p, size, &text, &reason), 0);
        snprintf(want, sizeof(want), "* debian  HD(3,GPT,%s,0x800,0x80000)/File(\\EFI\\BOOT\\BOOTAA64.EFI)", part_guid_text);
        CHECK_STR(text, want);
        free(text);

        /* Inactive, with optional data after the path. */
        uint8_t *q = calloc(1, size + 3);
        if (q) {
                memcpy(q, p, size);
                put_le32(q, 0);
                CHECK_INT(loadopt_format(q, size + 3, &text, &reason), 0);
                CHECK(text && text[0] == ' ');
                CHECK_CONTAINS(text, "BOOTAA64.EFI) +3 bytes optional data");
                free(text);
        }
        free(q);

        /* Damage: each malformed field has its reason. */
        CHECK_INT(loadopt_format(p, 5, &text, &reason), -EBADMSG);
        CHECK_STR(reason, "shorter than a load option header");
        CHECK_INT(loadopt_format(p, 12, &text, &reason), -EBADMSG);
        CHECK_STR(reason, "description not NUL-terminated");
        put_le16(p + 4, 97);
        CHECK_INT(loadopt_format(p, size, &text, &reason), -EBADMSG);
        CHECK_STR(reason, "file path list runs past the end of the option");
        put_le16(p + 4, 96);
        put_le16(p + 20 + 2, 41);       /* HD node one byte short */
        CHECK_INT(loadopt_format(p, size, &text, &reason), -EBADMSG);
        CHECK_STR(reason, "device path node too short or malformed for its type");
        free(p);
}

static const char *path_text(const uint8_t *p, size_t size, int *r, const char **reason)
{
        static char buf[256];
        char *text = NULL;

        *reason = NULL;
        *r = devpath_format(p, size, &text, reason);
        snprintf(buf, sizeof(buf), "%s", text ?: "");
        free(text);
        return buf;
}

TEST(device_paths)
{
        static const uint8_t pci[] = {
                0x02, 0x01, 12, 0, 0xd0, 0x41, 0x03, 0x0a, 0, 0, 0, 0,  /* PciRoot(0x0) */
                0x01, 0x01, 6, 0, 0x00, 0x01,                           /* Pci(0x1,0x0) */
                0x7f, 0x01, 4, 0,                                       /* end of instance */
                0x05, 0x09, 6, 0, 0xab, 0xcd,                           /* unknown: generic form */
                0x7f, 0xff, 4, 0,
        };
        static const uint8_t bad_length[] = { 0x01, 0x01, 2, 0, 0x7f, 0xff, 4, 0 };
        static const uint8_t past_end[] = { 0x01, 0x01, 9, 0, 0, 0, 0x7f, 0xff };
        static const uint8_t no_end[] = { 0x01, 0x01, 6, 0, 0x00, 0x01 };
        static const uint8_t pci_7[] = { 0x01, 0x01, 7, 0, 0, 1, 0, 0x7f, 0xff, 4, 0 };
        const char *reason;
        int r;

        CHECK_STR(path_text(pci, sizeof(pci), &r, &reason), "PciRoot(0x0)/Pci(0x1,0x0),Path(5,9,ABCD)");
        CHECK_INT(r, 0);
        path_text(bad_length, sizeof(bad_length), &r, &reason);
        CHECK_INT(r, -EBADMSG);
        CHECK_STR(reason, "device path node with a bad length");
        path_text(past_end, sizeof(past_end), &r, &reason);
        CHECK_INT(r, -EBADMSG);
        CHECK_STR(reason, "device path node with a bad length");
        path_text(no_end, sizeof(no_end), &r, &reason);
        CHECK_INT(r, -EBADMSG);
        CHECK_STR(reason, "device path runs past its end without an End node");
        path_text(pci_7, sizeof(pci_7), &r, &reason);
        CHECK_INT(r, -EBADMSG);
        CHECK_STR(reason, "device path node too short or malformed for its type");
        path_text(pci, 0, &r, &reason);
        CHECK_INT(r, -EBADMSG);
}

int main(void)
{
        RUN(build_bytes);
        RUN(build_refuses);
        RUN(round_trip);
        RUN(device_paths);
        return unit_exit();
}
