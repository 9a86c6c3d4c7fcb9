/* SPDX-License-Identifier: MIT */
/*
 * mkvmimage-boot: boot a disk image under QEMU on the reference platforms
 * and judge each boot from the serial console.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/gpt-types.h"
#include "base/log.h"
#include "base/util.h"
#include "platform/cells.h"
#include "qemu-test/appliance.h"
#include "qemu-test/firmware.h"
#include "qemu-test/junit.h"
#include "qemu-test/preflight.h"
#include "qemu-test/qemu.h"

#define DEFAULT_EXPECT "MKVMIMAGE-BOOT-OK"
#define DEFAULT_TIMEOUT_SEC 120u

enum {
        EXIT_ALL_PASSED = 0,
        EXIT_SOME_FAILED = 1,
        EXIT_SETUP_ERROR = 2,
};

/* Set from the signal handler: the one place a global cannot be avoided. */
static volatile sig_atomic_t interrupted;

struct options {
        const char *image;
        const struct arch *arch;
        bool have_arch;
        char **platforms;
        size_t n_platforms;
        char **expect;
        size_t n_expect;
        unsigned timeout_sec;
        const char *log_dir;
        const char *junit;
        unsigned jobs;
        bool boot_anyway;
        bool list_platforms;
        struct firmware_options firmware;
        const char *vars_file;           /* --vars */
        bool persist;                    /* --persist */
        bool no_varstore;                /* --no-varstore */
        const char *expect_boot_option;  /* --expect-boot-option */
};

static void options_done(struct options *o)
{
        free(o->platforms);
        free(o->expect);
}

static void help(void)
{
        printf("Usage: mkvmimage-boot IMAGE --arch aa64|arm [OPTIONS]\n"
               "       mkvmimage-boot BUNDLE [OPTIONS]\n"
               "Boot a GPT disk image under QEMU on the reference platforms and judge\n"
               "each boot from the serial console. Exit 0 only if every platform passed.\n"
               "A BUNDLE (mkvmimage bundle: an archive or its directory) boots its disk.img\n"
               "with its own EDK2 firmware and variables, for the architecture it names.\n\n"
               "  -a, --arch ARCH          aa64 or arm (required for an image)\n"
               "  -p, --platform LIST      cell names, \"default\" or \"all\" (comma-separated,\n"
               "                           repeatable; default: the quick default set)\n"
               "      --list-platforms     print the platform matrix and exit\n"
               "  -e, --expect PATTERN     text the guest must print (repeatable;\n"
               "                           default " DEFAULT_EXPECT ")\n"
               "  -t, --timeout SECONDS    per boot (default %u)\n"
               "  -j, --jobs N             boots in parallel (default: number of CPUs)\n"
               "      --log-dir DIR        write one console log per platform here\n"
               "                           (default: a new directory in $TMPDIR)\n"
               "      --junit FILE         write JUnit XML, one testcase per platform\n"
               "      --boot-anyway        boot even when the pre-flight check predicts failure\n"
               "      --firmware-dir DIR   read QEMU firmware descriptors from DIR only\n"
               "      --edk2-code FILE     EDK2 executable (with --edk2-vars: skip descriptors)\n"
               "      --edk2-vars FILE     EDK2 variable store template (copied per run)\n"
               "      --uboot FILE         U-Boot binary (default: Debian u-boot-qemu's)\n"
               "      --vars FILE          EDK2 variable flash used in place (64 MiB, writable):\n"
               "                           variables persist in FILE across runs\n"
               "      --persist            map the image's varstore partition itself as the\n"
               "                           variable flash: variable writes persist in the image\n"
               "                           (default: a per-run copy of it; the image is unchanged)\n"
               "      --no-varstore        ignore the image's varstore partition: blank store\n"
               "      --expect-boot-option BOOTNNNN  EDK2 must start this boot option first\n"
               "  -q, --quiet              print only the result lines\n"
               "  -h, --help\n", DEFAULT_TIMEOUT_SEC);
}

static int push(char ***v, size_t *n, char *s)
{
        char **grown = realloc(*v, (*n + 1) * sizeof(char *));

        if (!grown)
                return log_error_errno(-ENOMEM, "cannot parse options");
        grown[(*n)++] = s;
        *v = grown;
        return 0;
}

static int parse_unsigned(const char *s, const char *what, unsigned min, unsigned *ret)
{
        char *end;
        unsigned long v;

        errno = 0;
        v = strtoul(s, &end, 10);
        if (errno != 0 || end == s || *end != '\0' || v < min || v > UINT_MAX / 2)
                return log_error(-EINVAL, "%s: not a valid number: %s", what, s);
        *ret = (unsigned) v;
        return 0;
}

