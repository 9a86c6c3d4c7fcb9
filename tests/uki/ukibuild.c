/* SPDX-License-Identifier: MIT */
/*
 * Test-only driver for esp/uki.c:
 *
 *   ukibuild --arch aa64|arm --stub FILE --kernel FILE [--initrd FILE]
 *            [--cmdline TEXT] [--os-release FILE] [--uname TEXT] -o OUT
 *
 * Creates OUT (it must not exist), calls uki_build() and prints
 * "size BYTES". Exit 0 on success, 1 on failure (the error is logged).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "base/util.h"
#include "esp/pe.h"
#include "esp/uki.h"

static int run(int argc, char **argv)
{
        static const struct option options[] = {
                { "arch",       required_argument, NULL, 'a' },
                { "stub",       required_argument, NULL, 's' },
                { "kernel",     required_argument, NULL, 'k' },
                { "initrd",     required_argument, NULL, 'i' },
                { "cmdline",    required_argument, NULL, 'c' },
                { "os-release", required_argument, NULL, 'r' },
                { "uname",      required_argument, NULL, 'u' },
                { "output",     required_argument, NULL, 'o' },
                {}
        };
        struct uki_parts parts = {};
        _cleanup_close_ int fd = -EBADF;
        const char *output = NULL, *arch = NULL;
        uint64_t size;
        int c, r;

        while ((c = getopt_long(argc, argv, "o:", options, NULL)) >= 0)
                switch (c) {
                case 'a': arch = optarg; break;
                case 's': parts.stub = optarg; break;
                case 'k': parts.kernel = optarg; break;
                case 'i': parts.initrd = optarg; break;
                case 'c': parts.cmdline = optarg; break;
                case 'r': parts.os_release = optarg; break;
                case 'u': parts.uname = optarg; break;
                case 'o': output = optarg; break;
                default: return -EINVAL;
                }
        if (!arch || !output || optind != argc)
                return log_error(-EINVAL, "usage: ukibuild --arch aa64|arm --stub F --kernel F [--initrd F] "
                                 "[--cmdline T] [--os-release F] [--uname T] -o OUT");
        if (strcmp(arch, "aa64") == 0) {
                parts.machine = PE_MACHINE_ARM64;
                parts.magic = PE_MAGIC_PE32PLUS;
        } else if (strcmp(arch, "arm") == 0) {
                parts.machine = PE_MACHINE_ARMTHUMB_MIXED;
                parts.magic = PE_MAGIC_PE32;
        } else
                return log_error(-EINVAL, "unknown architecture %s", arch);

        fd = open(output, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0)
                return log_error_errno(-errno, "cannot create %s", output);
        r = uki_build(&parts, fd, &size);
        if (r < 0) {
                unlink(output);
                return r;
        }
        printf("size %" PRIu64 "\n", size);
        return 0;
}

int main(int argc, char **argv)
{
        return run(argc, argv) < 0 ? 1 : 0;
}
