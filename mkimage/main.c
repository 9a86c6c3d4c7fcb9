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
#include <unistd.h>

#include "arch.h"
#include "gpt.h"
#include "guid.h"
#include "handler.h"
#include "layout.h"
#include "log.h"
#include "output.h"
#include "plan.h"
#include "size.h"
#include "util.h"

#ifndef MKVM_VERSION
#define MKVM_VERSION "unknown"
#endif

struct options {
        const struct arch *arch;
        const char *output;
        const char *layout;
        const char *bootloader;
        const char *esp_dir;
        uint64_t disk_size;
        uint64_t esp_size;
        struct seed seed;
        int64_t clamp_time;
        bool force;
        bool print_plan;
};

static void usage(FILE *f)
{
        fprintf(f,
                "Usage: mkvmimage --arch ARCH [OPTIONS] -o IMAGE\n"
                "\n"
                "Build a raw GPT disk image for an ARM virtual machine, following the ARM VM\n"
                "System Specification: a FAT32 EFI System Partition with the bootloader at the\n"
                "UEFI removable-media path, plus the partitions the layout names.\n"
                "\n"
                "Options:\n"
                "  -a, --arch ARCH          target architecture: %s\n"
                "  -o, --output IMAGE       the image to write (not replaced unless --force)\n"
                "  -l, --layout NAME|FILE   layout file, or a shipped layout by name:\n"
                "                           esp-only (default), vmspec, vmspec-varstore\n"
                "  -b, --bootloader FILE    EFI application placed at \\EFI\\BOOT\\BOOT<ARCH>.EFI\n"
                "                           (its PE header must match --arch)\n"
                "      --esp-dir DIR        copy this directory tree into the ESP\n"
                "      --esp-size SIZE      size of the ESP (default 256MiB; FAT32 needs >= 33MiB)\n"
                "      --size SIZE          total disk size (default: the partitions' sum)\n"
                "      --seed UUID          derive every GUID and volume id from UUID, for\n"
                "                           byte-identical rebuilds (with SOURCE_DATE_EPOCH)\n"
                "      --print-plan         print partitions, offsets and GUIDs, write nothing\n"
                "  -f, --force              replace an existing IMAGE\n"
                "  -q, --quiet              no progress or summary\n"
                "  -h, --help               show this help\n"
                "  -V, --version            show the version\n"
                "\n"
                "SIZE takes K/KiB, M/MiB, G/GiB suffixes (powers of 1024).\n"
                "Environment: SOURCE_DATE_EPOCH clamps every timestamp written.\n"
                "See docs/mkvmimage.md and docs/layout-format.md.\n",
                arch_list());
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

enum {
        OPT_ESP_DIR = 0x100,
        OPT_ESP_SIZE,
        OPT_SIZE,
        OPT_SEED,
        OPT_PRINT_PLAN,
};

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
                { "print-plan", no_argument, NULL, OPT_PRINT_PLAN },
                { "force", no_argument, NULL, 'f' },
                { "quiet", no_argument, NULL, 'q' },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, 'V' },
                {}
        };
        const char *arch = NULL;
        int c, r;

        *o = (struct options) { .layout = "esp-only" };
        while ((c = getopt_long(argc, argv, "a:o:l:b:fqhV", longopts, NULL)) >= 0) {
                switch (c) {
                case 'a': arch = optarg; break;
                case 'o': o->output = optarg; break;
                case 'l': o->layout = optarg; break;
                case 'b': o->bootloader = optarg; break;
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
                case OPT_PRINT_PLAN: o->print_plan = true; break;
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
                return log_error(-EINVAL, "unexpected argument '%s' (a root file system argument is not supported yet; see --help)",
                                 argv[optind]);
        if (!arch)
                return log_error(-EINVAL, "--arch is required: %s", arch_list());
        o->arch = arch_find(arch);
        if (!o->arch)
                return log_error(-EINVAL, "unknown architecture '%s': use %s", arch, arch_list());
        if (!o->output && !o->print_plan)
                return log_error(-EINVAL, "no output: give -o IMAGE (or --print-plan)");
        if (!o->bootloader && !o->esp_dir)
                log_warn("no --bootloader or --esp-dir: the ESP will have no \\EFI\\BOOT\\%s and the image will not boot",
                         o->arch->removable_file);
        return parse_source_date_epoch(&o->clamp_time);
}

/* Inputs that can be checked before any output exists. */
static int check_inputs(const struct options *o)
{
        if (o->bootloader && access(o->bootloader, R_OK) < 0)
                return log_error_errno(-errno, "bootloader %s", o->bootloader);
        if (o->esp_dir && access(o->esp_dir, R_OK | X_OK) < 0)
                return log_error_errno(-errno, "--esp-dir %s", o->esp_dir);
        return 0;
}

static int check_plan(const struct job *job)
{
        const struct plan *plan = job->plan;

        if (!plan_find(plan, PART_ESP))
                return log_error(-EINVAL, "the layout has no ESP (type = esp): the VM spec needs one to boot");
        for (size_t i = 0; i < plan->n_parts; i++) {
                const struct plan_partition *pp = &plan->parts[i];
                const struct part_handler *h = part_handler_for(pp->layout->fs);

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
                const struct part_handler *h = part_handler_for(pp->layout->fs);
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

static int build_image(const struct options *o, const struct plan *plan)
{
        struct output out;
        struct job job = {
                .plan = plan,
                .bootloader = o->bootloader,
                .esp_dir = o->esp_dir,
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

static void layout_freep(struct layout **l)
{
        layout_free(*l);
}

static void plan_freep(struct plan **p)
{
        plan_free(*p);
}

int main(int argc, char **argv)
{
        _cleanup_(layout_freep) struct layout *layout = NULL;
        _cleanup_(plan_freep) struct plan *plan = NULL;
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

        r = plan_make(&(struct plan_request) {
                        .layout = layout,
                        .arch = o.arch,
                        .seed = o.seed,
                        .clamp_time = o.clamp_time,
                        .disk_size = o.disk_size,
                        .esp_size = o.esp_size,
                }, &plan);
        if (r < 0)
                return EXIT_FAILURE;

        if (o.print_plan) {
                plan_print(plan, stdout);
                return EXIT_SUCCESS;
        }
        if (build_image(&o, plan) < 0)
                return EXIT_FAILURE;
        log_info("%s: %s image for %s, %zu partitions", o.output,
                 format_size(plan->disk_size, size, sizeof(size)), o.arch->name, plan->n_parts);
        return EXIT_SUCCESS;
}