static int parse_options(int argc, char **argv, struct options *o)
{
        enum {
                OPT_LOG_DIR = 0x100, OPT_JUNIT, OPT_FIRMWARE_DIR, OPT_EDK2_CODE, OPT_EDK2_VARS,
                OPT_UBOOT, OPT_BOOT_ANYWAY, OPT_LIST_PLATFORMS, OPT_VARS, OPT_PERSIST, OPT_NO_VARSTORE,
                OPT_EXPECT_BOOT_OPTION,
        };
        static const struct option longopts[] = {
                { "arch", required_argument, NULL, 'a' },
                { "platform", required_argument, NULL, 'p' },
                { "expect", required_argument, NULL, 'e' },
                { "timeout", required_argument, NULL, 't' },
                { "jobs", required_argument, NULL, 'j' },
                { "log-dir", required_argument, NULL, OPT_LOG_DIR },
                { "junit", required_argument, NULL, OPT_JUNIT },
                { "firmware-dir", required_argument, NULL, OPT_FIRMWARE_DIR },
                { "edk2-code", required_argument, NULL, OPT_EDK2_CODE },
                { "edk2-vars", required_argument, NULL, OPT_EDK2_VARS },
                { "uboot", required_argument, NULL, OPT_UBOOT },
                { "boot-anyway", no_argument, NULL, OPT_BOOT_ANYWAY },
                { "list-platforms", no_argument, NULL, OPT_LIST_PLATFORMS },
                { "vars", required_argument, NULL, OPT_VARS },
                { "persist", no_argument, NULL, OPT_PERSIST },
                { "no-varstore", no_argument, NULL, OPT_NO_VARSTORE },
                { "expect-boot-option", required_argument, NULL, OPT_EXPECT_BOOT_OPTION },
                { "quiet", no_argument, NULL, 'q' },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        int c, r;

        o->timeout_sec = DEFAULT_TIMEOUT_SEC;
        o->jobs = cpus > 0 ? (unsigned) cpus : 1;

        while ((c = getopt_long(argc, argv, "a:p:e:t:j:qh", longopts, NULL)) >= 0) {
                switch (c) {
                case 'a':
                        o->arch = arch_find(optarg);
                        if (!o->arch || !platform_arch_find(o->arch))
                                return log_error(-EINVAL, "unknown architecture \"%s\" (aa64 or arm)", optarg);
                        o->have_arch = true;
                        break;
                case 'p':
                        r = push(&o->platforms, &o->n_platforms, optarg);
                        if (r < 0)
                                return r;
                        break;
                case 'e':
                        if (!*optarg)
                                return log_error(-EINVAL, "--expect needs a non-empty pattern");
                        r = push(&o->expect, &o->n_expect, optarg);
                        if (r < 0)
                                return r;
                        break;
                case 't':
                        r = parse_unsigned(optarg, "--timeout", 1, &o->timeout_sec);
                        if (r < 0)
                                return r;
                        break;
                case 'j':
                        r = parse_unsigned(optarg, "--jobs", 1, &o->jobs);
                        if (r < 0)
                                return r;
                        break;
                case OPT_LOG_DIR: o->log_dir = optarg; break;
                case OPT_JUNIT: o->junit = optarg; break;
                case OPT_FIRMWARE_DIR: o->firmware.descriptor_dir = optarg; break;
                case OPT_EDK2_CODE: o->firmware.edk2_code = optarg; break;
                case OPT_EDK2_VARS: o->firmware.edk2_vars = optarg; break;
                case OPT_UBOOT: o->firmware.uboot_bin = optarg; break;
                case OPT_BOOT_ANYWAY: o->boot_anyway = true; break;
                case OPT_LIST_PLATFORMS: o->list_platforms = true; break;
                case OPT_VARS: o->vars_file = optarg; break;
                case OPT_PERSIST: o->persist = true; break;
                case OPT_NO_VARSTORE: o->no_varstore = true; break;
                case OPT_EXPECT_BOOT_OPTION:
                        if (strlen(optarg) != 8 || strncmp(optarg, "Boot", 4) != 0)
                                return log_error(-EINVAL, "--expect-boot-option: \"%s\" is not a BootNNNN name", optarg);
                        o->expect_boot_option = optarg;
                        break;
                case 'q': log_set_quiet(true); break;
                case 'h':
                        help();
                        exit(EXIT_ALL_PASSED);
                default:
                        return -EINVAL;
                }
        }
        if (o->list_platforms)
                return 0;
        if (optind != argc - 1)
                return log_error(-EINVAL, optind >= argc ? "no image given (see --help)" : "only one image, please (see --help)");
        o->image = argv[optind];
        if (o->persist && o->vars_file)
                return log_error(-EINVAL, "--persist is for the image's varstore partition; --vars FILE already persists in FILE");
        if (o->persist && o->no_varstore)
                return log_error(-EINVAL, "--persist and --no-varstore contradict each other");
        if (o->n_expect == 0) {
                static char default_expect[] = DEFAULT_EXPECT;

                r = push(&o->expect, &o->n_expect, default_expect);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int find_in_path(const char *name, char **ret)
{
        const char *path = getenv("PATH") ?: "/usr/bin:/bin";
        _cleanup_free_ char *copy = strdup(path);
        char *save = NULL;

        if (!copy)
                return -ENOMEM;
        for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
                char *candidate;

                if (asprintf(&candidate, "%s/%s", dir, name) < 0)
                        return -ENOMEM;
                if (access(candidate, X_OK) == 0) {
                        *ret = candidate;
                        return 0;
                }
                free(candidate);
        }
        return -ENOENT;
}

static int make_log_dir(const char *wanted, char **ret)
{
        const char *tmp = getenv("TMPDIR");
        char *dir;

        if (wanted) {
                if (mkdir(wanted, 0755) < 0 && errno != EEXIST)
                        return log_error_errno(-errno, "cannot create log directory %s", wanted);
                dir = strdup(wanted);
                if (!dir)
                        return log_error_errno(-ENOMEM, "cannot create a log directory");
        } else {
                if (asprintf(&dir, "%s/mkvmimage-boot.XXXXXX", tmp && *tmp ? tmp : "/tmp") < 0)
                        return log_error_errno(-ENOMEM, "cannot create a log directory");
                if (!mkdtemp(dir)) {
                        int r = log_error_errno(-errno, "cannot create log directory %s", dir);
                        free(dir);
                        return r;
                }
        }
        *ret = dir;
        return 0;
}

static void print_result(const struct run *r, void *userdata)
{
        const char *option = r->verdict.boot_option;

        if (r->passed)
                printf("PASS %s (%.1f s)\n", r->platform->name, run_seconds(r));
        else if (r->log_path)
                printf("FAIL %s: %s (%.1f s, log: %s)\n", r->platform->name, r->reason ?: "failed",
                       run_seconds(r), r->log_path);
        else
                printf("FAIL %s: %s\n", r->platform->name, r->reason ?: "failed");
        fflush(stdout);
        if (option)
                log_info("%s: the firmware started boot option %s", r->platform->name, option);
}

static void on_signal(int sig)
{
        interrupted = 1;
}

static void install_signal_handlers(void)
{
        struct sigaction sa = { .sa_handler = on_signal };

        /* No SA_RESTART: poll() must wake up so the QEMUs are stopped. */
        sigemptyset(&sa.sa_mask);
        (void) sigaction(SIGINT, &sa, NULL);
        (void) sigaction(SIGTERM, &sa, NULL);
        (void) sigaction(SIGHUP, &sa, NULL);
}

struct firmware_set {
        struct edk2_firmware edk2;
        bool have_edk2;
        char *uboot;
};

static int locate_firmware(const struct options *o, const struct platform **cells, size_t n,
                           struct firmware_set *fw)
{
        int r;

        for (size_t i = 0; i < n; i++) {
                enum firmware_kind kind = cells[i]->firmware->family->kind;

                if (kind == FIRMWARE_EDK2 && !fw->have_edk2) {
                        r = edk2_firmware_find(cells[i]->firmware, &o->firmware, &fw->edk2);
                        if (r < 0)
                                return r;
                        fw->have_edk2 = true;
                        if (fw->edk2.descriptor)
                                log_info("EDK2: %s (from %s)", fw->edk2.code, fw->edk2.descriptor);
                }
                if (kind == FIRMWARE_UBOOT && !fw->uboot) {
                        r = uboot_firmware_find(cells[i]->firmware, &o->firmware, &fw->uboot);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

/* The image cannot boot as it is: every platform fails with the same reason. */
static void fail_without_booting(struct run *runs, size_t n, const char *problem)
{
        for (size_t i = 0; i < n; i++) {
                if (asprintf(&runs[i].reason, "pre-flight: %s (not booted; --boot-anyway boots it)", problem) < 0)
                        runs[i].reason = NULL;
                print_result(&runs[i], NULL);
        }
}

/* 64 MiB exactly: QEMU refuses a variable flash of another size. */
#define VARS_FLASH_SIZE (64 * MIB)

/* Runs whose firmware has a variable flash (EDK2). */
static size_t count_edk2(const struct run *runs, size_t n)
{
        size_t k = 0;

        for (size_t i = 0; i < n; i++)
                k += runs[i].platform->firmware->family->load == FIRMWARE_LOAD_PFLASH;
        return k;
}

/* Decides where EDK2's variable flash comes from; -errno (logged) for an unusable choice. */
static int choose_vars(const struct options *o, const struct image_info *info, struct run_config *c)
{
        struct stat st;

        if (o->vars_file) {
                if (stat(o->vars_file, &st) < 0)
                        return log_error_errno(-errno, "--vars %s", o->vars_file);
                if (!S_ISREG(st.st_mode) || (uint64_t) st.st_size != VARS_FLASH_SIZE)
                        return log_error(-EINVAL, "--vars %s: must be a 64 MiB file (QEMU's variable flash size), not %lld bytes",
                                         o->vars_file, (long long) st.st_size);
                c->vars_source = VARS_FILE;
                c->vars_file = o->vars_file;
                return 0;
        }
        if (info->has_varstore && !o->no_varstore) {
                if (info->varstore_size != VARS_FLASH_SIZE)
                        return log_error(-EINVAL, "%s: varstore partition %u is %llu bytes; QEMU's variable flash must be 64 MiB (--no-varstore ignores it)",
                                         o->image, info->varstore_partno, (unsigned long long) info->varstore_size);
                c->vars_source = o->persist ? VARS_PARTITION_IN_PLACE : VARS_PARTITION_COPY;
                c->info = info;
                return 0;
        }
        if (o->persist)
                return log_error(-EINVAL, "--persist: %s has no varstore partition (type %s)", o->image, GPT_VARSTORE_TYPE_STR);
        c->vars_source = VARS_TEMPLATE;
        return 0;
}

static const char *describe_vars(const struct run_config *c)
{
        switch (c->vars_source) {
        case VARS_FILE:
                return "the --vars file, in place (variables persist in it)";
        case VARS_PARTITION_COPY:
                return "a per-run copy of the image's varstore partition (--persist writes to it)";
        case VARS_PARTITION_IN_PLACE:
                return "the image's varstore partition, in place (variables persist in the image)";
        default:
                return "a per-run copy of the firmware's VARS template";
        }
}

static int boot_all(const struct options *o, const char *image, const char *qemu,
                    const struct firmware_set *fw, const struct image_info *info, struct run *runs, size_t n)
{
        _cleanup_free_ char *log_dir = NULL;
        struct run_config c = {
                .image = image,
                .qemu = qemu,
                .edk2 = fw->have_edk2 ? &fw->edk2 : NULL,
                .uboot = fw->uboot,
                .expect = o->expect,
                .n_expect = o->n_expect,
                .timeout_sec = o->timeout_sec,
                .jobs = o->jobs,
                .interrupted = &interrupted,
                .expect_boot_option = o->expect_boot_option,
        };
        int r;

        r = choose_vars(o, info, &c);
        if (r < 0)
                return r;
        if (count_edk2(runs, n) > 0) {
                log_info("EDK2 variables: %s", describe_vars(&c));
                /* One flash shared by every run: QEMU would refuse the second writer anyway. */
                if ((c.vars_source == VARS_FILE || c.vars_source == VARS_PARTITION_IN_PLACE) &&
                    count_edk2(runs, n) > 1 && c.jobs > 1) {
                        log_info("EDK2 runs share one variable store: booting one at a time");
                        c.jobs = 1;
                }
        }
        r = make_log_dir(o->log_dir, &log_dir);
        if (r < 0)
                return r;
        c.log_dir = log_dir;
        log_info("booting %s on %zu platform%s, %u at a time; logs in %s",
                 o->image, n, n == 1 ? "" : "s", c.jobs, log_dir);
        install_signal_handlers();
        return runs_execute(runs, n, &c, print_result, NULL);
}

static int run(const struct options *o)
{
        _cleanup_(platform_matrix_done) struct platform_matrix matrix = {};
        _cleanup_free_ const struct platform **cells = NULL;
        _cleanup_free_ char *problem = NULL, *qemu = NULL, *image_abs = NULL;
        _cleanup_free_ struct run *runs = NULL;
        struct firmware_set fw = {};
        struct image_info info = {};
        size_t n, passed = 0;
        int r;

        r = platform_matrix_generate(&matrix);
        if (r < 0)
                return EXIT_SETUP_ERROR;
        r = platform_select(&matrix, o->arch, o->platforms, o->n_platforms, &cells);
        if (r < 0)
                return EXIT_SETUP_ERROR;
        n = (size_t) r;

        r = preflight_check(o->image, o->arch, &problem, &info);
        if (r < 0)
                return EXIT_SETUP_ERROR;

        runs = calloc(n, sizeof(*runs));
        if (!runs)
                return log_error_errno(-ENOMEM, "out of memory"), EXIT_SETUP_ERROR;
        for (size_t i = 0; i < n; i++)
                runs[i] = (struct run) { .platform = cells[i], .fd = -1, .log_fd = -1 };

        if (problem && !o->boot_anyway)
                fail_without_booting(runs, n, problem);
        else {
                const struct platform_arch *pa = platform_arch_find(o->arch);

                if (problem)
                        log_warn("pre-flight: %s (booting anyway)", problem);
                if (find_in_path(pa->qemu, &qemu) < 0) {
                        log_error(-ENOENT, "%s not found in PATH: install the Debian package %s", pa->qemu,
                                  pa->qemu_package);
                        r = -ENOENT;
                }
                if (r >= 0)
                        r = locate_firmware(o, cells, n, &fw);
                if (r >= 0) {
                        /* An absolute path makes the logged command line replayable anywhere. */
                        image_abs = realpath(o->image, NULL);
                        r = boot_all(o, image_abs ?: o->image, qemu, &fw, &info, runs, n);
                }
        }

        for (size_t i = 0; i < n; i++)
                passed += runs[i].passed;
        if (r >= 0 && o->junit && junit_write(o->junit, o->image, runs, n) < 0)
                r = -EIO;
        for (size_t i = 0; i < n; i++)
                run_done(&runs[i]);
        edk2_firmware_done(&fw.edk2);
        free(fw.uboot);

        if (r == -EINTR)
                return log_error(-EINTR, "interrupted"), EXIT_SETUP_ERROR;
        if (r < 0)
                return EXIT_SETUP_ERROR;
        log_info("%zu of %zu platforms passed", passed, n);
        return passed == n ? EXIT_ALL_PASSED : EXIT_SOME_FAILED;
}

/*
 * A bundle instead of an image: boot its disk.img with its own firmware (a
 * per-run copy of its efi-vars.fd, or its image's varstore partition), for
 * the architecture its manifest names. --edk2-code/--edk2-vars still win.
 */
static int use_appliance(struct options *o, struct appliance *app)
{
        int r;

        r = appliance_open(o->image, app);
        if (r < 0)
                return r;
        if (r == 0) {
                if (!o->have_arch)
                        return log_error(-EINVAL, "--arch is required (aa64 or arm)");
                return 0;
        }
        if (o->have_arch && o->arch != app->arch)
                return log_error(-EINVAL, "%s is a bundle for %s, not %s", o->image, app->arch->name, o->arch->name);
        if (!platform_arch_find(app->arch))
                return log_error(-EINVAL, "%s is a bundle for %s, which has no reference platform", o->image,
                                 app->arch->name);
        o->arch = app->arch;
        o->have_arch = true;
        if (!app->vars && o->no_varstore)
                return log_error(-EINVAL, "%s keeps its variables in the image's varstore partition: --no-varstore leaves it none",
                                 o->image);
        if (!o->firmware.edk2_code && !o->firmware.edk2_vars) {
                o->firmware.edk2_code = app->code;
                /* Without efi-vars.fd the varstore partition is the flash: no template is read. */
                o->firmware.edk2_vars = app->vars ?: app->code;
        }
        log_info("%s: appliance bundle for %s, booting %s with its firmware", o->image, app->arch->name,
                 app->image);
        o->image = app->image;
        return 0;
}

int main(int argc, char **argv)
{
        struct appliance app = {};
        struct options o = {};
        int ret;

        if (parse_options(argc, argv, &o) < 0) {
                options_done(&o);
                return EXIT_SETUP_ERROR;
        }
        if (o.list_platforms) {
                struct platform_matrix m = {};

                ret = platform_matrix_generate(&m) < 0 ? EXIT_SETUP_ERROR : EXIT_ALL_PASSED;
                platform_list(&m, stdout);
                platform_matrix_done(&m);
                options_done(&o);
                return ret;
        }
        if (use_appliance(&o, &app) < 0) {
                appliance_done(&app);
                options_done(&o);
                return EXIT_SETUP_ERROR;
        }
        ret = run(&o);
        appliance_done(&app);
        options_done(&o);
        return ret;
}
