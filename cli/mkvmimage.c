/* SPDX-License-Identifier: MIT */
/*
 * mkvmimage: build a raw GPT disk image for ARM virtual machines that
 * follows the ARM VM System Specification.
 *
 * The flow: options -> layout -> ROOTFS sized (and its boot files found) ->
 * plan (every size, offset and GUID) -> boot chain and UEFI variables made
 * -> temporary file -> GPT -> each partition by its handler -> sync ->
 * rename. `mkvmimage vars` is a subcommand (cmd-vars.c).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "base/arch.h"
#include "base/guid.h"
#include "base/log.h"
#include "base/size.h"
#include "base/util.h"
#include "cli/options.h"
#include "cli/subcommands.h"
#include "content/spool.h"
#include "esp/bootchain.h"
#include "esp/bootfiles.h"
#include "fs/ext4.h"
#include "mkimage/gpt.h"
#include "mkimage/handler.h"
#include "mkimage/layout.h"
#include "mkimage/output.h"
#include "mkimage/plan.h"
#include "mkimage/uefivars.h"


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
                if (sized && !boot_mode_needs_rootfs(o->boot.mode))
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
        _cleanup_free_ char *description = NULL;
        const char *name;
        int r;

        x->files = calloc(n_bc + 1, sizeof(*x->files));
        if (!x->files)
                return log_error(-ENOMEM, "out of memory");
        for (size_t i = 0; i < n_bc; i++)
                x->files[x->n++] = bc->files[i];

        if (!plan_find(plan, PART_VARSTORE) || o->boot.mode == BOOT_NONE)
                return 0;
        /* The entry is named for what it boots, else for the image ("disk" for disk.img). */
        name = strrchr(o->output, '/');
        description = strndup(name ? name + 1 : o->output, strcspn(name ? name + 1 : o->output, "."));
        if (!description)
                return log_error(-ENOMEM, "out of memory");
        r = image_vars_make(plan, bc && bc->os_name ? bc->os_name : description, vars);
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
        if (argc > 1 && strcmp(argv[1], "bundle") == 0)
                return bundle_main(argc - 1, argv + 1);
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
        if (boot_mode_needs_rootfs(o.boot.mode)) {
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

        if (boot_mode_needs_rootfs(o.boot.mode) && build_boot_chain(&o, plan, &rootfs, &bootfiles, &bootchain) < 0)
                return EXIT_FAILURE;
        if (prepare_esp_and_vars(&o, plan, boot_mode_needs_rootfs(o.boot.mode) ? &bootchain : NULL, &vars, &esp_extra) < 0)
                return EXIT_FAILURE;
        if (build_image(&o, plan, o.rootfs ? &rootfs : NULL, &esp_extra, &vars) < 0)
                return EXIT_FAILURE;
        log_info("%s: %s image for %s, %zu partitions", o.output,
                 format_size(plan->disk_size, size, sizeof(size)), o.arch->name, plan->n_parts);
        return EXIT_SUCCESS;
}
