/* SPDX-License-Identifier: MIT */
#include "esp/bootchain.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "base/util.h"
#include "esp/grub.h"
#include "esp/pe.h"
#include "esp/uki.h"
#include "esp/zimage.h"

#define SYSTEMD_EFI_DIR "usr/lib/systemd/boot/efi"

const char *boot_mode_name(enum boot_mode m)
{
        static const char *const names[] = {
                [BOOT_NONE] = "none",
                [BOOT_FILE] = "a given file",
                [BOOT_AUTO] = "auto",
                [BOOT_SYSTEMD_BOOT] = "systemd-boot",
                [BOOT_GRUB] = "GRUB",
                [BOOT_UKI] = "a unified kernel image",
        };
        return names[m];
}

bool boot_mode_needs_rootfs(enum boot_mode m)
{
        return m == BOOT_AUTO || m == BOOT_SYSTEMD_BOOT || m == BOOT_GRUB || m == BOOT_UKI;
}

static bool exists(const struct bootfiles *bf, const char *path)
{
        int fd, r;

        r = bootfiles_open(bf, path, &fd, NULL);
        if (r < 0)
                return false;
        close(fd);
        return true;
}

/* The newest boot/vmlinuz-VERSION, by version order (as sort -V). */
static int newest_kernel(const struct bootfiles *bf, char **ret)
{
        _cleanup_free_ char *best = NULL;
        struct dirent *de;
        DIR *d;
        int fd, r;

        r = bootfiles_open(bf, "boot", &fd, NULL);
        if (r < 0)
                return r;
        d = fdopendir(fd);
        if (!d) {
                close(fd);
                return -errno;
        }
        while ((de = readdir(d))) {
                if (strncmp(de->d_name, "vmlinuz-", 8) != 0 || !de->d_name[8])
                        continue;
                if (!best || strverscmp(de->d_name, best) > 0) {
                        free(best);
                        best = strdup(de->d_name);
                        if (!best) {
                                closedir(d);
                                return -ENOMEM;
                        }
                }
        }
        closedir(d);
        if (!best)
                return -ENOENT;
        return asprintf(ret, "boot/%s", best) < 0 ? -ENOMEM : 0;
}

/* Open a path inside the root, checking it is a regular file. */
static int open_regular(const struct bootfiles *bf, const char *path, char **ret_canonical)
{
        struct stat st;
        int fd, r;

        r = bootfiles_open(bf, path, &fd, ret_canonical);
        if (r < 0)
                return r;
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
                close(fd);
                return -EISDIR;
        }
        close(fd);
        return 0;
}

static const char *strip_slash(const char *p)
{
        while (*p == '/')
                p++;
        return p;
}

static int find_kernel(struct bootchain *bc, const struct bootfiles *bf, const struct bootchain_options *o)
{
        _cleanup_free_ char *candidate = NULL;
        const char *base;
        int r;

        if (o->kernel) {
                r = open_regular(bf, strip_slash(o->kernel), &bc->kernel);
                if (r < 0)
                        return log_error_errno(r, "--kernel %s: not a file in the root file system", o->kernel);
        } else {
                /* The distribution's own choice first: the boot/vmlinuz symlink. */
                r = open_regular(bf, "boot/vmlinuz", &bc->kernel);
                if (r < 0) {
                        r = newest_kernel(bf, &candidate);
                        if (r >= 0)
                                r = open_regular(bf, candidate, &bc->kernel);
                }
                if (r < 0)
                        return log_error(-ENOENT, "no kernel in the root file system: looked for boot/vmlinuz and boot/vmlinuz-VERSION; give --kernel PATH");
        }

        base = strrchr(bc->kernel, '/');
        base = base ? base + 1 : bc->kernel;
        if (strncmp(base, "vmlinuz-", 8) == 0 && base[8]) {
                bc->version = strdup(base + 8);
                if (!bc->version)
                        return -ENOMEM;
        }
        return 0;
}

