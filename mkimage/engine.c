/* SPDX-License-Identifier: MIT */
#include "mkimage/engine.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "base/output.h"
#include "base/size.h"
#include "base/util.h"
#include "content/content.h"
#include "content/spool.h"
#include "esp/bootfiles.h"
#include "mkimage/gpt.h"
#include "mkimage/handler.h"
#include "mkimage/layout.h"
#include "mkimage/plan.h"
#include "mkimage/uefivars.h"

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
        uint64_t inodes;          /* inodes it needs (0: the file system's default) */
};

static void rootfs_done(struct rootfs *rf)
{
        if (rf->spool_fd >= 0)
                close(rf->spool_fd);
}

/* The first root partition whose file system can hold a tree. */
static int find_root_partition(const struct layout *l, size_t *ret)
{
        char names[64];

        for (size_t i = 0; i < l->n_parts; i++)
                if (l->parts[i].kind == PART_ROOT && fs_takes_tree(l->parts[i].fs)) {
                        *ret = i;
                        return 0;
                }
        fs_names(true, names, sizeof(names));
        return log_error(-EINVAL, "layout %s has no %s root partition (type = root, fs = %s) to put ROOTFS in: use --layout vmspec",
                         l->path, names, names);
}

/*
 * Find where ROOTFS goes and how much it needs. Sizing reads the content
 * once before the fill reads it again, so standard input is spooled first,
 * unless the root partition's size is fixed and the stream can go straight
 * into the file system.
 */
static int prepare_rootfs(const struct image_request *req, const struct layout *l, const struct output *out,
                          struct rootfs *rf)
{
        _cleanup_free_ char *near = output_run_path(out, "spool");
        const struct layout_partition *root;
        struct fs_need need = { 0 };
        bool sized;
        int r;

        *rf = (struct rootfs) { .source = req->rootfs, .spool_fd = -1 };
        r = find_root_partition(l, &rf->part);
        if (r < 0)
                return r;
        root = &l->parts[rf->part];
        sized = root->size_mode == SIZE_FIXED;

