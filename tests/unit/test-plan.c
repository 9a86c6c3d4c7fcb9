/* SPDX-License-Identifier: MIT */
/* mkimage/plan.c: sizes, offsets and the disk, before a byte is written. */
#include <errno.h>
#include <stdio.h>

#include "base/arch.h"
#include "base/gpt-types.h"
#include "base/size.h"
#include "base/util.h"
#include "mkimage/layout.h"
#include "mkimage/plan.h"
#include "unit.h"

static struct layout *layout_of(const char *name, const char *text)
{
        struct layout *l = NULL;

        if (layout_load(unit_write_file(name, text), &l) < 0) {
                fprintf(stderr, "cannot load the test layout %s\n", name);
                exit(2);
        }
        return l;
}

/* plan_make() with what the command line would give; *message is what was logged. */
static int make(const struct layout *l, uint64_t disk_size, uint64_t esp_size, const uint64_t *needed,
                struct plan **ret, const char **message)
{
        struct plan_request req = {
                .layout = l,
                .arch = arch_find("aa64"),
                .seed = { .set = true, .value = { { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x47, 0x88,
                                                    0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x00 } } },
                .clamp_time = -1,
                .disk_size = disk_size,
                .esp_size = esp_size,
                .needed = needed,
        };
        int r;

        *ret = NULL;
        unit_stderr_begin();
        r = plan_make(&req, ret);
        *message = unit_stderr_end();
        return r;
}

static const char vmspec[] = "[partition ESP]\ntype = esp\n\n[partition root]\ntype = root\n";

TEST(auto_sizes)
{
        struct layout *l = layout_of("vmspec.conf", vmspec);
        uint64_t needed[2] = { 0, 100 * MIB + 1 };
        struct plan *p;
        const char *msg;
        guid_t root_type;

        CHECK_INT(make(l, 0, 0, needed, &p, &msg), 0);
        CHECK_STR(msg, "");
        if (p) {
                CHECK_INT(p->n_parts, 2);
                CHECK_U64(p->parts[0].offset, MIB);
                CHECK_U64(p->parts[0].size, 256 * MIB);
                CHECK_INT(p->parts[0].number, 1);
                CHECK(guid_equal(&p->parts[0].type, &gpt_esp_type));
                /* 100 MiB + 1 byte needs 101 MiB: every size is whole MiB. */
                CHECK_U64(p->parts[1].offset, 257 * MIB);
                CHECK_U64(p->parts[1].size, 101 * MIB);
                CHECK_INT(guid_parse("B921B045-1DF0-41C3-AF44-4C6F280D3FAE", &root_type), 0);
                CHECK(guid_equal(&p->parts[1].type, &root_type));
                /* 1 MiB before (GPT), 1 MiB after (backup GPT, alignment). */
                CHECK_U64(p->disk_size, 359 * MIB);
                CHECK(plan_find(p, PART_ROOT) == &p->parts[1]);
        }
        plan_free(p);

        /* No content: the root's minimum; --esp-size wins over the layout. */
        CHECK_INT(make(l, 0, 40 * MIB + 5, NULL, &p, &msg), 0);
        if (p) {
                CHECK_U64(p->parts[0].size, 41 * MIB);
                CHECK_U64(p->parts[1].size, ROOT_MIN_SIZE);
                CHECK_U64(p->parts[1].offset, 42 * MIB);
                CHECK_U64(p->disk_size, (1 + 41 + 64 + 1) * MIB);
        }
        plan_free(p);
        layout_free(l);
}

TEST(rest_and_fixed_disk)
{
        struct layout *l = layout_of("rest.conf",
                                     "[disk]\nsize = 1GiB\n[partition ESP]\ntype = esp\nsize = 256MiB\n"
                                     "[partition data]\nsize = rest\n[partition tail]\nsize = 10MiB\n");
        struct plan *p;
        const char *msg;

        CHECK_INT(make(l, 0, 0, NULL, &p, &msg), 0);
        if (p) {
                CHECK_U64(p->disk_size, GIB);
                for (size_t i = 0; i < p->n_parts; i++) {
                        CHECK_U64(p->parts[i].offset % MIB, 0);
                        CHECK_U64(p->parts[i].size % MIB, 0);
                }
                /* The last whole MiB before the backup GPT (33 sectors) is 1023 MiB. */
                CHECK_U64(p->parts[1].offset, 257 * MIB);
                CHECK_U64(p->parts[1].size, (1023 - 257 - 10) * MIB);
                CHECK_U64(p->parts[2].offset, (1023 - 10) * MIB);
                CHECK_U64(p->parts[2].offset + p->parts[2].size, 1023 * MIB);
                CHECK(p->parts[2].offset + p->parts[2].size <= GIB - GPT_BACKUP_BYTES);
                CHECK(guid_equal(&p->parts[1].type, &gpt_linux_data_type));
        }
        plan_free(p);

        /* --size wins over [disk]; not a whole number of sectors is refused. */
        CHECK_INT(make(l, 2 * GIB, 0, NULL, &p, &msg), 0);
        if (p)
                CHECK_U64(p->parts[1].size, (2047 - 257 - 10) * MIB);
        plan_free(p);
        CHECK_INT(make(l, 2 * GIB + 100, 0, NULL, &p, &msg), -EINVAL);
        CHECK_CONTAINS(msg, "is not a multiple of 512 bytes");

        /* Nothing left for the rest partition. */
        CHECK_INT(make(l, 268 * MIB, 0, NULL, &p, &msg), -ENOSPC);
        CHECK_CONTAINS(msg, "before 'data' gets any space");
        CHECK(!p);
        layout_free(l);

        l = layout_of("restauto.conf", "[partition ESP]\ntype = esp\n[partition data]\nsize = rest\n");
        CHECK_INT(make(l, 0, 0, NULL, &p, &msg), -EINVAL);
        CHECK_CONTAINS(msg, "partition 'data' has size = rest, which needs a disk size");
        layout_free(l);
}

