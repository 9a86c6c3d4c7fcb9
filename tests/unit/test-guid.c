/* SPDX-License-Identifier: MIT */
/* base/guid.c and base/gpt-types.h: GUID text, seed derivation, the type GUIDs. */
#include <errno.h>

#include "base/gpt-types.h"
#include "base/guid.h"
#include "unit.h"

static struct seed seed_of(const char *text)
{
        struct seed s = { .set = true };

        if (guid_parse(text, &s.value) < 0) {
                fprintf(stderr, "bad test seed %s\n", text);
                exit(2);
        }
        return s;
}

static const char *text_of(const guid_t *g)
{
        static char buf[GUID_STRING_MAX];

        guid_format(g, buf);
        return buf;
}

TEST(parse_format)
{
        guid_t g;

        CHECK_INT(guid_parse("c12a7328-f81f-11d2-ba4b-00a0c93ec93b", &g), 0);
        CHECK_INT(g.bytes[0], 0xC1);
        CHECK_INT(g.bytes[15], 0x3B);
        CHECK_STR(text_of(&g), "C12A7328-F81F-11D2-BA4B-00A0C93EC93B");
        CHECK_INT(guid_parse("C12A7328F81F-11D2-BA4B-00A0C93EC93B", &g), -EINVAL);
        CHECK_INT(guid_parse("C12A7328-F81F-11D2-BA4B-00A0C93EC93", &g), -EINVAL);
        CHECK_INT(guid_parse("G12A7328-F81F-11D2-BA4B-00A0C93EC93B", &g), -EINVAL);
        CHECK_INT(guid_parse(NULL, &g), -EINVAL);
}

/* Each type is spelled once, as bytes: its guid_t and its text must agree. */
TEST(gpt_types)
{
        guid_t g;

        CHECK_STR(GPT_ESP_TYPE_STR, "C12A7328-F81F-11D2-BA4B-00A0C93EC93B");
        CHECK_STR(GPT_VARSTORE_TYPE_STR, "2733F78F-FA97-4F45-8CC4-56973BF464DB");
        CHECK_STR(GPT_LINUX_DATA_TYPE_STR, "0FC63DAF-8483-4772-8E79-3D69D8477DE4");
        CHECK_INT(guid_parse(GPT_ESP_TYPE_STR, &g), 0);
        CHECK(guid_equal(&g, &gpt_esp_type));
        CHECK_INT(guid_parse(GPT_VARSTORE_TYPE_STR, &g), 0);
        CHECK(guid_equal(&g, &gpt_varstore_type));
        CHECK_INT(guid_parse(GPT_LINUX_DATA_TYPE_STR, &g), 0);
        CHECK(guid_equal(&g, &gpt_linux_data_type));
        CHECK(!guid_equal(&gpt_esp_type, &gpt_varstore_type));
}

/* Values computed independently: SHA-256("mkvmimage\0" || seed || purpose),
 * first 16 bytes with the version-4 and RFC 4122 variant bits set (Python's
 * hashlib and uuid). A change here changes every reproducible image. */
TEST(seed_vectors)
{
        struct seed s = seed_of("6E0C9D3A-1F4B-4C2A-9E5D-7A8B9C0D1E2F");
        guid_t g;
        uint32_t v = 0;

        CHECK_INT(seed_derive_guid(&s, "disk-guid", &g), 0);
        CHECK_STR(text_of(&g), "1F57A008-1EA9-4AAF-B336-162BB18A2404");
        CHECK_INT(seed_derive_guid(&s, "partition-guid:root", &g), 0);
        CHECK_STR(text_of(&g), "CDDEBA02-86A1-4A70-AAEA-1290581F86FE");
        CHECK_INT(seed_derive_u32(&s, "fat-volume-id:ESP", &v), 0);
        CHECK_U64(v, 0x279B7F60);
}

TEST(seed_determinism)
{
        struct seed a = seed_of("6E0C9D3A-1F4B-4C2A-9E5D-7A8B9C0D1E2F");
        struct seed b = seed_of("6E0C9D3A-1F4B-4C2A-9E5D-7A8B9C0D1E30");
        guid_t g1, g2, g3, g4;
        uint32_t u1 = 0, u2 = 1;

        CHECK_INT(seed_derive_guid(&a, "fs-uuid:root", &g1), 0);
        CHECK_INT(seed_derive_guid(&a, "fs-uuid:root", &g2), 0);
        CHECK(guid_equal(&g1, &g2));
        /* Another purpose or another seed: another value. */
        CHECK_INT(seed_derive_guid(&a, "fs-uuid:ESP", &g3), 0);
        CHECK(!guid_equal(&g1, &g3));
        CHECK_INT(seed_derive_guid(&b, "fs-uuid:root", &g4), 0);
        CHECK(!guid_equal(&g1, &g4));
        CHECK_INT(seed_derive_u32(&a, "x", &u1), 0);
        CHECK_INT(seed_derive_u32(&a, "x", &u2), 0);
        CHECK_U64(u1, u2);
}

TEST(version_4_bits)
{
        struct seed seeded = seed_of("00000000-0000-0000-0000-000000000001");
        struct seed random = { .set = false };
        char purpose[32];

        for (int i = 0; i < 64; i++) {
                guid_t g;

                snprintf(purpose, sizeof(purpose), "p%d", i);
                CHECK_INT(seed_derive_guid(i % 2 ? &seeded : &random, purpose, &g), 0);
                CHECK_INT(g.bytes[6] >> 4, 4);
                CHECK_INT(g.bytes[8] >> 6, 2);
        }
}

TEST(unseeded_differs)
{
        struct seed random = { .set = false };
        guid_t g1, g2;

        CHECK_INT(seed_derive_guid(&random, "disk-guid", &g1), 0);
        CHECK_INT(seed_derive_guid(&random, "disk-guid", &g2), 0);
        CHECK(!guid_equal(&g1, &g2));
}

int main(void)
{
        RUN(parse_format);
        RUN(gpt_types);
        RUN(seed_vectors);
        RUN(seed_determinism);
        RUN(version_4_bits);
        RUN(unseeded_differs);
        return unit_exit();
}
