/* SPDX-License-Identifier: MIT */
/* base/gpt-read.c: GPTs written here byte by byte, good and damaged. */
#include <errno.h>
#include <fcntl.h>
#include <zlib.h>

#include "base/byteorder.h"
#include "base/gpt-read.h"
#include "base/util.h"
#include "unit.h"

#define SECTOR 512u
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define N_ENTRIES 128u
#define DISK_SECTORS (8u * 2048)   /* 8 MiB */

struct entry {
        const guid_t *type;
        const char *uuid;
        uint64_t first, last;
        const char *name;
};

static void put_guid(uint8_t *p, const guid_t *g)
{
        /* On disk the first three fields are little-endian. */
        const uint8_t *b = g->bytes;
        uint8_t d[16] = { b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6],
                          b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15] };

        memcpy(p, d, 16);
}

static void put_guid_text(uint8_t *p, const char *text)
{
        guid_t g;

        if (guid_parse(text, &g) < 0)
                exit(2);
        put_guid(p, &g);
}

/* The header CRC over the size the header gives (damage may have made it
 * anything: never past the sector). */
static void seal_header(uint8_t *h)
{
        put_le32(h + 16, 0);
        put_le32(h + 16, (uint32_t) crc32(0, h, MIN(get_le32(h + 12), SECTOR)));
}

static void header(uint8_t *h, uint64_t my_lba, uint64_t alternate, uint64_t entries_lba, uint32_t entries_crc)
{
        memset(h, 0, SECTOR);
        memcpy(h, "EFI PART", 8);
        put_le32(h + 8, 0x00010000);
        put_le32(h + 12, 92);
        put_le64(h + 24, my_lba);
        put_le64(h + 32, alternate);
        put_le64(h + 40, 34);
        put_le64(h + 48, DISK_SECTORS - 34);
        put_guid_text(h + 56, "D15C0000-AAAA-4BBB-8CCC-DDDDEEEEFFFF");
        put_le64(h + 72, entries_lba);
        put_le32(h + 80, N_ENTRIES);
        put_le32(h + 84, 128);
        put_le32(h + 88, entries_crc);
        seal_header(h);
}

/* A disk image of DISK_SECTORS sectors with both GPTs; entries[i] is entry i + 1. */
static void make_disk(uint8_t *disk, const struct entry *entries, size_t n)
{
        uint8_t *array = disk + 2 * SECTOR;
        uint32_t crc;

        memset(disk, 0, (size_t) DISK_SECTORS * SECTOR);
        disk[510] = 0x55;       /* protective MBR: one partition of type 0xEE */
        disk[511] = 0xAA;
        disk[446 + 4] = 0xEE;
        put_le32(disk + 446 + 8, 1);
        put_le32(disk + 446 + 12, DISK_SECTORS - 1);
        for (size_t i = 0; i < n; i++) {
                uint8_t *e = array + i * 128;

                if (!entries[i].type)
                        continue;
                put_guid(e, entries[i].type);
                put_guid_text(e + 16, entries[i].uuid);
                put_le64(e + 32, entries[i].first);
                put_le64(e + 40, entries[i].last);
                for (size_t k = 0; entries[i].name && entries[i].name[k]; k++)
                        put_le16(e + 56 + 2 * k, (uint16_t) entries[i].name[k]);
        }
        crc = (uint32_t) crc32(0, array, N_ENTRIES * 128);
        memcpy(disk + (size_t) (DISK_SECTORS - 33) * SECTOR, array, N_ENTRIES * 128);
        header(disk + SECTOR, 1, DISK_SECTORS - 1, 2, crc);
        header(disk + (size_t) (DISK_SECTORS - 1) * SECTOR, DISK_SECTORS - 1, 1, DISK_SECTORS - 33, crc);
}

static uint8_t disk[(size_t) DISK_SECTORS * SECTOR];

static const struct entry two[] = {
        { &gpt_esp_type, "11111111-2222-4333-8444-555555555555", 2048, 4095, "ESP" },
        { NULL },
        { &gpt_varstore_type, "66666666-7777-4888-8999-AAAAAAAAAAAA", 4096, 8191, "varstore" },
};

/* The first `size` bytes of bytes as a file: sparse, only the GPT areas written
 * (everything else in these disks is zeros). */
static int image_of(const uint8_t *bytes, size_t size)
{
        const size_t head = 34 * SECTOR, tail = 33 * SECTOR;
        char path[256];
        int fd;

        snprintf(path, sizeof(path), "%s/disk.img", unit_tmpdir());
        fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0 || ftruncate(fd, (off_t) size) < 0 ||
            pwrite_all(fd, bytes, MIN(size, head), 0) < 0 ||
            (size > head + tail && pwrite_all(fd, bytes + size - tail, tail, size - tail) < 0)) {
                perror(path);
                exit(2);
        }
        return fd;
}