/* An EFI application of the arch, as the firmware will want it. */
static int check_efi_app(const struct bootchain *bc, const struct bootfiles *bf, const char *path, const char *kind)
{
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *what = NULL;
        int r;

        r = bootfiles_open(bf, path, &fd, NULL);
        if (r < 0)
                return log_error_errno(r, "cannot open %s /%s", kind, path);
        if (asprintf(&what, "%s /%s", kind, path) < 0)
                return -ENOMEM;
        return pe_check_efi_app(fd, what, bc->arch->pe_machine, bc->arch->pe_magic);
}

/* Only an EFI-stub kernel of the arch can be started by the firmware or systemd-boot. */
static int check_kernel(const struct bootchain *bc, const struct bootfiles *bf)
{
        int r = check_efi_app(bc, bf, bc->kernel, "kernel");

        if (r < 0)
                return log_error(r, "kernel /%s has no EFI stub for %s: it cannot boot from UEFI",
                                 bc->kernel, bc->arch->name);
        return 0;
}

static int find_initrd(struct bootchain *bc, const struct bootfiles *bf, const struct bootchain_options *o)
{
        _cleanup_free_ char *candidate = NULL;
        int r;

        if (o->initrd) {
                r = open_regular(bf, strip_slash(o->initrd), &bc->initrd);
                return r < 0 ? log_error_errno(r, "--initrd %s: not a file in the root file system", o->initrd) : 0;
        }
        if (bc->version) {
                if (asprintf(&candidate, "boot/initrd.img-%s", bc->version) < 0)
                        return -ENOMEM;
                if (open_regular(bf, candidate, &bc->initrd) >= 0)
                        return 0;
        }
        if (!o->kernel && open_regular(bf, "boot/initrd.img", &bc->initrd) >= 0)
                return 0;
        return 0; /* an initrd is optional */
}

static int find_loader(struct bootchain *bc, const struct bootfiles *bf, const char *fmt, const char *what)
{
        _cleanup_free_ char *path = NULL;
        int r;

        if (asprintf(&path, fmt, bc->arch->efi_suffix) < 0)
                return -ENOMEM;
        r = open_regular(bf, path, &bc->loader);
        if (r < 0)
                return log_error(-ENOENT, "%s: no /%s in the root file system (install it there, or choose another --bootloader)",
                                 what, path);
        return check_efi_app(bc, bf, bc->loader, "bootloader");
}

static bool has_grub(const struct bootchain *bc, const struct bootfiles *bf)
{
        char path[128];

        snprintf(path, sizeof(path), "usr/lib/grub/%s/normal.mod", bc->arch->grub_format);
        return exists(bf, path);
}

static bool has_systemd_boot(const struct bootchain *bc, const struct bootfiles *bf)
{
        char path[128];

        snprintf(path, sizeof(path), SYSTEMD_EFI_DIR "/systemd-boot%s.efi", bc->arch->efi_suffix);
        return exists(bf, path);
}

/* auto: systemd-boot, then GRUB, whichever the root file system carries. */
static int choose_mode(struct bootchain *bc, const struct bootfiles *bf, enum boot_mode wanted)
{
        if (wanted != BOOT_AUTO) {
                bc->mode = wanted;
                return 0;
        }
        if (has_systemd_boot(bc, bf))
                bc->mode = BOOT_SYSTEMD_BOOT;
        else if (has_grub(bc, bf))
                bc->mode = BOOT_GRUB;
        else
                return log_error(-ENOENT, "no bootloader in the root file system: looked for /" SYSTEMD_EFI_DIR "/systemd-boot%s.efi and /usr/lib/grub/%s/; install systemd-boot-efi or GRUB's EFI modules in it, or give --bootloader FILE or --uki",
                                 bc->arch->efi_suffix, bc->arch->grub_format);
        return 0;
}

