/* SPDX-License-Identifier: MIT */
#include "cli/options.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "base/size.h"
#include "base/util.h"

#ifndef MKVM_VERSION
#define MKVM_VERSION "unknown"
#endif


static void usage(FILE *f)
{
        fprintf(f,
                "Usage: mkvmimage --arch ARCH [OPTIONS] [ROOTFS] -o IMAGE\n"
                "\n"
                "Build a raw GPT disk image for an ARM virtual machine, following the ARM VM\n"
                "System Specification: a FAT32 EFI System Partition with the bootloader at the\n"
                "UEFI removable-media path, plus the partitions the layout names. ROOTFS (a\n"
                "directory, an archive such as rootfs.tar.xz, or - for an archive on standard\n"
                "input) fills the root partition's file system (ext4 in the shipped layouts).\n"
                "\n"
                "Options:\n"
                "  -a, --arch ARCH          target architecture: %s\n"
                "  -o, --output IMAGE       the image to write (not replaced unless --force)\n"
                "  -l, --layout NAME|FILE   layout file, or a shipped layout by name: esp-only\n"
                "                           (default without ROOTFS), vmspec (default with\n"
                "                           ROOTFS), vmspec-varstore\n"
                "  -b, --bootloader WHAT    what boots: auto (default with ROOTFS: systemd-boot,\n"
                "                           else GRUB, as ROOTFS carries them), systemd-boot,\n"
                "                           grub, none (default without ROOTFS), or an EFI\n"
                "                           application FILE placed at \\EFI\\BOOT\\BOOT<ARCH>.EFI\n"
                "      --uki                boot a unified kernel image built from ROOTFS's\n"
                "                           systemd stub, kernel, initrd and command line\n"
                "      --kernel PATH        the kernel inside ROOTFS (default: boot/vmlinuz, else\n"
                "                           the newest boot/vmlinuz-VERSION)\n"
                "      --initrd PATH        the initrd inside ROOTFS (default: the kernel's)\n"
                "      --cmdline TEXT       added to root=PARTUUID=... rw console=ttyAMA0\n"
                "      --esp-dir DIR        copy this directory tree into the ESP\n"
                "      --esp-size SIZE      size of the ESP (default 256MiB; FAT32 needs >= 33MiB)\n"
                "      --size SIZE          total disk size (default: the partitions' sum)\n"
                "      --root-headroom PCT  free space (and inodes) added to an auto-sized root\n"
                "                           partition, in percent of its content (default %d)\n"
                "      --owner root|UID:GID own every ROOTFS entry by root (0:0) or UID:GID\n"
                "                           (for a tree made by an ordinary user)\n"
                "      --seed UUID          derive every GUID and volume id from UUID, for\n"
                "                           byte-identical rebuilds (with SOURCE_DATE_EPOCH)\n"
                "      --print-plan[=json]  print partitions, offsets, GUIDs (PARTUUIDs) as text\n"
                "                           or JSON, and write nothing\n"
                "  -f, --force              replace an existing IMAGE\n"
                "  -q, --quiet              no progress or summary\n"
                "  -h, --help               show this help\n"
                "  -V, --version            show the version\n"
                "\n"
                "SIZE takes K/KiB, M/MiB, G/GiB suffixes (powers of 1024).\n"
                "Environment: SOURCE_DATE_EPOCH clamps every timestamp written.\n"
                "\n"
                "       mkvmimage vars list FILE|IMAGE\n"
                "List the UEFI variables of a store: an EDK2 VARS file, a ubootefi.var, or an\n"
                "image's varstore partition.\n"
                "\n"
                "       mkvmimage bundle --arch ARCH IMAGE -o appliance.tar.gz|DIR/\n"
                "Bundle IMAGE with its firmware, variables, QEMU descriptor, libvirt domain,\n"
                "run script and manifest (see mkvmimage bundle --help).\n"
                "\n"
                "See docs/mkvmimage.md and docs/layout-format.md.\n",
                arch_list(), ROOT_HEADROOM_DEFAULT);
}

static int parse_size_option(const char *opt, const char *value, uint64_t *ret)
{
        int r = parse_size(value, ret);

        if (r == -ERANGE || (r >= 0 && *ret > SIZE_IMAGE_MAX))
                return log_error(-EFBIG, "%s: %s is too large: an image file holds at most 8 EiB", opt, value);
        if (r < 0 || *ret == 0)
                return log_error(-EINVAL, "%s: '%s' is not a size (e.g. 256MiB, 2GiB)", opt, value);
        return 0;
}

