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
#include "esp/boot-method.h"
#include "esp/pe.h"
#include "esp/zimage.h"

/* The boot methods; --bootloader auto tries them in this order. */
static const struct boot_method *const methods[] = {
        &boot_systemd_boot,
        &boot_grub,
        &boot_uki,
};

const struct boot_method *boot_method_for_bootloader_arg(const char *arg)
{
        for (size_t i = 0; i < ELEMENTSOF(methods); i++)
                if (methods[i]->bootloader_arg && strcmp(arg, methods[i]->bootloader_arg) == 0)
                        return methods[i];
        return NULL;
}

const struct boot_method *boot_method_uki(void)
{
        return &boot_uki;
}

const char *boot_method_name(const struct boot_method *m)
{
        return m->name;
}

bool bootchain_exists(const struct bootfiles *bf, const char *path)
{
        int fd, r;

        r = bootfiles_open(bf, path, &fd, NULL);
        if (r < 0)
                return false;
        close(fd);
        return true;
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
                if (ret_canonical) {
                        free(*ret_canonical);
                        *ret_canonical = NULL;
                }
                return -EISDIR;
        }
        close(fd);
        return 0;
}

bool bootchain_is_leftover(const char *name)
{
        static const char *const suffixes[] = { ".old", ".bak", "~", ".rpmnew", ".rpmsave", ".orig", ".save" };
        size_t n = strlen(name);

        if (strstr(name, ".dpkg-"))
                return true;
        for (size_t i = 0; i < ELEMENTSOF(suffixes); i++) {
                size_t k = strlen(suffixes[i]);

                if (n >= k && strcmp(name + n - k, suffixes[i]) == 0)
                        return true;
        }
        return false;
}

/* The newest kernel seen so far. */
struct kernel_choice {
        char *path;
        char *version;
};

static int consider_kernel(const struct bootfiles *bf, struct kernel_choice *best, const char *path,
                           const char *version)
{
        char *p, *v;

        /* A kernel's leftovers (vmlinuz-6.1.old, a .dpkg-tmp) are never the newest. */
        if (!*version || bootchain_is_leftover(version) ||
            (best->version && strverscmp(version, best->version) <= 0) || open_regular(bf, path, NULL) < 0)
                return 0;
        p = strdup(path);
        v = strdup(version);
        if (!p || !v) {
                free(p);
                free(v);
                return -ENOMEM;
        }
        free(best->path);
        free(best->version);
        *best = (struct kernel_choice) { .path = p, .version = v };
        return 0;
}

/* Each kernel of a directory: boot/vmlinuz-VERSION, or MODULES/VERSION/vmlinuz with modules set. */
static int scan_kernels(const struct bootfiles *bf, const char *dir, bool modules, struct kernel_choice *best)
{
        struct dirent *de;
        DIR *d;
        int fd, r = 0;

        if (bootfiles_open(bf, dir, &fd, NULL) < 0)
                return 0;
        d = fdopendir(fd);
        if (!d) {
                close(fd);
                return -errno;
        }
        while (r >= 0 && (de = readdir(d))) {
                _cleanup_free_ char *path = NULL;

                if (modules ? de->d_name[0] == '.' : strncmp(de->d_name, "vmlinuz-", 8) != 0)
                        continue;
                if (modules ? asprintf(&path, "%s/%s/vmlinuz", dir, de->d_name) < 0 :
                              asprintf(&path, "%s/%s", dir, de->d_name) < 0) {
                        r = -ENOMEM;
                        break;
                }
                r = consider_kernel(bf, best, path, modules ? de->d_name : de->d_name + 8);
        }
        closedir(d);
        return r;
}

/*
 * The newest kernel by version order (as sort -V): boot/vmlinuz-VERSION,
 * or usr/lib/modules/VERSION/vmlinuz where Debian and Fedora ship it. For
 * the same version, /boot's.
 */
static int newest_kernel(const struct bootfiles *bf, char **ret)
{
        struct kernel_choice best = { 0 };
        int r;

        r = scan_kernels(bf, "boot", false, &best);
        if (r >= 0)
                r = scan_kernels(bf, "usr/lib/modules", true, &best);
        if (r >= 0)
                r = scan_kernels(bf, "lib/modules", true, &best);
        free(best.version);
        if (r >= 0 && !best.path)
                r = -ENOENT;
        if (r < 0) {
                free(best.path);
                return r;
        }
        *ret = best.path;
        return 0;
}