/* PRETTY_NAME and ID from os-release, for titles and the entry's name. */
static void read_os_release(struct bootchain *bc, const struct bootfiles *bf)
{
        static const char *const paths[] = { "etc/os-release", "usr/lib/os-release" };
        char line[256];
        FILE *f = NULL;
        int fd;

        for (size_t i = 0; !f && i < ELEMENTSOF(paths); i++)
                if (bootfiles_open(bf, paths[i], &fd, NULL) >= 0) {
                        f = fdopen(fd, "re");
                        if (!f)
                                close(fd);
                }
        while (f && fgets(line, sizeof(line), f)) {
                char **dst = NULL, *v, *end;

                if (strncmp(line, "PRETTY_NAME=", 12) == 0)
                        dst = &bc->os_name;
                else if (strncmp(line, "ID=", 3) == 0)
                        dst = &bc->os_id;
                if (!dst || *dst)
                        continue;
                v = strchr(line, '=') + 1;
                v[strcspn(v, "\n")] = '\0';
                if (*v == '"' || *v == '\'') {
                        end = strrchr(v + 1, *v);
                        if (end)
                                *end = '\0';
                        v++;
                }
                *dst = strdup(v);
        }
        if (f)
                fclose(f);
        /* The ID names files on the ESP: keep it to safe characters. */
        for (char *p = bc->os_id; p && *p; p++)
                if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_' && *p != '.')
                        *p = '_';
        if (!bc->os_id || !*bc->os_id) {
                free(bc->os_id);
                bc->os_id = strdup("linux");
        }
        if (!bc->os_name || !*bc->os_name) {
                free(bc->os_name);
                bc->os_name = strdup("Linux");
        }
}

static uint64_t file_size(const struct bootfiles *bf, const char *path)
{
        struct stat st;
        int fd;

        if (!path || bootfiles_open(bf, path, &fd, NULL) < 0)
                return 0;
        if (fstat(fd, &st) < 0)
                st.st_size = 0;
        close(fd);
        return (uint64_t)st.st_size;
}

/* What the ESP must hold, each file rounded up to 4 KiB clusters, plus room for configs. */
static uint64_t esp_bytes_needed(const struct bootchain *bc, const struct bootfiles *bf)
{
        uint64_t kernel = round_up(file_size(bf, bc->kernel), 4096);
        uint64_t initrd = round_up(file_size(bf, bc->initrd), 4096);
        uint64_t loader = round_up(file_size(bf, bc->loader), 4096);
        uint64_t slack = 1024 * 1024;

        switch (bc->mode) {
        case BOOT_SYSTEMD_BOOT:
        case BOOT_UKI:
                return kernel + initrd + loader + slack;
        case BOOT_GRUB:
                return 8 * 1024 * 1024 + slack; /* GRUB image and config; the kernel stays in the root */
        default:
                return 0;
        }
}

int bootchain_discover(const struct bootfiles *bf, const struct arch *arch,
                       const struct bootchain_options *o, struct bootchain *ret)
{
        struct bootchain bc = { .arch = arch };
        int r;

        /* The kernel first: without one that boots from UEFI nothing else matters. */
        r = find_kernel(&bc, bf, o);
        if (r >= 0)
                r = check_kernel(&bc, bf);
        if (r >= 0)
                r = choose_mode(&bc, bf, o->mode);
        if (r >= 0)
                r = find_initrd(&bc, bf, o);
        if (r >= 0 && bc.mode == BOOT_SYSTEMD_BOOT)
                r = find_loader(&bc, bf, SYSTEMD_EFI_DIR "/systemd-boot%s.efi", "systemd-boot");
        if (r >= 0 && bc.mode == BOOT_UKI)
                r = find_loader(&bc, bf, SYSTEMD_EFI_DIR "/linux%s.efi.stub", "--uki needs systemd's EFI stub");
        if (r >= 0 && bc.mode == BOOT_GRUB) {
                char dir[64];

                snprintf(dir, sizeof(dir), "usr/lib/grub/%s", arch->grub_format);
                r = bootfiles_host_path(bf, dir, &bc.grub_modules);
                if (r < 0)
                        r = log_error(-ENOENT, "GRUB: no /%s in the root file system (install %s in it)",
                                      dir, arch->grub_package);
                else
                        r = grub_check_modules(&(struct grub_request) {
                                .modules_dir = bc.grub_modules,
                                .format = arch->grub_format,
                        });
        }
        if (r < 0) {
                bootchain_free(&bc);
                return r;
        }
        read_os_release(&bc, bf);
        if (!bc.os_id || !bc.os_name) {
                bootchain_free(&bc);
                return log_error(-ENOMEM, "out of memory");
        }
        bc.esp_bytes = esp_bytes_needed(&bc, bf);
        *ret = bc;
        return 0;
}