static int parse_source_date_epoch(int64_t *ret)
{
        const char *s = getenv("SOURCE_DATE_EPOCH");
        char *end;
        long long v;

        *ret = -1;
        if (!s || !*s)
                return 0;
        errno = 0;
        v = strtoll(s, &end, 10);
        if (errno || *end || v < 0)
                return log_error(-EINVAL, "SOURCE_DATE_EPOCH='%s' is not a number of seconds", s);
        *ret = v;
        return 0;
}

static int parse_owner(const char *value, struct image_request *o)
{
        unsigned long uid, gid;
        char *end;

        if (strcmp(value, "root") == 0) {
                uid = gid = 0;
        } else {
                errno = 0;
                uid = strtoul(value, &end, 10);
                if (errno || end == value || *end != ':')
                        goto bad;
                value = end + 1;
                gid = strtoul(value, &end, 10);
                if (errno || end == value || *end || uid > UINT32_MAX - 1 || gid > UINT32_MAX - 1)
                        goto bad;
        }
        o->owner_set = true;
        o->uid = (uid_t)uid;
        o->gid = (gid_t)gid;
        return 0;
bad:
        return log_error(-EINVAL, "--owner: '%s' is not 'root' or UID:GID (numbers)", value);
}

static int parse_percent(const char *opt, const char *value, uint64_t *ret)
{
        char *end;

        errno = 0;
        *ret = strtoull(value, &end, 10);
        if (errno || end == value || *end || *ret > 1000)
                return log_error(-EINVAL, "%s: '%s' is not a percentage from 0 to 1000", opt, value);
        return 0;
}

enum {
        OPT_ESP_DIR = 0x100,
        OPT_ROOT_HEADROOM,
        OPT_UKI,
        OPT_KERNEL,
        OPT_INITRD,
        OPT_CMDLINE,
        OPT_OWNER,
        OPT_ESP_SIZE,
        OPT_SIZE,
        OPT_SEED,
        OPT_PRINT_PLAN,
};

/* --bootloader takes a choice, a method or a file; a file named like one of those is ./auto. */
static int choose_boot(struct image_request *o, const char *bootloader, bool uki)
{
        struct bootchain_options *b = &o->boot;

        b->choice = o->rootfs ? BOOT_AUTO : BOOT_NONE;
        if (bootloader) {
                b->method = boot_method_for_bootloader_arg(bootloader);
                if (b->method)
                        b->choice = BOOT_METHOD;
                else if (strcmp(bootloader, "auto") == 0)
                        b->choice = BOOT_AUTO;
                else if (strcmp(bootloader, "none") == 0)
                        b->choice = BOOT_NONE;
                else {
                        b->choice = BOOT_FILE;
                        o->bootloader = bootloader;
                }
        }
        if (uki) {
                if (bootloader && b->choice != BOOT_AUTO)
                        return log_error(-EINVAL, "--uki is the bootloader itself: drop --bootloader %s", bootloader);
                b->choice = BOOT_METHOD;
                b->method = boot_method_uki();
        }
        if (boot_choice_needs_rootfs(b->choice) && !o->rootfs)
                return log_error(-EINVAL, "%s needs a ROOTFS argument to take the kernel%s from",
                                 uki ? "--uki" : "--bootloader", uki ? " and stub" : " and bootloader");
        if ((b->kernel || b->initrd || b->cmdline) && !boot_choice_needs_rootfs(b->choice))
                return log_error(-EINVAL, "--kernel, --initrd and --cmdline apply to a boot chain built from ROOTFS (--bootloader auto, systemd-boot, grub or --uki)");
        if (b->choice == BOOT_NONE && !o->esp_dir)
                log_warn("no bootloader and no --esp-dir: the ESP will have no \\EFI\\BOOT\\%s and the image will not boot",
                         o->arch->removable_file);
        return 0;
}

