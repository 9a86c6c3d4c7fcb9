/* SPDX-License-Identifier: MIT */
/*
 * mkvmimage: build a raw GPT disk image for ARM virtual machines that
 * follows the ARM VM System Specification.
 *
 * The flow: options -> layout -> plan (every size, offset and GUID) ->
 * temporary file -> GPT -> each partition by its handler -> sync -> rename.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "arch.h"
#include "bootchain.h"
#include "bootfiles.h"
#include "ext4.h"
#include "gpt.h"
#include "guid.h"
#include "handler.h"
#include "layout.h"
#include "log.h"
#include "output.h"
#include "spool.h"
#include "subcommands.h"
#include "uefivars.h"
#include "plan.h"
#include "size.h"
#include "util.h"

#ifndef MKVM_VERSION
#define MKVM_VERSION "unknown"
#endif

enum plan_format {
        PLAN_NONE,
        PLAN_TEXT,
        PLAN_JSON,
};

struct options {
        const struct arch *arch;
        const char *rootfs;     /* directory, archive or "-" */
        const char *output;
        const char *layout;
        const char *bootloader; /* a file, for BOOT_FILE */
        struct bootchain_options boot;
        const char *esp_dir;
        uint64_t disk_size;
        uint64_t esp_size;
        uint64_t root_headroom; /* percent */
        bool owner_set;
        uid_t uid;
        gid_t gid;
        struct seed seed;
        int64_t clamp_time;
        bool force;
        enum plan_format print_plan;
};

#define ROOT_HEADROOM_DEFAULT 10

static void usage(FILE *f)
{
        fprintf(f,
                "Usage: mkvmimage --arch ARCH [OPTIONS] [ROOTFS] -o IMAGE\n"
                "\n"
                "Build a raw GPT disk image for an ARM virtual machine, following the ARM VM\n"
                "System Specification: a FAT32 EFI System Partition with the bootloader at the\n"
                "UEFI removable-media path, plus the partitions the layout names. ROOTFS (a\n"
                "directory, an archive such as rootfs.tar.xz, or - for an archive on standard\n"
                "input) fills the root partition's ext4 file system.\n"
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
                "See docs/mkvmimage.md and docs/layout-format.md.\n",
                arch_list(), ROOT_HEADROOM_DEFAULT);
}

static int parse_size_option(const char *opt, const char *value, uint64_t *ret)
{
        if (parse_size(value, ret) < 0 || *ret == 0)
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

static int parse_owner(const char *value, struct options *o)
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

static bool needs_rootfs(enum boot_mode m)
{
        return m == BOOT_AUTO || m == BOOT_SYSTEMD_BOOT || m == BOOT_GRUB || m == BOOT_UKI;
}

/* --bootloader takes a mode or a file; a file named like a mode is ./auto. */
static int choose_boot_mode(struct options *o, const char *bootloader, bool uki)
{
        static const struct { const char *name; enum boot_mode mode; } modes[] = {
                { "auto", BOOT_AUTO },
                { "none", BOOT_NONE },
                { "systemd-boot", BOOT_SYSTEMD_BOOT },
                { "grub", BOOT_GRUB },
        };
        enum boot_mode m = o->rootfs ? BOOT_AUTO : BOOT_NONE;

        if (bootloader) {
                m = BOOT_FILE;
                for (size_t i = 0; i < ELEMENTSOF(modes); i++)
                        if (strcmp(bootloader, modes[i].name) == 0)
                                m = modes[i].mode;
                if (m == BOOT_FILE)
                        o->bootloader = bootloader;
        }
        if (uki) {
                if (bootloader && m != BOOT_AUTO)
                        return log_error(-EINVAL, "--uki is the bootloader itself: drop --bootloader %s", bootloader);
                m = BOOT_UKI;
        }
        if (needs_rootfs(m) && !o->rootfs)
                return log_error(-EINVAL, "%s needs a ROOTFS argument to take the kernel%s from",
                                 uki ? "--uki" : "--bootloader", m == BOOT_UKI ? " and stub" : " and bootloader");
        if ((o->boot.kernel || o->boot.initrd || o->boot.cmdline) && !needs_rootfs(m))
                return log_error(-EINVAL, "--kernel, --initrd and --cmdline apply to a boot chain built from ROOTFS (--bootloader auto, systemd-boot, grub or --uki)");
        if (m == BOOT_NONE && !o->esp_dir)
                log_warn("no bootloader and no --esp-dir: the ESP will have no \\EFI\\BOOT\\%s and the image will not boot",
                         o->arch->removable_file);
        o->boot.mode = m;
        return 0;
}

static int parse_options(int argc, char **argv, struct options *o)
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

        *o = (struct options) { .root_headroom = ROOT_HEADROOM_DEFAULT };
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
        r = choose_boot_mode(o, bootloader, uki);
        if (r < 0)
                return r;
        return parse_source_date_epoch(&o->clamp_time);
}