static const char *strip_slash(const char *p)
{
        while (*p == '/')
                p++;
        return p;
}

/* The version a kernel's path says: boot/vmlinuz-VERSION, .../modules/VERSION/vmlinuz; or NULL. */
static int kernel_version(const char *path, char **ret)
{
        const char *base = strrchr(path, '/'), *dir;

        base = base ? base + 1 : path;
        *ret = NULL;
        if (strncmp(base, "vmlinuz-", 8) == 0 && base[8])
                *ret = strdup(base + 8);
        else if (strcmp(base, "vmlinuz") == 0 && base - path >= 2) {
                /* dir: the component before "vmlinuz"; it must sit in a modules directory. */
                dir = base - 1;
                while (dir > path && dir[-1] != '/')
                        dir--;
                if (dir - path >= 8 && strncmp(dir - 8, "modules/", 8) == 0 && base - 1 > dir)
                        *ret = strndup(dir, (size_t)(base - 1 - dir));
                else
                        return 0;
        } else
                return 0;
        return *ret ? 0 : -ENOMEM;
}

static int find_kernel(struct bootchain *bc, const struct bootfiles *bf, const struct bootchain_options *o)
{
        _cleanup_free_ char *candidate = NULL;
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
                if (r == -ENOMEM)
                        return log_error(r, "out of memory");
                if (r < 0)
                        return log_error(-ENOENT, "no kernel in the root file system: looked for boot/vmlinuz and boot/vmlinuz-VERSION (and usr/lib/modules/VERSION/vmlinuz); give --kernel PATH");
        }
        return kernel_version(bc->kernel, &bc->version);
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

/* The initrd beside a kernel of VERSION: the kernel's own directory's
 * (usr/lib/modules/VERSION/initrd), Debian's, Fedora's. */
static int find_initrd(struct bootchain *bc, const struct bootfiles *bf, const struct bootchain_options *o)
{
        const char *slash = strrchr(bc->kernel, '/');
        int dir_len = slash ? (int)(slash - bc->kernel) : 0;

        if (o->initrd) {
                int r = open_regular(bf, strip_slash(o->initrd), &bc->initrd);
                return r < 0 ? log_error_errno(r, "--initrd %s: not a file in the root file system", o->initrd) : 0;
        }
        if (bc->version) {
                _cleanup_free_ char *own = NULL, *debian = NULL, *fedora = NULL;
                /* The kernel's own directory only for a kernel in its modules directory. */
                bool in_modules = strcmp(slash ? slash + 1 : bc->kernel, "vmlinuz") == 0;

                if ((in_modules && asprintf(&own, "%.*s/initrd", dir_len, bc->kernel) < 0) ||
                    asprintf(&debian, "boot/initrd.img-%s", bc->version) < 0 ||
                    asprintf(&fedora, "boot/initramfs-%s.img", bc->version) < 0)
                        return -ENOMEM;
                if ((own && open_regular(bf, own, &bc->initrd) >= 0) || open_regular(bf, debian, &bc->initrd) >= 0 ||
                    open_regular(bf, fedora, &bc->initrd) >= 0)
                        return 0;
        }
        if (!o->kernel && open_regular(bf, "boot/initrd.img", &bc->initrd) >= 0)
                return 0;
        return 0; /* an initrd is optional */
}

int bootchain_find_loader(struct bootchain *bc, const struct bootfiles *bf, const char *fmt, const char *what)
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

/* Append sep (unless buf is empty) and text to buf; what does not fit is cut. */
static void append(char *buf, size_t size, const char *sep, const char *text)
{
        size_t used = strlen(buf);

        snprintf(buf + used, size - used, "%s%s", used ? sep : "", text);
}