int parse_options(int argc, char **argv, struct image_request *o)
{
        static const struct option longopts[] = {
                { "arch", required_argument, NULL, 'a' },
                { "output", required_argument, NULL, 'o' },
                { "layout", required_argument, NULL, 'l' },
                { "bootloader", required_argument, NULL, 'b' },
                { "esp-dir", required_argument, NULL, OPT_ESP_DIR },
                { "esp-size", required_argument, NULL, OPT_ESP_SIZE },
                { "size", required_argument, NULL, OPT_SIZE },
                { "seed", required_argument, NULL, OPT_SEED },
                { "root-headroom", required_argument, NULL, OPT_ROOT_HEADROOM },
                { "uki", no_argument, NULL, OPT_UKI },
                { "kernel", required_argument, NULL, OPT_KERNEL },
                { "initrd", required_argument, NULL, OPT_INITRD },
                { "cmdline", required_argument, NULL, OPT_CMDLINE },
                { "owner", required_argument, NULL, OPT_OWNER },
                { "print-plan", optional_argument, NULL, OPT_PRINT_PLAN },
                { "force", no_argument, NULL, 'f' },
                { "quiet", no_argument, NULL, 'q' },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, 'V' },
                {}
        };
        const char *arch = NULL, *bootloader = NULL;
        bool uki = false;
        int c, r;

        *o = (struct image_request) { .root_headroom = ROOT_HEADROOM_DEFAULT };
        while ((c = getopt_long(argc, argv, "a:o:l:b:fqhV", longopts, NULL)) >= 0) {
                switch (c) {
                case 'a': arch = optarg; break;
                case 'o': o->output = optarg; break;
                case 'l': o->layout = optarg; break;
                case 'b': bootloader = optarg; break;
                case OPT_UKI: uki = true; break;
                case OPT_KERNEL: o->boot.kernel = optarg; break;
                case OPT_INITRD: o->boot.initrd = optarg; break;
                case OPT_CMDLINE: o->boot.cmdline = optarg; break;
                case OPT_ESP_DIR: o->esp_dir = optarg; break;
                case OPT_ESP_SIZE:
                        r = parse_size_option("--esp-size", optarg, &o->esp_size);
                        if (r < 0)
                                return r;
                        break;
                case OPT_SIZE:
                        r = parse_size_option("--size", optarg, &o->disk_size);
                        if (r < 0)
                                return r;
                        break;
                case OPT_SEED:
                        if (guid_parse(optarg, &o->seed.value) < 0)
                                return log_error(-EINVAL, "--seed: '%s' is not a UUID (e.g. 3f0c1a2e-5b6d-4e7f-8a9b-0c1d2e3f4a5b)", optarg);
                        o->seed.set = true;
                        break;
                case OPT_ROOT_HEADROOM:
                        r = parse_percent("--root-headroom", optarg, &o->root_headroom);
                        if (r < 0)
                                return r;
                        break;
                case OPT_OWNER:
                        r = parse_owner(optarg, o);
                        if (r < 0)
                                return r;
                        break;
                case OPT_PRINT_PLAN:
                        if (!optarg || strcmp(optarg, "text") == 0)
                                o->print_plan = PLAN_TEXT;
                        else if (strcmp(optarg, "json") == 0)
                                o->print_plan = PLAN_JSON;
                        else
                                return log_error(-EINVAL, "--print-plan: '%s' is not text or json", optarg);
                        break;
                case 'f': o->force = true; break;
                case 'q': log_set_quiet(true); break;
                case 'h':
                        usage(stdout);
                        exit(EXIT_SUCCESS);
                case 'V':
                        printf("mkvmimage %s\n", MKVM_VERSION);
                        exit(EXIT_SUCCESS);
                default:
                        fprintf(stderr, "Try 'mkvmimage --help'.\n");
                        return -EINVAL;
                }
        }

        if (optind < argc)
                o->rootfs = argv[optind++];
        if (optind < argc)
                return log_error(-EINVAL, "unexpected argument '%s': give one ROOTFS at most (see --help)", argv[optind]);
        if (!o->layout)
                o->layout = o->rootfs ? "vmspec" : "esp-only";
        if (!arch)
                return log_error(-EINVAL, "--arch is required: %s", arch_list());
        o->arch = arch_find(arch);
        if (!o->arch)
                return log_error(-EINVAL, "unknown architecture '%s': use %s", arch, arch_list());
        if (!o->output && !o->print_plan)
                return log_error(-EINVAL, "no output: give -o IMAGE (or --print-plan)");
        if (o->output && !*o->output)
                return log_error(-EINVAL, "-o: the output path is empty");
        r = choose_boot(o, bootloader, uki);
        if (r < 0)
                return r;
        return parse_source_date_epoch(&o->clamp_time);
}

/* Readable now: a missing file is found before anything is written. */
int check_inputs(const struct image_request *o)
{
        if (o->bootloader && access(o->bootloader, R_OK) < 0)
                return log_error_errno(-errno, "bootloader %s", o->bootloader);
        if (o->esp_dir && access(o->esp_dir, R_OK | X_OK) < 0)
                return log_error_errno(-errno, "--esp-dir %s", o->esp_dir);
        if (o->rootfs && strcmp(o->rootfs, "-") != 0 && access(o->rootfs, R_OK) < 0)
                return log_error_errno(-errno, "root file system %s", o->rootfs);
        if (o->owner_set && !o->rootfs)
                return log_error(-EINVAL, "--owner applies to a ROOTFS argument, and none was given");
        return 0;
}