static int add_file(struct bootchain *bc, const char *esp_path, int fd, void *data, size_t size, int64_t mtime)
{
        struct esp_file *files, *f;

        files = realloc(bc->files, (bc->n_files + 1) * sizeof(*files));
        if (!files)
                return -ENOMEM;
        bc->files = files;
        f = &files[bc->n_files];
        *f = (struct esp_file) { .path = strdup(esp_path), .fd = fd, .data = data, .size = size, .mtime = mtime };
        if (!f->path)
                return -ENOMEM;
        bc->n_files++;
        return 0;
}

/* A file of the root file system, copied to the ESP with its own time. */
static int add_root_file(struct bootchain *bc, const struct bootfiles *bf, const char *esp_path, const char *path)
{
        struct stat st;
        int fd, r;

        r = bootfiles_open(bf, path, &fd, NULL);
        if (r < 0)
                return log_error_errno(r, "cannot open /%s", path);
        if (fstat(fd, &st) < 0) {
                close(fd);
                return log_error_errno(-errno, "cannot stat /%s", path);
        }
        r = add_file(bc, esp_path, fd, NULL, 0, st.st_mtime);
        if (r < 0)
                close(fd);
        return r;
}

static int add_text(struct bootchain *bc, const char *esp_path, char *text, int64_t mtime)
{
        int r = add_file(bc, esp_path, -1, text, strlen(text), mtime);
        if (r < 0)
                free(text);
        return r;
}

static int removable_path(const struct bootchain *bc, char **ret)
{
        return asprintf(ret, "EFI/BOOT/%s", bc->arch->removable_file) < 0 ? -ENOMEM : 0;
}

static int64_t generated_time(const struct bootchain *bc, const struct bootfiles *bf, int64_t clamp_time)
{
        struct stat st;
        int fd;

        /* Generated files take the kernel's time: the same inputs give the same bytes. */
        if (bootfiles_open(bf, bc->kernel, &fd, NULL) < 0)
                return clamp_time >= 0 ? clamp_time : 0;
        if (fstat(fd, &st) < 0)
                st.st_mtime = 0;
        close(fd);
        return clamp_time >= 0 && st.st_mtime > clamp_time ? clamp_time : st.st_mtime;
}

static int open_unlinked_in(const char *dir, int *ret)
{
        int fd = open(dir, O_RDWR | O_TMPFILE | O_CLOEXEC, 0600);

        if (fd < 0)
                return -errno;
        *ret = fd;
        return 0;
}

/*
 * The kernel for systemd-boot: the root's file as it is, but for an ARM
 * zImage a copy whose PE header covers its decompressor's heap (esp/zimage.h):
 * systemd-boot loads it with LoadImage(), which allocates SizeOfImage and no
 * more. A signed zImage is left as it is: a changed copy would fail its
 * signature check under Secure Boot.
 */
static int add_kernel(struct bootchain *bc, const struct bootfiles *bf, const char *esp_path)
{
        _cleanup_close_ int in = -1;
        _cleanup_free_ char *what = NULL;
        struct zimage_heap_fix fix;
        struct stat st;
        int out = -1, r;

        r = bootfiles_open(bf, bc->kernel, &in, NULL);
        if (r < 0)
                return log_error_errno(r, "cannot open /%s", bc->kernel);
        if (asprintf(&what, "kernel /%s", bc->kernel) < 0)
                return -ENOMEM;
        r = zimage_heap_fix(in, what, &fix);
        if (r < 0)
                return r;
        if (r == 0 || fix.is_signed) {
                if (r > 0)
                        log_info("%s: a signed ARM zImage, copied unchanged: its SizeOfImage does not cover the "
                                 "%" PRIu32 " KiB its decompressor uses above it", what, fix.heap_size / 1024);
                return add_root_file(bc, bf, esp_path, bc->kernel);
        }

        if (fstat(in, &st) < 0)
                return log_error_errno(-errno, "cannot stat /%s", bc->kernel);
        r = open_unlinked_in(bf->dir, &out);
        if (r < 0)
                return log_error_errno(r, "cannot create a temporary file in %s", bf->dir);
        r = copy_range(in, 0, out, 0, (uint64_t) st.st_size);
        if (r >= 0)
                r = zimage_heap_fix_write(out, 0, &fix);
        if (r >= 0)
                r = add_file(bc, esp_path, out, NULL, 0, st.st_mtime);
        if (r < 0) {
                close(out);
                return log_error_errno(r, "cannot copy /%s", bc->kernel);
        }
        log_info("%s: an ARM zImage, whose decompressor uses %" PRIu32 " KiB above its image: its SizeOfImage "
                 "on the ESP grows to 0x%" PRIx32 " to cover them", what, fix.heap_size / 1024, fix.size_of_image);
        return 0;
}