/* gpt_read() of the first `size` bytes of disk; *message is what was logged. */
static int read_disk(size_t size, struct gpt_table **ret, const char **message)
{
        int fd = image_of(disk, size), r;

        *ret = NULL;
        unit_stderr_begin();
        r = gpt_read(fd, "disk.img", ret);
        *message = unit_stderr_end();
        close(fd);
        return r;
}

TEST(good)
{
        _cleanup_(gpt_table_freep) struct gpt_table *t = NULL;
        const struct gpt_partition *p;
        const char *msg;
        char text[GUID_STRING_MAX];

        make_disk(disk, two, 3);
        CHECK_INT(read_disk(sizeof(disk), &t, &msg), 0);
        CHECK_STR(msg, "");
        if (!t)
                return;
        guid_format(&t->disk_guid, text);
        CHECK_STR(text, "D15C0000-AAAA-4BBB-8CCC-DDDDEEEEFFFF");
        CHECK_U64(t->image_size, sizeof(disk));
        CHECK_INT(t->n_parts, 2);
        p = &t->parts[0];
        CHECK_INT(p->partno, 1);
        CHECK(guid_equal(&p->type, &gpt_esp_type));
        guid_format(&p->uuid, text);
        CHECK_STR(text, "11111111-2222-4333-8444-555555555555");
        CHECK_U64(p->offset, 2048 * SECTOR);
        CHECK_U64(p->size, 2048 * SECTOR);
        CHECK_STR(p->name, "ESP");
        CHECK(p->inside);
        /* Entry 2 is unused: numbers are entry positions, not a count. */
        p = gpt_table_find(t, &gpt_varstore_type);
        CHECK(p == &t->parts[1]);
        if (p) {
                CHECK_INT(p->partno, 3);
                CHECK_U64(p->offset, 4096 * SECTOR);
                CHECK_U64(p->size, 4096 * SECTOR);
                CHECK_STR(p->name, "varstore");
                CHECK(p->inside);
        }
        CHECK(!gpt_table_find(t, &gpt_linux_data_type));
}

TEST(find)
{
        struct gpt_partition p;
        int fd, r;

        make_disk(disk, two, 3);
        fd = image_of(disk, sizeof(disk));
        CHECK_INT(gpt_find_partition(fd, "disk.img", &gpt_varstore_type, &p), 1);
        CHECK_INT(p.partno, 3);
        CHECK_INT(gpt_find_partition(fd, "disk.img", &gpt_linux_data_type, &p), 0);
        close(fd);

        /* Without a protective MBR, as UEFI allows. */
        memset(disk, 0, SECTOR);
        fd = image_of(disk, sizeof(disk));
        r = gpt_find_partition(fd, "disk.img", &gpt_esp_type, &p);
        CHECK_INT(r, 1);
        close(fd);
}

TEST(not_gpt)
{
        struct gpt_table *t;
        const char *msg;

        memset(disk, 0, sizeof(disk));
        CHECK_INT(read_disk(sizeof(disk), &t, &msg), -EBADMSG);
        CHECK_CONTAINS(msg, "disk.img is not a GPT disk image (no \"EFI PART\" header at LBA 1)");
        CHECK(!t);
        CHECK_INT(read_disk(700, &t, &msg), -EBADMSG);
        CHECK_CONTAINS(msg, "disk.img: too small for a GPT disk image");

        /* A good GPT of a floppy-sized disk: libblkid reads none there. */
        make_disk(disk, two, 1);
        put_le64(disk + SECTOR + 32, 2000);
        put_le64(disk + SECTOR + 48, 1900);
        seal_header(disk + SECTOR);
        CHECK_INT(read_disk(1440 * 1024, &t, &msg), -EBADMSG);
        CHECK_CONTAINS(msg, "too small for a GPT disk image");
}

TEST(damaged_header)
{
        struct gpt_table *t;
        const char *msg;

        make_disk(disk, two, 3);
        put_le32(disk + SECTOR + 16, 0);
        CHECK_INT(read_disk(sizeof(disk), &t, &msg), -EBADMSG);
        CHECK_CONTAINS(msg, "disk.img: GPT header CRC is wrong");

        make_disk(disk, two, 3);
        put_le32(disk + SECTOR + 12, 600);
        seal_header(disk + SECTOR);
        CHECK_INT(read_disk(sizeof(disk), &t, &msg), -EBADMSG);
        CHECK_CONTAINS(msg, "GPT header size 600 is implausible");

        /* An array too large to be ours, refused before anything reads it. */
        make_disk(disk, two, 3);
        put_le32(disk + SECTOR + 80, 33554431);
        seal_header(disk + SECTOR);
        CHECK_INT(read_disk(sizeof(disk), &t, &msg), -EBADMSG);
        CHECK_CONTAINS(msg, "implausible partition array (33554431 entries of 128 bytes");

        make_disk(disk, two, 3);
        put_le64(disk + SECTOR + 72, UINT64_C(1) << 40);
        seal_header(disk + SECTOR);
        CHECK_INT(read_disk(sizeof(disk), &t, &msg), -EBADMSG);
        CHECK_CONTAINS(msg, "the GPT partition array lies beyond the end of the image");

        /* Sealed, but MyLBA is wrong: libblkid refuses it, the backup is not used. */
        make_disk(disk, two, 3);
        put_le64(disk + SECTOR + 24, 2);
        seal_header(disk + SECTOR);
        CHECK_INT(read_disk(sizeof(disk), &t, &msg), -EBADMSG);
        CHECK_CONTAINS(msg, "disk.img: the primary GPT is damaged");
}

