/* SPDX-License-Identifier: MIT */
/*
 * Test driver for the ext4 handler, without the rest of mkvmimage:
 *
 *   ext4fill [--owner-root] [--uuid U] [--hash-seed U] [--label L] [--inodes N]
 *            IMAGE OFFSET SIZE|auto SOURCE
 *
 * Formats [OFFSET, OFFSET+SIZE) of IMAGE (which must exist; with "auto"
 * the size comes from ext4_estimate() with 10 % headroom and IMAGE is
 * extended to hold it) and fills it from SOURCE (directory, archive, "-").
 * SOURCE_DATE_EPOCH, when set, is the clamp time. "--estimate SOURCE"
 * prints the estimate: bytes inodes.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "content/content.h"
#include "fs/ext4.h"

/* A number with an optional K, M or G suffix (powers of 1024). */
static uint64_t parse_size(const char *s)
{
        char *end;
        uint64_t v = strtoull(s, &end, 0);

        switch (*end) {
        case 'G': v *= 1024; /* fall through */
        case 'M': v *= 1024; /* fall through */
        case 'K': v *= 1024; break;
        default: break;
        }
        return v;
}

int main(int argc, char **argv)
{
        static const struct option options[] = {
                { "owner-root", no_argument, NULL, 'o' },
                { "uuid", required_argument, NULL, 'U' },
                { "hash-seed", required_argument, NULL, 'H' },
                { "label", required_argument, NULL, 'L' },
                { "inodes", required_argument, NULL, 'N' },
                { "estimate", no_argument, NULL, 'e' },
                {}
        };
        struct ext4_params p = { .clamp_time = -1 };
        struct content *c = NULL;
        const char *sde = getenv("SOURCE_DATE_EPOCH");
        uint64_t offset, size = 0, inodes = 0;
        bool owner_root = false, estimate = false;
        int opt, r;

        while ((opt = getopt_long(argc, argv, "", options, NULL)) >= 0)
                switch (opt) {
                case 'o': owner_root = true; break;
                case 'U': p.uuid = optarg; break;
                case 'H': p.hash_seed = optarg; break;
                case 'L': p.label = optarg; break;
                case 'N': p.inodes = strtoull(optarg, NULL, 0); break;
                case 'e': estimate = true; break;
                default: return 2;
                }
        if (sde && *sde)
                p.clamp_time = strtoll(sde, NULL, 10);

        if (estimate) {
                if (argc - optind != 1)
                        return 2;
                r = ext4_estimate(argv[optind], 10, &size, &inodes);
                if (r < 0)
                        return 1;
                printf("%" PRIu64 " %" PRIu64 "\n", size, inodes);
                return 0;
        }
        if (argc - optind != 4) {
                fprintf(stderr, "usage: ext4fill [options] IMAGE OFFSET SIZE|auto SOURCE\n");
                return 2;
        }
        offset = parse_size(argv[optind + 1]);
        if (strcmp(argv[optind + 2], "auto") == 0) {
                r = ext4_estimate(argv[optind + 3], 10, &size, &inodes);
                if (r < 0)
                        return 1;
                if (p.inodes == 0)
                        p.inodes = inodes;
                if (truncate(argv[optind], (off_t)(offset + size)) < 0) {
                        log_error_errno(-errno, "cannot size %s", argv[optind]);
                        return 1;
                }
                printf("size %" PRIu64 " inodes %" PRIu64 "\n", size, inodes);
        } else
                size = parse_size(argv[optind + 2]);

        r = ext4_format(argv[optind], offset, size, &p);
        if (r < 0)
                return 1;
        r = content_open(argv[optind + 3], &c);
        if (r < 0)
                return 1;
        if (owner_root)
                content_set_owner(c, 0, 0);
        r = ext4_fill(argv[optind], offset, c, &p);
        content_free(c);
        return r < 0 ? 1 : 0;
}