TEST(too_small_and_too_full)
{
        struct layout *l = layout_of("small.conf", vmspec);
        uint64_t needed[2] = { 300 * MIB, 0 };
        struct plan *p;
        const char *msg;

        CHECK_INT(make(l, 100 * MIB, 0, NULL, &p, &msg), -ENOSPC);
        CHECK_CONTAINS(msg, "the partitions need a disk of at least 322 MiB, but the disk size is 100 MiB");
        CHECK(!p);

        /* Content larger than a fixed --esp-size. */
        CHECK_INT(make(l, 0, 256 * MIB, needed, &p, &msg), -ENOSPC);
        CHECK_CONTAINS(msg, "partition 'ESP' is 256 MiB but its content needs 300 MiB");
        layout_free(l);

        l = layout_of("vs.conf", "[partition ESP]\ntype = esp\n[partition v]\ntype = varstore\nsize = 32MiB\n");
        CHECK_INT(make(l, 0, 0, NULL, &p, &msg), -EINVAL);
        CHECK_CONTAINS(msg, "vs.conf:3: partition 'v': a varstore partition must be 64 MiB");
        layout_free(l);
}

/* The bug: sizes added and rounded without checks wrapped into a small disk. */
TEST(overflow_refused)
{
        struct layout *l;
        uint64_t needed[2] = { 0, UINT64_MAX - 5 };
        struct plan *p;
        const char *msg;

        l = layout_of("sum.conf",
                      "[partition ESP]\ntype = esp\n\n[partition a]\nsize = 4611686018427387904\n\n"
                      "[partition b]\nsize = 4611686018427387904\n");
        CHECK_INT(make(l, 0, 0, NULL, &p, &msg), -EFBIG);
        CHECK_CONTAINS(msg, "sum.conf:7: partition 'b': size is too large");
        CHECK(!p);
        layout_free(l);

        /* The largest partition that fits: 8 EiB less 3 MiB (a MiB for each GPT,
         * and 2^63 - 1 is not a whole MiB); the disk is the last whole MiB. */
        l = layout_of("max.conf", "[partition ESP]\ntype = esp\nsize = 9223372036851630080\n");
        CHECK_INT(make(l, 0, 0, NULL, &p, &msg), 0);
        if (p)
                CHECK_U64(p->disk_size, SIZE_IMAGE_MAX / MIB * MIB);
        plan_free(p);
        /* A MiB more and the disk would pass 8 EiB. */
        layout_free(l);
        l = layout_of("max1.conf", "[partition ESP]\ntype = esp\nsize = 9223372036852678656\n");
        CHECK_INT(make(l, 0, 0, NULL, &p, &msg), -EFBIG);
        CHECK_CONTAINS(msg, "max1.conf:1: partition 'ESP': size is too large");
        layout_free(l);

        /* Content whose estimate is near 2^64, and a --size past 8 EiB. */
        l = layout_of("need.conf", vmspec);
        CHECK_INT(make(l, 0, 0, needed, &p, &msg), -EFBIG);
        CHECK_CONTAINS(msg, "need.conf:4: partition 'root': size is too large");
        CHECK_INT(make(l, UINT64_MAX - 511, 0, NULL, &p, &msg), -EFBIG);
        CHECK_CONTAINS(msg, "disk size 18446744073709551104 is too large");
        CHECK_INT(make(l, 0, UINT64_MAX, NULL, &p, &msg), -EFBIG);
        CHECK_CONTAINS(msg, "partition 'ESP': size is too large");
        layout_free(l);
}

TEST(ids_from_the_seed)
{
        struct layout *l = layout_of("ids.conf", vmspec);
        struct plan *p, *q;
        const char *msg;

        CHECK_INT(make(l, 0, 0, NULL, &p, &msg), 0);
        CHECK_INT(make(l, 0, 0, NULL, &q, &msg), 0);
        if (p && q) {
                CHECK_MEM(&p->disk_guid, &q->disk_guid, sizeof(guid_t));
                CHECK_MEM(&p->parts[1].uuid, &q->parts[1].uuid, sizeof(guid_t));
                CHECK(!guid_equal(&p->parts[0].uuid, &p->parts[1].uuid));
                CHECK(!guid_equal(&p->parts[1].uuid, &p->parts[1].fs_ids.uuid));
                CHECK_INT(p->parts[0].fs_ids.volume_id, q->parts[0].fs_ids.volume_id);
        }
        plan_free(p);
        plan_free(q);
        layout_free(l);
}

int main(void)
{
        RUN(auto_sizes);
        RUN(rest_and_fixed_disk);
        RUN(too_small_and_too_full);
        RUN(overflow_refused);
        RUN(ids_from_the_seed);
        return unit_exit();
}