/* The method asked for; for auto, the first of the table whose pieces ROOTFS carries. */
static int choose_method(struct bootchain *bc, const struct bootfiles *bf, const struct bootchain_options *o)
{
        char looked[512] = "", hints[256] = "", path[128];

        if (o->choice == BOOT_METHOD) {
                bc->method = o->method;
                return 0;
        }
        for (size_t i = 0; i < ELEMENTSOF(methods); i++) {
                if (!methods[i]->present)
                        continue;
                if (methods[i]->present(bc, bf)) {
                        bc->method = methods[i];
                        return 0;
                }
                path[0] = '/';
                methods[i]->looks_for(bc->arch, path + 1, sizeof(path) - 1);
                append(looked, sizeof(looked), " and ", path);
                append(hints, sizeof(hints), " or ", methods[i]->install_hint);
        }
        return log_error(-ENOENT, "no bootloader in the root file system: looked for %s; install %s in it, or give --bootloader FILE or --uki",
                         looked, hints);
}

static bool utf8_valid(const unsigned char *s)
{
        while (*s) {
                size_t len = *s < 0x80 ? 1 : (*s & 0xE0) == 0xC0 ? 2 : (*s & 0xF0) == 0xE0 ? 3 :
                             (*s & 0xF8) == 0xF0 ? 4 : 0;
                uint32_t v = len == 1 ? *s : len == 2 ? *s & 0x1Fu : len == 3 ? *s & 0x0Fu : *s & 0x07u;
                static const uint32_t min[] = { 0, 0, 0x80, 0x800, 0x10000 };

                if (len == 0)
                        return false;
                for (size_t i = 1; i < len; i++) {
                        if ((s[i] & 0xC0) != 0x80)
                                return false;
                        v = v << 6 | (s[i] & 0x3Fu);
                }
                if (v < min[len] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
                        return false;
                s += len;
        }
        return true;
}

/* os-release is short; it is read this far and no further. */
#define OS_RELEASE_MAX_BYTES (64 * 1024)

/* One KEY=value line of os-release into *dst, unquoted (the first one wins). */
static int take_value(const char *path, unsigned line_no, char *line, char **dst)
{
        char *v = strchr(line, '=') + 1, *end;

        if (*dst)
                return 0;
        v[strcspn(v, "\n")] = '\0';
        if (*v == '"' || *v == '\'') {
                end = strrchr(v + 1, *v);
                if (end)
                        *end = '\0';
                v++;
        }
        if (!utf8_valid((const unsigned char *)v))
                return log_error(-EINVAL, "/%s, line %u: %.*s is not valid UTF-8: fix it in ROOTFS", path, line_no,
                                 (int)strcspn(line, "="), line);
        *dst = strdup(v);
        return *dst ? 0 : -ENOMEM;
}

/*
 * PRETTY_NAME and ID from os-release, for titles and the entry's name.
 * Bounded: a line longer than the buffer is skipped whole (its tail is no
 * line of its own), and the file is read no further than OS_RELEASE_MAX_BYTES.
 */
static int read_os_release(struct bootchain *bc, const struct bootfiles *bf)
{
        static const char *const paths[] = { "etc/os-release", "usr/lib/os-release" };
        const char *path = NULL;
        bool line_start = true;
        unsigned line_no = 0;
        size_t total = 0;
        char line[512];
        FILE *f = NULL;
        int fd, r = 0;

        for (size_t i = 0; !f && i < ELEMENTSOF(paths); i++)
                if (bootfiles_open(bf, paths[i], &fd, NULL) >= 0) {
                        path = paths[i];
                        f = fdopen(fd, "re");
                        if (!f)
                                close(fd);
                }
        while (r >= 0 && f && total < OS_RELEASE_MAX_BYTES && fgets(line, sizeof(line), f)) {
                bool at_start = line_start;

                total += strlen(line);
                line_start = strchr(line, '\n') != NULL;
                line_no += at_start;
                if (!at_start)
                        continue;
                if (strncmp(line, "PRETTY_NAME=", 12) == 0)
                        r = take_value(path, line_no, line, &bc->os_name);
                else if (strncmp(line, "ID=", 3) == 0)
                        r = take_value(path, line_no, line, &bc->os_id);
        }
        if (f)
                fclose(f);
        if (r < 0)
                return r;
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
        return bc->os_id && bc->os_name ? 0 : -ENOMEM;
}

/* A boot entry takes the command line as one line of text: a newline would add directives. */
static int check_cmdline(const char *cmdline)
{
        for (const char *c = cmdline; c && *c; c++)
                if (iscntrl((unsigned char)*c))
                        return log_error(-EINVAL, "--cmdline holds a control character (0x%02x at byte %zu): "
                                         "the kernel command line is one line of printable text",
                                         (unsigned char)*c, (size_t)(c - cmdline));
        return 0;
}

uint64_t bootchain_file_bytes(const struct bootfiles *bf, const char *path)
{
        struct stat st;
        int fd;

        if (!path || bootfiles_open(bf, path, &fd, NULL) < 0)
                return 0;
        if (fstat(fd, &st) < 0)
                st.st_size = 0;
        close(fd);
        return round_up((uint64_t)st.st_size, 4096);
}

uint64_t bootchain_copied_files_bytes(const struct bootchain *bc, const struct bootfiles *bf)
{
        return bootchain_file_bytes(bf, bc->kernel) + bootchain_file_bytes(bf, bc->initrd) +
               bootchain_file_bytes(bf, bc->loader) + ESP_SLACK;
}

int bootchain_discover(const struct bootfiles *bf, const struct arch *arch, const struct fs_handler *root_fs,
                       const struct bootchain_options *o, struct bootchain *ret)
{
        struct bootchain bc = { .arch = arch, .root_fs = root_fs };
        int r;

        r = check_cmdline(o->cmdline);
        if (r < 0)
                return r;
        /* The kernel first: without one that boots from UEFI nothing else matters. */
        r = find_kernel(&bc, bf, o);
        if (r >= 0)
                r = check_kernel(&bc, bf);
        if (r >= 0)
                r = choose_method(&bc, bf, o);
        if (r >= 0)
                r = find_initrd(&bc, bf, o);
        if (r >= 0)
                r = bc.method->discover(&bc, bf);
        if (r < 0) {
                bootchain_free(&bc);
                return r;
        }
        r = read_os_release(&bc, bf);
        if (r < 0) {
                bootchain_free(&bc);
                return r == -ENOMEM ? log_error(r, "out of memory") : r;
        }
        bc.esp_bytes = bc.method->esp_bytes(&bc, bf);
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
int bootchain_add_root_file(struct bootchain *bc, const struct bootfiles *bf, const char *esp_path, const char *path)
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

int bootchain_add_fd(struct bootchain *bc, const char *esp_path, int fd, int64_t mtime)
{
        int r = add_file(bc, esp_path, fd, NULL, 0, mtime);
        if (r < 0)
                close(fd);
        return r;
}

int bootchain_add_text(struct bootchain *bc, const char *esp_path, char *text, int64_t mtime)
{
        int r = add_file(bc, esp_path, -1, text, strlen(text), mtime);
        if (r < 0)
                free(text);
        return r;
}

int bootchain_removable_path(const struct bootchain *bc, char **ret)
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

int bootchain_open_tmpfile(const struct bootfiles *bf, int *ret)
{
        int fd = open(bf->dir, O_RDWR | O_TMPFILE | O_CLOEXEC, 0600);

        if (fd < 0)
                return log_error_errno(-errno, "cannot create a temporary file in %s", bf->dir);
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
int bootchain_add_kernel(struct bootchain *bc, const struct bootfiles *bf, const char *esp_path)
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
                return bootchain_add_root_file(bc, bf, esp_path, bc->kernel);
        }

        if (fstat(in, &st) < 0)
                return log_error_errno(-errno, "cannot stat /%s", bc->kernel);
        r = bootchain_open_tmpfile(bf, &out);
        if (r < 0)
                return r;
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

int bootchain_host_path(const struct bootfiles *bf, const char *path, char **ret)
{
        if (!path) {
                *ret = NULL;
                return 0;
        }
        return asprintf(ret, "%s/%s", bf->root, path) < 0 ? -ENOMEM : 0;
}

int bootchain_build(struct bootchain *bc, const struct bootfiles *bf, const struct boot_root *root,
                    const char *extra, int64_t clamp_time)
{
        _cleanup_free_ char *cmdline = NULL, *partuuid = strdup(root->partuuid);
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

        r = bc->method->build(bc, bf, root, cmdline, mtime);
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