        if (!near)
                return log_error(-ENOMEM, "out of memory");
        if (strcmp(req->rootfs, "-") == 0) {
                if (sized && !boot_choice_needs_rootfs(req->boot.choice))
                        return 0;
                r = spool_stdin(near, &rf->spool_fd);
                if (r < 0)
                        return r;
                snprintf(rf->spool_path, sizeof(rf->spool_path), "/proc/self/fd/%d", rf->spool_fd);
                rf->source = rf->spool_path;
        } else if (spool_needed(req->rootfs)) {
                /* A FIFO or a pipe (`<(tar c ...)`) is read once, here. */
                r = spool_path(near, req->rootfs, &rf->spool_fd);
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
        r = root->fs->estimate(rf->source, req->root_headroom, &need);
        progress_done();
        rf->needed = need.bytes;
        rf->inodes = need.inodes;
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
static int prepare_esp_and_vars(const struct image_request *req, const struct plan *plan, const struct bootchain *bc,
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

        if (!plan_find(plan, PART_VARSTORE) || req->boot.choice == BOOT_NONE)
                return 0;
        /* The entry is named for what it boots, else for the image ("disk" for disk.img). */
        name = strrchr(req->output, '/');
        description = strndup(name ? name + 1 : req->output, strcspn(name ? name + 1 : req->output, "."));
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

static int write_image(const struct image_request *req, const struct plan *plan, const struct rootfs *rf,
                       const struct esp_extra *x, const struct image_vars *vars, struct output *out)
{
        mode_t mask = umask(0);
        struct esp_request esp = {
                .removable_file = plan->arch->removable_file,
                .pe_machine = plan->arch->pe_machine,
                .pe_magic = plan->arch->pe_magic,
                .bootloader = req->bootloader,
                .tree = req->esp_dir,
                .files = x->files,
                .n_files = x->n,
                .clamp_time = plan->clamp_time,
        };
        struct job job = {
                .plan = plan,
                .esp = &esp,
                .vars = vars->vars ? vars : NULL,
                .rootfs = rf ? rf->source : NULL,
                .root = rf ? &plan->parts[rf->part] : NULL,
                .root_inodes = rf ? rf->inodes : 0,
                .owner_set = req->owner_set,
                .uid = req->uid,
                .gid = req->gid,
        };
        int r;

        umask(mask);
        r = partitions_check(&job);
        if (r < 0)
                return r;
        r = output_create_file(out, plan->disk_size);
        if (r < 0)
                return r;
        job.image_path = out->tmp_path;
        job.fd = out->fd;

        r = gpt_write(out->fd, req->output, plan);
        if (r >= 0)
                r = partitions_write(&job);
        if (r >= 0)
                /* An image is an ordinary file: the umask decides. */
                r = output_commit(out, 0666 & ~mask);
        if (r < 0)
                explain_if_disk_full(out->fd, req->output);
        return r;
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
static int discover_boot_chain(const struct image_request *req, const struct layout *l, const struct rootfs *rf,
                               const struct output *out, struct bootfiles *bf, struct bootchain *bc, uint64_t *needed)
{
        _cleanup_free_ char *near = output_run_path(out, "boot");
        ssize_t esp = find_esp(l);
        int r;

        if (esp < 0)
                return log_error(-EINVAL, "layout %s has no ESP to put the boot chain on", l->path);
        if (!near)
                return log_error(-ENOMEM, "out of memory");
        /* In the run directory: removed with it, whatever ends the run. */
        r = bootfiles_extract(rf->source, near, &(struct bootfiles_want) {
                                      .grub_format = req->arch->grub_format,
                                      .kernel = req->boot.kernel,
                                      .initrd = req->boot.initrd,
                              }, bf);
        if (r < 0)
                return r;
        r = bootchain_discover(bf, req->arch, l->parts[rf->part].fs, &req->boot, bc);
        if (r < 0)
                return r;
        needed[esp] = bc->esp_bytes;
        log_info("boot chain: %s, kernel /%s%s%s", boot_method_name(bc->method), bc->kernel,
                 bc->initrd ? ", initrd /" : "", bc->initrd ? bc->initrd : "");
        return 0;
}

static int build_boot_chain(const struct image_request *req, const struct plan *plan, const struct rootfs *rf,
                            const struct bootfiles *bf, struct bootchain *bc)
{
        const struct plan_partition *root = &plan->parts[rf->part];
        char partuuid[GUID_STRING_MAX], fs_id[GUID_STRING_MAX];

        guid_format(&root->uuid, partuuid);
        root->layout->fs->id_string(&root->fs_ids, fs_id, sizeof(fs_id));
        return bootchain_build(bc, bf, &(struct boot_root) { .partuuid = partuuid, .fs_id = fs_id },
                               req->boot.cmdline, plan->clamp_time);
}

/*
 * ROOTFS may hold the output (`mkvmimage ... . -o ./disk.img`): the run
 * directory and an existing target are left out of the root, which never
 * holds our own files.
 */
static int exclude_own_files(const struct output *out)
{
        struct stat st;
        int r;

        if (stat(out->rundir, &st) < 0)
                return log_error_errno(-errno, "cannot stat %s", out->rundir);
        r = content_exclude(st.st_dev, st.st_ino);
        if (r >= 0 && out->target && stat(out->target, &st) == 0)
                r = content_exclude(st.st_dev, st.st_ino);
        return r < 0 ? log_error_errno(r, "cannot leave %s out of ROOTFS", out->rundir) : 0;
}

static void layout_freep(struct layout **l)
{
        layout_free(*l);
}

static void plan_freep(struct plan **p)
{
        plan_free(*p);
}

static int print_plan(const struct image_request *req, const struct plan *plan)
{
        if (req->print_plan == PLAN_TEXT)
                plan_print(plan, stdout);
        if (req->print_plan == PLAN_JSON)
                return plan_print_json(plan, stdout);
        return 0;
}

int image_build(const struct image_request *req)
{
        _cleanup_(output_abort) struct output out = { .fd = -1 };
        _cleanup_(layout_freep) struct layout *layout = NULL;
        _cleanup_(plan_freep) struct plan *plan = NULL;
        _cleanup_free_ uint64_t *needed = NULL;
        _cleanup_(rootfs_done) struct rootfs rootfs = { .spool_fd = -1 };
        _cleanup_(bootfiles_release) struct bootfiles bootfiles = { .dir_fd = -1, .root_fd = -1 };
        _cleanup_(bootchain_free) struct bootchain bootchain = { 0 };
        _cleanup_(image_vars_free) struct image_vars vars = { 0 };
        _cleanup_(esp_extra_free) struct esp_extra esp_extra = { 0 };
        bool chain = boot_choice_needs_rootfs(req->boot.choice);
        char size[32];
        int r;

        /* Before the first temporary exists: the run directory holds them all. */
        r = output_begin(&out, req->print_plan ? NULL : req->output, req->force ? OUTPUT_FORCE : 0);
        if (r < 0)
                return r;
        r = exclude_own_files(&out);
        if (r < 0)
                return r;
        r = layout_load(req->layout, &layout);
        if (r < 0)
                return r;

        needed = calloc(layout->n_parts, sizeof(*needed));
        if (!needed)
                return log_error(-ENOMEM, "out of memory");
        if (req->rootfs) {
                r = prepare_rootfs(req, layout, &out, &rootfs);
                if (r < 0)
                        return r;
                needed[rootfs.part] = rootfs.needed;
        }
        if (chain) {
                r = discover_boot_chain(req, layout, &rootfs, &out, &bootfiles, &bootchain, needed);
                if (r < 0)
                        return r;
        }

        r = plan_make(&(struct plan_request) {
                        .layout = layout,
                        .arch = req->arch,
                        .seed = req->seed,
                        .clamp_time = req->clamp_time,
                        .disk_size = req->disk_size,
                        .esp_size = req->esp_size,
                        .needed = needed,
                }, &plan);
        if (r < 0)
                return r;
        if (req->print_plan)
                return print_plan(req, plan);

        if (chain) {
                r = build_boot_chain(req, plan, &rootfs, &bootfiles, &bootchain);
                if (r < 0)
                        return r;
        }
        r = prepare_esp_and_vars(req, plan, chain ? &bootchain : NULL, &vars, &esp_extra);
        if (r < 0)
                return r;
        r = write_image(req, plan, req->rootfs ? &rootfs : NULL, &esp_extra, &vars, &out);
        if (r < 0)
                return r;
        log_info("%s: %s image for %s, %zu partitions", req->output,
                 format_size(plan->disk_size, size, sizeof(size)), req->arch->name, plan->n_parts);
        return 0;
}