/* Boot Loader Specification layout, as kernel-install makes it: /ID/VERSION/linux. */
static int build_systemd_boot(struct bootchain *bc, const struct bootfiles *bf, const char *cmdline, int64_t mtime)
{
        _cleanup_free_ char *boot = NULL, *dir = NULL, *linux_path = NULL, *initrd_path = NULL, *entry_path = NULL;
        char *entry = NULL, *loader_conf = NULL;
        const char *version = bc->version ? bc->version : "current";
        int r;

        if (removable_path(bc, &boot) < 0 ||
            asprintf(&dir, "%s/%s", bc->os_id, version) < 0 ||
            asprintf(&linux_path, "%s/linux", dir) < 0 ||
            asprintf(&initrd_path, "%s/initrd", dir) < 0 ||
            asprintf(&entry_path, "loader/entries/%s-%s.conf", bc->os_id, version) < 0)
                return -ENOMEM;

        r = add_root_file(bc, bf, boot, bc->loader);
        if (r >= 0)
                r = add_kernel(bc, bf, linux_path);
        if (r >= 0 && bc->initrd)
                r = add_root_file(bc, bf, initrd_path, bc->initrd);
        if (r < 0)
                return r;

        if (asprintf(&entry, "title %s\nversion %s\nlinux /%s\n%s%s%soptions %s\n",
                     bc->os_name, version, linux_path,
                     bc->initrd ? "initrd /" : "", bc->initrd ? initrd_path : "", bc->initrd ? "\n" : "",
                     cmdline) < 0)
                return -ENOMEM;
        r = add_text(bc, entry_path, entry, mtime);
        if (r < 0)
                return r;
        /*
         * One entry: boot it at once (a key held at start still shows the
         * menu), by name, and no command-line editing in an appliance.
         */
        if (asprintf(&loader_conf, "timeout 0\ndefault %s-%s.conf\neditor no\n", bc->os_id, version) < 0)
                return -ENOMEM;
        return add_text(bc, "loader/loader.conf", loader_conf, mtime);
}

static int host_path(const struct bootfiles *bf, const char *path, char **ret)
{
        if (!path) {
                *ret = NULL;
                return 0;
        }
        return asprintf(ret, "%s/%s", bf->dir, path) < 0 ? -ENOMEM : 0;
}

static int build_uki(struct bootchain *bc, const struct bootfiles *bf, const char *cmdline, int64_t mtime)
{
        _cleanup_free_ char *stub = NULL, *kernel = NULL, *initrd = NULL, *osrel = NULL, *boot = NULL;
        char *osrel_canonical = NULL;
        uint64_t size;
        int fd = -1, osfd, r;

        if (host_path(bf, bc->loader, &stub) < 0 || host_path(bf, bc->kernel, &kernel) < 0 ||
            host_path(bf, bc->initrd, &initrd) < 0 || removable_path(bc, &boot) < 0)
                return -ENOMEM;
        if (bootfiles_open(bf, "etc/os-release", &osfd, &osrel_canonical) >= 0 ||
            bootfiles_open(bf, "usr/lib/os-release", &osfd, &osrel_canonical) >= 0) {
                close(osfd);
                r = host_path(bf, osrel_canonical, &osrel);
                free(osrel_canonical);
                if (r < 0)
                        return r;
        }

        r = open_unlinked_in(bf->dir, &fd);
        if (r < 0)
                return log_error_errno(r, "cannot create a temporary file in %s", bf->dir);
        r = uki_build(&(struct uki_parts) {
                        .stub = stub,
                        .kernel = kernel,
                        .initrd = initrd,
                        .cmdline = cmdline,
                        .os_release = osrel,
                        .uname = bc->version,
                        .machine = bc->arch->pe_machine,
                        .magic = bc->arch->pe_magic,
                        .root = bf->dir,
                }, fd, &size);
        if (r < 0) {
                close(fd);
                return r;
        }
        r = add_file(bc, boot, fd, NULL, 0, mtime);
        if (r < 0)
                close(fd);
        return r;
}