/* Inputs that can be checked before any output exists. */
static int check_inputs(const struct options *o)
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

static int check_plan(const struct job *job)
{
        const struct plan *plan = job->plan;

        if (!plan_find(plan, PART_ESP))
                return log_error(-EINVAL, "the layout has no ESP (type = esp): the VM spec needs one to boot");
        for (size_t i = 0; i < plan->n_parts; i++) {
                const struct plan_partition *pp = &plan->parts[i];
                const struct part_handler *h = part_handler_for(pp->layout);

                if (h->check) {
                        int r = h->check(job, pp);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

static int write_partitions(const struct job *job)
{
        const struct plan *plan = job->plan;

        for (size_t i = 0; i < plan->n_parts; i++) {
                const struct plan_partition *pp = &plan->parts[i];
                const struct part_handler *h = part_handler_for(pp->layout);
                int r;

                progress_update(pp->layout->name, i, plan->n_parts);
                /* Handlers log their own errors, naming what failed. */
                if (h->format) {
                        r = h->format(job, pp);
                        if (r < 0)
                                return r;
                }
                if (h->fill) {
                        r = h->fill(job, pp);
                        if (r < 0)
                                return r;
                }
        }
        progress_update("done", plan->n_parts, plan->n_parts);
        progress_done();
        return 0;
}

/*
 * A tool that runs out of space says so in its own words ("failed whilst
 * writing FAT"); name the cause and the remedy once, whoever hit it.
 */
static void explain_if_disk_full(int fd, const char *output)
{
        struct statvfs st;

        if (fstatvfs(fd, &st) == 0 && (uint64_t)st.f_bavail * st.f_frsize < PLAN_ALIGN)
                log_error(-ENOSPC, "the file system holding %s is full (No space left on device): free some space or write the image elsewhere",
                          output);
}

/* ROOTFS, ready to be planned and written. */
struct rootfs {
        const char *source;       /* what content_open() reads */
        char spool_path[64];      /* /proc/self/fd/N of a spooled stdin */
        int spool_fd;
        size_t part;              /* the root partition's index in the layout */
        uint64_t needed;          /* bytes its file system needs (0: unknown) */
        uint64_t inodes;          /* inodes it needs (0: mke2fs's default) */
};

static int find_root_partition(const struct layout *l, size_t *ret)
{
        for (size_t i = 0; i < l->n_parts; i++)
                if (l->parts[i].kind == PART_ROOT && l->parts[i].fs == FS_EXT4) {
                        *ret = i;
                        return 0;
                }
        return log_error(-EINVAL, "layout %s has no ext4 root partition (type = root, fs = ext4) to put ROOTFS in: use --layout vmspec",
                         l->path);
}

/*
 * Find where ROOTFS goes and how much it needs. Sizing reads the content
 * once before the fill reads it again, so standard input is spooled first,
 * unless the root partition's size is fixed and the stream can go straight
 * into the file system.
 */
static int prepare_rootfs(const struct options *o, const struct layout *l, struct rootfs *rf)
{
        bool sized = false;
        int r;

        *rf = (struct rootfs) { .source = o->rootfs, .spool_fd = -1 };
        r = find_root_partition(l, &rf->part);
        if (r < 0)
                return r;
        sized = l->parts[rf->part].size_mode == SIZE_FIXED;

        if (strcmp(o->rootfs, "-") == 0) {
                if (sized && !needs_rootfs(o->boot.mode))
                        return 0;
                r = spool_stdin(o->output ? o->output : "./-", &rf->spool_fd);
                if (r < 0)
                        return r;
                snprintf(rf->spool_path, sizeof(rf->spool_path), "/proc/self/fd/%d", rf->spool_fd);
                rf->source = rf->spool_path;
        }

        /* A fixed size needs no scan: if the content does not fit, the fill
         * says how much it needs. */
        if (sized)
                return 0;
        progress_update("sizing the root file system", 0, 1);
        r = ext4_estimate(rf->source, o->root_headroom, &rf->needed, &rf->inodes);
        progress_done();
        return r;
}

/* What the ESP gets besides --esp-dir and --bootloader, in one list. */
struct esp_extra {
        struct esp_file *files;   /* shallow copies: the owners free the contents */
        size_t n;
        struct esp_file ebbr;     /* ubootefi.var, owned here */
};

static void esp_extra_free(struct esp_extra *x)
{
        free(x->files);
        free(x->ebbr.path);
        free(x->ebbr.data);
}

/*
 * With a varstore partition, the image starts with its own boot entry: in
 * the EDK2 store there, and as ubootefi.var on the ESP for U-Boot. Without
 * a bootloader there is nothing to point at, and the store stays blank.
 */
static int prepare_esp_and_vars(const struct options *o, const struct plan *plan, const struct bootchain *bc,
                                struct image_vars *vars, struct esp_extra *x)
{
        size_t n_bc = bc ? bc->n_files : 0;
        const char *name;
        int r;

        x->files = calloc(n_bc + 1, sizeof(*x->files));
        if (!x->files)
                return log_error(-ENOMEM, "out of memory");
        for (size_t i = 0; i < n_bc; i++)
                x->files[x->n++] = bc->files[i];

        if (!plan_find(plan, PART_VARSTORE) || o->boot.mode == BOOT_NONE)
                return 0;
        name = strrchr(o->output, '/');
        r = image_vars_make(plan, bc && bc->os_name ? bc->os_name : name ? name + 1 : o->output, vars);
        if (r < 0)
                return r;
        r = image_vars_ebbr_file(vars, plan->clamp_time >= 0 ? plan->clamp_time : (int64_t)time(NULL), &x->ebbr);
        if (r < 0)
                return r;
        x->files[x->n++] = x->ebbr;
        return 0;
}

static int build_image(const struct options *o, const struct plan *plan, const struct rootfs *rf,
                       const struct esp_extra *x, const struct image_vars *vars)
{
        struct output out;
        struct job job = {
                .plan = plan,
                .bootloader = o->bootloader,
                .esp_dir = o->esp_dir,
                .esp_files = x->files,
                .n_esp_files = x->n,
                .vars = vars->vars ? vars : NULL,
                .rootfs = rf ? rf->source : NULL,
                .root = rf ? &plan->parts[rf->part] : NULL,
                .root_inodes = rf ? rf->inodes : 0,
                .owner_set = o->owner_set,
                .uid = o->uid,
                .gid = o->gid,
        };
        int r;

        r = check_plan(&job);
        if (r < 0)
                return r;
        r = output_create(&out, o->output, plan->disk_size, o->force);
        if (r < 0)
                return r;
        job.image_path = out.tmp_path;
        job.fd = out.fd;

        r = gpt_write(out.fd, o->output, plan);
        if (r >= 0)
                r = write_partitions(&job);
        if (r >= 0)
                r = output_commit(&out);
        if (r < 0) {
                explain_if_disk_full(out.fd, o->output);
                output_abort(&out);
                return r;
        }
        return 0;
}

static void bootfiles_releasep(struct bootfiles *b)
{
        if (b->dir)
                output_forget_dir();
        bootfiles_release(b);
}

static ssize_t find_esp(const struct layout *l)
{
        for (size_t i = 0; i < l->n_parts; i++)
                if (l->parts[i].kind == PART_ESP)
                        return (ssize_t)i;
        return -1;
}

/*
 * Find the kernel and bootloader in ROOTFS before planning: the ESP must be
 * large enough for what they put on it.
 */
static int discover_boot_chain(const struct options *o, const struct layout *l, const struct rootfs *rf,
                               struct bootfiles *bf, struct bootchain *bc, uint64_t *needed)
{
        ssize_t esp = find_esp(l);
        int r;

        if (esp < 0)
                return log_error(-EINVAL, "layout %s has no ESP to put the boot chain on", l->path);
        r = bootfiles_extract(rf->source, o->output ? o->output : "./-", o->arch->grub_format, bf);
        if (r < 0)
                return r;
        r = output_cleanup_dir(bf->dir);
        if (r < 0)
                return log_error_errno(r, "cannot arrange the cleanup of %s", bf->dir);
        r = bootchain_discover(bf, o->arch, &o->boot, bc);
        if (r < 0)
                return r;
        needed[esp] = bc->esp_bytes;
        log_info("boot chain: %s, kernel /%s%s%s", boot_mode_name(bc->mode), bc->kernel,
                 bc->initrd ? ", initrd /" : "", bc->initrd ? bc->initrd : "");
        return 0;
}

static int build_boot_chain(const struct options *o, const struct plan *plan, const struct rootfs *rf,
                            const struct bootfiles *bf, struct bootchain *bc)
{
        const struct plan_partition *root = &plan->parts[rf->part];
        char partuuid[GUID_STRING_MAX], fs_uuid[GUID_STRING_MAX];

        guid_format(&root->uuid, partuuid);
        guid_format(&root->fs_uuid, fs_uuid);
        return bootchain_build(bc, bf, partuuid, fs_uuid, o->boot.cmdline, plan->clamp_time);
}

static void layout_freep(struct layout **l)
{
        layout_free(*l);
}

static void plan_freep(struct plan **p)
{
        plan_free(*p);
}

static int build_main(int argc, char **argv);

int main(int argc, char **argv)
{
        /* Subcommands; everything else builds an image. */
        if (argc > 1 && strcmp(argv[1], "vars") == 0)
                return vars_main(argc - 1, argv + 1);
        return build_main(argc, argv);
}

static int build_main(int argc, char **argv)
{
        _cleanup_(layout_freep) struct layout *layout = NULL;
        _cleanup_(plan_freep) struct plan *plan = NULL;
        _cleanup_free_ uint64_t *needed = NULL;
        struct rootfs rootfs = { .spool_fd = -1 };
        _cleanup_(bootfiles_releasep) struct bootfiles bootfiles = { .dir_fd = -1 };
        _cleanup_(bootchain_free) struct bootchain bootchain = { 0 };
        _cleanup_(image_vars_free) struct image_vars vars = { 0 };
        _cleanup_(esp_extra_free) struct esp_extra esp_extra = { 0 };
        _cleanup_close_ int spool_fd = -1;
        struct options o;
        char size[32];
        int r;

        r = parse_options(argc, argv, &o);
        if (r < 0)
                return EXIT_FAILURE;
        if (check_inputs(&o) < 0)
                return EXIT_FAILURE;
        if (o.output && !o.print_plan && output_check(o.output, o.force) < 0)
                return EXIT_FAILURE;
        if (layout_load(o.layout, &layout) < 0)
                return EXIT_FAILURE;

        needed = calloc(layout->n_parts, sizeof(*needed));
        if (!needed)
                return log_error(-ENOMEM, "out of memory"), EXIT_FAILURE;
        if (o.rootfs) {
                r = prepare_rootfs(&o, layout, &rootfs);
                spool_fd = rootfs.spool_fd;
                if (r < 0)
                        return EXIT_FAILURE;
                needed[rootfs.part] = rootfs.needed;
        }
        if (needs_rootfs(o.boot.mode)) {
                r = discover_boot_chain(&o, layout, &rootfs, &bootfiles, &bootchain, needed);
                if (r < 0)
                        return EXIT_FAILURE;
        }

        r = plan_make(&(struct plan_request) {
                        .layout = layout,
                        .arch = o.arch,
                        .seed = o.seed,
                        .clamp_time = o.clamp_time,
                        .disk_size = o.disk_size,
                        .esp_size = o.esp_size,
                        .needed = needed,
                }, &plan);
        if (r < 0)
                return EXIT_FAILURE;

        if (o.print_plan == PLAN_TEXT)
                plan_print(plan, stdout);
        if (o.print_plan == PLAN_JSON && plan_print_json(plan, stdout) < 0)
                return EXIT_FAILURE;
        if (o.print_plan)
                return EXIT_SUCCESS;

        if (needs_rootfs(o.boot.mode) && build_boot_chain(&o, plan, &rootfs, &bootfiles, &bootchain) < 0)
                return EXIT_FAILURE;
        if (prepare_esp_and_vars(&o, plan, needs_rootfs(o.boot.mode) ? &bootchain : NULL, &vars, &esp_extra) < 0)
                return EXIT_FAILURE;
        if (build_image(&o, plan, o.rootfs ? &rootfs : NULL, &esp_extra, &vars) < 0)
                return EXIT_FAILURE;
        log_info("%s: %s image for %s, %zu partitions", o.output,
                 format_size(plan->disk_size, size, sizeof(size)), o.arch->name, plan->n_parts);
        return EXIT_SUCCESS;
}
