/* SPDX-License-Identifier: MIT */
/*
 * mkvmimage bundle: the appliance bundle (disk image + firmware + launch
 * files) that a vendor ships and a customer boots with one command.
 *
 *   mkvmimage bundle --arch aa64 disk.img -o appliance.tar.gz
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/log.h"
#include "bundle/bundle.h"
#include "cli/subcommands.h"

static void help(void)
{
        printf("Usage: mkvmimage bundle --arch ARCH IMAGE -o OUTPUT [OPTIONS]\n\n"
               "Bundles a GPT disk image with the EDK2 firmware to boot it (from the installed\n"
               "Debian package), a seeded variable store, a QEMU firmware descriptor, a libvirt\n"
               "domain, a `run` script and a SHA-256 manifest.\n\n"
               "  -a, --arch ARCH          aa64 (aarch64, arm64) or arm (armhf, armv7)\n"
               "  -o, --output OUTPUT      NAME.tar, .tar.gz, .tar.xz, .tar.zst, or DIR/\n"
               "  -f, --force              replace an existing OUTPUT file\n"
               "  -n, --name NAME          appliance name (default: the image's file name without suffix)\n"
               "      --install-dir DIR    where libvirt.xml and firmware.json expect the files\n"
               "                           (default /var/lib/libvirt/images/NAME)\n"
               "      --firmware-dir DIR   read QEMU firmware descriptors from DIR only\n"
               "  -m, --memory MIB         guest memory (default 1024)\n"
               "      --cpus N             guest CPUs (default 2)\n"
               "  -q, --quiet\n"
               "  -h, --help\n\n"
               "Environment: SOURCE_DATE_EPOCH sets every entry's time (same inputs, same bytes).\n"
               "Exit status: 0 written, 1 failed, 2 usage.\n");
}

static int parse_unsigned(const char *s, const char *what, unsigned max, unsigned *ret)
{
        char *end;
        unsigned long v;

        errno = 0;
        v = strtoul(s, &end, 10);
        if (errno != 0 || end == s || *end != '\0' || s[0] == '-' || v == 0 || v > max)
                return log_error(-EINVAL, "%s: not a number from 1 to %u: %s", what, max, s);
        *ret = (unsigned) v;
        return 0;
}

int bundle_main(int argc, char **argv)
{
        enum { OPT_INSTALL_DIR = 0x100, OPT_FIRMWARE_DIR, OPT_CPUS };
        static const struct option longopts[] = {
                { "arch", required_argument, NULL, 'a' },
                { "output", required_argument, NULL, 'o' },
                { "name", required_argument, NULL, 'n' },
                { "install-dir", required_argument, NULL, OPT_INSTALL_DIR },
                { "firmware-dir", required_argument, NULL, OPT_FIRMWARE_DIR },
                { "memory", required_argument, NULL, 'm' },
                { "cpus", required_argument, NULL, OPT_CPUS },
                { "force", no_argument, NULL, 'f' },
                { "quiet", no_argument, NULL, 'q' },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        struct bundle_request req = {};
        const char *arch = NULL;
        int c;

        optind = 1;     /* argv[0] is "bundle" */
        while ((c = getopt_long(argc, argv, "a:o:n:m:fqh", longopts, NULL)) >= 0) {
                switch (c) {
                case 'a': arch = optarg; break;
                case 'o': req.output = optarg; break;
                case 'n': req.name = optarg; break;
                case OPT_INSTALL_DIR: req.install_dir = optarg; break;
                case OPT_FIRMWARE_DIR: req.firmware_dir = optarg; break;
                case 'm':
                        if (parse_unsigned(optarg, "--memory", 1024 * 1024, &req.memory_mib) < 0)
                                return 2;
                        break;
                case OPT_CPUS:
                        if (parse_unsigned(optarg, "--cpus", 512, &req.cpus) < 0)
                                return 2;
                        break;
                case 'f': req.force = true; break;
                case 'q': log_set_quiet(true); break;
                case 'h': help(); return 0;
                default: return 2;
                }
        }
        if (!arch)
                return log_error(-EINVAL, "--arch is required (aa64 or arm)"), 2;
        req.arch = arch_find(arch);
        if (!req.arch)
                return log_error(-EINVAL, "unknown architecture \"%s\" (aa64, arm)", arch), 2;
        if (optind != argc - 1)
                return log_error(-EINVAL, "give exactly one disk image (see --help)"), 2;
        req.image = argv[optind];
        if (!req.output)
                return log_error(-EINVAL, "-o OUTPUT is required (NAME.tar.gz, .tar.xz, .tar.zst, .tar or DIR/)"), 2;
        if (!*req.output)
                return log_error(-EINVAL, "-o: the output path is empty"), 2;
        return bundle_write(&req) < 0 ? 1 : 0;
}