static int build_grub(struct bootchain *bc, const struct bootfiles *bf, const char *fs_uuid,
                      const char *cmdline, int64_t mtime)
{
        _cleanup_free_ char *image = NULL, *kernel = NULL, *initrd = NULL, *boot = NULL;
        struct grub_request req;
        const char *cfg_path;
        char *cfg = NULL;
        int fd, r;

        if (asprintf(&image, "%s.grub.efi", bf->dir) < 0 || asprintf(&kernel, "/%s", bc->kernel) < 0 ||
            (bc->initrd && asprintf(&initrd, "/%s", bc->initrd) < 0) || removable_path(bc, &boot) < 0)
                return -ENOMEM;
        req = (struct grub_request) {
                .modules_dir = bc->grub_modules,
                .format = bc->arch->grub_format,
                .root_fs_uuid = fs_uuid,
                .kernel = kernel,
                .initrd = initrd,
                .cmdline = cmdline,
                .title = bc->os_name,
        };
        r = grub_build_image(&req, image);
        if (r < 0) {
                unlink(image);
                return r;
        }
        fd = open(image, O_RDONLY | O_CLOEXEC);
        r = fd < 0 ? -errno : 0;
        unlink(image); /* the open descriptor keeps it until the ESP has it */
        if (r < 0)
                return log_error_errno(r, "cannot read the GRUB image");
        r = add_file(bc, boot, fd, NULL, 0, mtime);
        if (r < 0) {
                close(fd);
                return r;
        }
        r = grub_config(&req, &cfg, &cfg_path);
        if (r < 0)
                return r;
        return add_text(bc, cfg_path, cfg, mtime);
}

int bootchain_build(struct bootchain *bc, const struct bootfiles *bf, const char *root_partuuid,
                    const char *root_fs_uuid, const char *extra, int64_t clamp_time)
{
        _cleanup_free_ char *cmdline = NULL, *partuuid = strdup(root_partuuid);
        int64_t mtime = generated_time(bc, bf, clamp_time);
        int r;

        if (!partuuid)
                return log_error(-ENOMEM, "out of memory");
        /* Linux matches PARTUUID without regard to case; lower case is the usual spelling. */
        for (char *p = partuuid; *p; p++)
                *p = (char)tolower((unsigned char)*p);
        if (asprintf(&cmdline, "root=PARTUUID=%s rw console=%s%s%s", partuuid, bc->arch->console,
                     extra && *extra ? " " : "", extra ? extra : "") < 0)
                return log_error(-ENOMEM, "out of memory");

        switch (bc->mode) {
        case BOOT_SYSTEMD_BOOT:
                r = build_systemd_boot(bc, bf, cmdline, mtime);
                break;
        case BOOT_UKI:
                r = build_uki(bc, bf, cmdline, mtime);
                break;
        case BOOT_GRUB:
                r = build_grub(bc, bf, root_fs_uuid, cmdline, mtime);
                break;
        default:
                r = 0;
        }
        if (r == -ENOMEM)
                return log_error(r, "out of memory");
        return r;
}

void bootchain_free(struct bootchain *bc)
{
        for (size_t i = 0; i < bc->n_files; i++) {
                if (bc->files[i].fd >= 0)
                        close(bc->files[i].fd);
                free(bc->files[i].data);
                free(bc->files[i].path);
        }
        free(bc->files);
        free(bc->kernel);
        free(bc->initrd);
        free(bc->version);
        free(bc->loader);
        free(bc->grub_modules);
        free(bc->os_id);
        free(bc->os_name);
        *bc = (struct bootchain) { 0 };
}