TEST(damaged_array)
{
        struct gpt_table *t;
        const char *msg;

        /* The backup is intact; the primary array is not. */
        make_disk(disk, two, 3);
        disk[2 * SECTOR + 40] ^= 1;
        CHECK_INT(read_disk(sizeof(disk), &t, &msg), -EBADMSG);
        CHECK_CONTAINS(msg, "disk.img: the primary GPT is damaged (its partition array CRC is wrong");
        CHECK(!t);
}

TEST(outside)
{
        static const struct entry wrapped[] = {
                { &gpt_esp_type, "11111111-2222-4333-8444-555555555555", 4000, 3000, "ESP" },
        };
        _cleanup_(gpt_table_freep) struct gpt_table *t = NULL;
        struct gpt_partition p;
        const char *msg;
        int fd;

        /* Truncated in the middle of partition 3: it is still listed, as outside. */
        make_disk(disk, two, 3);
        CHECK_INT(read_disk(6000 * SECTOR, &t, &msg), 0);
        if (t) {
                CHECK_INT(t->n_parts, 2);
                CHECK(t->parts[0].inside);
                CHECK(!t->parts[1].inside);
                CHECK_INT(t->parts[1].partno, 3);
        }
        fd = image_of(disk, 6000 * SECTOR);
        unit_stderr_begin();
        CHECK_INT(gpt_find_partition(fd, "disk.img", &gpt_varstore_type, &p), -EBADMSG);
        msg = unit_stderr_end();
        CHECK_CONTAINS(msg, "disk.img: partition 3 lies outside the image");
        CHECK_INT(gpt_find_partition(fd, "disk.img", &gpt_esp_type, &p), 1);
        close(fd);

        /* Last LBA before the first: never a huge size. */
        make_disk(disk, wrapped, 1);
        fd = image_of(disk, sizeof(disk));
        unit_stderr_begin();
        CHECK_INT(gpt_find_partition(fd, "disk.img", &gpt_esp_type, &p), -EBADMSG);
        msg = unit_stderr_end();
        CHECK_CONTAINS(msg, "partition 1 lies outside the image");
        close(fd);
}

/* Random damage to the primary GPT, sealed again or not: whatever the reader
 * answers, it must not crash (run under ASan too), and what it accepts must
 * lie where it says. */
TEST(random_damage)
{
        unsigned seed = 1;
        int accepted = 0;

        for (int i = 0; i < 400; i++) {
                _cleanup_(gpt_table_freep) struct gpt_table *t = NULL;
                uint8_t *array = disk + 2 * SECTOR;
                const char *msg;
                int r;

                make_disk(disk, two, 3);
                for (int k = 0, n = 1 + rand_r(&seed) % 4; k < n; k++) {
                        /* Mostly the fields that matter: header, first entries. */
                        size_t off = rand_r(&seed) % 2 ? SECTOR + rand_r(&seed) % 92 : 2 * SECTOR + rand_r(&seed) % 512;

                        disk[off] = (uint8_t) rand_r(&seed);
                }
                if (rand_r(&seed) % 2) {
                        put_le32(disk + SECTOR + 88, (uint32_t) crc32(0, array, N_ENTRIES * 128));
                        seal_header(disk + SECTOR);
                }
                r = read_disk(sizeof(disk), &t, &msg);
                CHECK(r == 0 || r == -EBADMSG);
                if (r < 0)
                        continue;
                accepted++;
                for (size_t j = 0; t && j < t->n_parts; j++)
                        if (t->parts[j].inside)
                                CHECK(t->parts[j].offset + t->parts[j].size <= t->image_size);
        }
        /* Both outcomes happen: the damage is not all refused by one early check. */
        CHECK(accepted > 10);
        CHECK(accepted < 390);
}

int main(void)
{
        RUN(good);
        RUN(find);
        RUN(not_gpt);
        RUN(damaged_header);
        RUN(damaged_array);
        RUN(outside);
        RUN(random_damage);
        return unit_exit();
}
