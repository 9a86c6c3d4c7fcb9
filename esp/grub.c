/* SPDX-License-Identifier: MIT */
#include "esp/grub.h"

#include <ctype.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "base/spawn.h"
#include "base/util.h"

/*
 * Built into the image, so that neither the early config nor grub.cfg ever
 * needs insmod (the ESP holds no module directory). Beyond what booting
 * needs: part_msdos, test, sleep, echo, ls, cat, halt, reboot keep an edited
 * grub.cfg and GRUB's shell useful.
 */
static const char *const grub_modules[] = {
        "part_gpt", "part_msdos", "fat",
        "search", "search_fs_uuid", "normal", "configfile",
        "linux", "gzio", "echo", "test", "sleep", "ls", "cat", "halt", "reboot",
};
/* Where the root file system's module goes: after the ESP's, as it always has. */
#define ROOT_MODULE_AT 3
#define MAX_MODULES (ELEMENTSOF(grub_modules) + 1)

/* The image's modules: grub_modules and the one reading the root's file system. */
static size_t modules_for(const struct grub_request *r, const char *ret[MAX_MODULES])
{
        size_t n = 0;

        for (size_t i = 0; i < ELEMENTSOF(grub_modules); i++) {
                if (i == ROOT_MODULE_AT && r->root_module)
                        ret[n++] = r->root_module;
                if (!r->root_module || strcmp(grub_modules[i], r->root_module) != 0)
                        ret[n++] = grub_modules[i];
        }
        return n;
}

/* What grub-mkimage reads from the module directory besides the modules. */
static const char *const grub_support_files[] = { "kernel.img", "moddep.lst", "modinfo.sh" };

/*
 * The formats mkvmimage builds, with what their ELF modules look like:
 * grub-mkimage copies modules into the image without looking at them, so a
 * damaged one or one of another arch would only fail at boot time.
 */
static const struct grub_format {
        const char *name;
        const char *package;     /* Debian package shipping the modules */
        unsigned char elf_class; /* EI_CLASS */
        uint16_t elf_machine;    /* e_machine */
} grub_formats[] = {
        { "arm64-efi", "grub-efi-arm64-bin", ELFCLASS64, EM_AARCH64 },
        { "arm-efi",   "grub-efi-arm-bin",   ELFCLASS32, EM_ARM },
};

static const struct grub_format *grub_format_find(const char *name)
{
        for (size_t i = 0; i < ELEMENTSOF(grub_formats); i++)
                if (strcmp(grub_formats[i].name, name) == 0)
                        return &grub_formats[i];
        return NULL;
}

static bool uuid_is_valid(const char *s)
{
        if (!s || strlen(s) != 36)
                return false;
        for (size_t i = 0; i < 36; i++) {
                bool dash = i == 8 || i == 13 || i == 18 || i == 23;

                if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
                        return false;
        }
        return true;
}

/* GRUB compares UUIDs ignoring case; lower case is how blkid and GRUB's ls
 * print them, so the configs read like the tools' output. */
static void lowercase_uuid(char dst[static 37], const char *uuid)
{
        for (size_t i = 0; i < 36; i++)
                dst[i] = (char)tolower((unsigned char)uuid[i]);
        dst[36] = '\0';
}

static bool has_control_chars(const char *s)
{
        for (; *s; s++)
                if (iscntrl((unsigned char)*s))
                        return true;
        return false;
}

/* How messages name the module directory. */
static const char *shown_dir(const struct grub_request *r)
{
        return r->modules_name ? r->modules_name : r->modules_dir;
}

/* Lines of modinfo.sh that could matter are short; it is read this far and no further. */
#define MODINFO_MAX_BYTES (64 * 1024)

/*
 * modinfo.sh says which format a module directory was built for
 * (grub_modinfo_target_cpu=arm64, grub_modinfo_platform=efi): reading it
 * tells "the arm-efi modules given for arm64-efi" apart from "no modules".
 * Bounded: an over-long line is skipped whole, and the file read no
 * further than MODINFO_MAX_BYTES.
 */
static int read_modinfo_format(const struct grub_request *r, char **ret)
{
        _cleanup_free_ char *path = NULL, *cpu = NULL, *platform = NULL;
        _cleanup_fclose_ FILE *f = NULL;
        bool line_start = true;
        size_t total = 0;
        char line[256];

        if (asprintf(&path, "%s/modinfo.sh", r->modules_dir) < 0)
                return -ENOMEM;
        f = fopen(path, "re");
        if (!f)
                return log_error_errno(-errno, "GRUB module directory %s: cannot read modinfo.sh", shown_dir(r));
        while (total < MODINFO_MAX_BYTES && fgets(line, sizeof(line), f)) {
                bool at_start = line_start;
                char **field = NULL;
                const char *value;

                total += strlen(line);
                line_start = strchr(line, '\n') != NULL;
                if (!at_start)
                        continue;
                if (strncmp(line, "grub_modinfo_target_cpu=", 24) == 0)
                        field = &cpu, value = line + 24;
                else if (strncmp(line, "grub_modinfo_platform=", 22) == 0)
                        field = &platform, value = line + 22;
                else
                        continue;
                free(*field);
                *field = strndup(value, strcspn(value, "\r\n"));
                if (!*field)
                        return -ENOMEM;
        }
        if (ferror(f))
                return log_error(-EIO, "GRUB module directory %s: cannot read modinfo.sh", shown_dir(r));
        if (!cpu || !platform)
                return log_error(-EINVAL, "GRUB module directory %s: modinfo.sh names no target CPU and platform",
                                 shown_dir(r));
        if (asprintf(ret, "%s-%s", cpu, platform) < 0)
                return -ENOMEM;
        return 0;
}

static int check_format_matches(const struct grub_request *r, const struct grub_format *fmt)
{
        _cleanup_free_ char *found = NULL;
        int k;

        k = read_modinfo_format(r, &found);
        if (k < 0)
                return k;
        if (strcmp(found, fmt->name) != 0)
                return log_error(-EINVAL, "GRUB module directory %s holds %s modules, expected %s (package %s)",
                                 shown_dir(r), found, fmt->name, fmt->package);
        return 0;
}

/* An ELF file of the format's class and machine, little-endian (as both
 * supported formats are), long enough to hold its ELF header. */
static int check_elf_file(const struct grub_request *r, const char *name, const struct grub_format *fmt)
{
        _cleanup_free_ char *path = NULL, *shown = NULL;
        _cleanup_close_ int fd = -EBADF;
        unsigned char ident[EI_NIDENT + 4];
        uint16_t machine;
        struct stat st;
        int k;

        if (asprintf(&path, "%s/%s", r->modules_dir, name) < 0 || asprintf(&shown, "%s/%s", shown_dir(r), name) < 0)
                return -ENOMEM;
        fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
                return log_error_errno(-errno, "GRUB module %s", shown);
        if (fstat(fd, &st) < 0)
                return log_error_errno(-errno, "GRUB module %s", shown);
        if (!S_ISREG(st.st_mode))
                return log_error(-EINVAL, "GRUB module %s is not a regular file", shown);
        k = pread_all(fd, ident, sizeof(ident), 0);
        if (k == -EIO || (k >= 0 && (uint64_t)st.st_size <
                          (fmt->elf_class == ELFCLASS64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr))))
                return log_error(-EINVAL, "GRUB module %s is truncated", shown);
        if (k < 0)
                return log_error_errno(k, "cannot read GRUB module %s", shown);
        machine = (uint16_t)(ident[EI_NIDENT + 2] | ident[EI_NIDENT + 3] << 8);
        if (memcmp(ident, ELFMAG, SELFMAG) != 0 || ident[EI_DATA] != ELFDATA2LSB)
                return log_error(-EINVAL, "GRUB module %s is not a little-endian ELF file", shown);
        if (ident[EI_CLASS] != fmt->elf_class || machine != fmt->elf_machine)
                return log_error(-EINVAL, "GRUB module %s is not built for %s (ELF class %u, machine %u)",
                                 shown, fmt->name, ident[EI_CLASS], machine);
        return 0;
}

/* Appends " name" to *list for each missing file; returns how many. */
static int collect_missing(const char *dir, const char *const names[], size_t n, const char *suffix,
                           char **list)
{
        int missing = 0;

        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *path = NULL;
                char *longer;

                if (asprintf(&path, "%s/%s%s", dir, names[i], suffix) < 0)
                        return -ENOMEM;
                if (access(path, R_OK) == 0)
                        continue;
                if (asprintf(&longer, "%s %s%s", *list ? *list : "", names[i], suffix) < 0)
                        return -ENOMEM;
                free(*list);
                *list = longer;
                missing++;
        }
        return missing;
}

int grub_check_modules(const struct grub_request *r)
{
        _cleanup_free_ char *missing = NULL;
        const char *modules[MAX_MODULES];
        const struct grub_format *fmt;
        size_t n_modules = modules_for(r, modules);
        struct stat st;
        int k, n;

        if (!r->modules_dir || !r->format)
                return log_error(-EINVAL, "GRUB: no module directory or format given");
        if (stat(r->modules_dir, &st) < 0)
                return log_error_errno(-errno, "GRUB module directory %s", shown_dir(r));
        if (!S_ISDIR(st.st_mode))
                return log_error(-ENOTDIR, "GRUB module directory %s is not a directory", shown_dir(r));

        fmt = grub_format_find(r->format);
        if (!fmt)
                return log_error(-EINVAL, "GRUB format %s is not supported (arm64-efi, arm-efi)", r->format);
        k = check_format_matches(r, fmt);
        if (k < 0)
                return k;

        n = collect_missing(r->modules_dir, grub_support_files, ELEMENTSOF(grub_support_files), "", &missing);
        if (n < 0)
                return n;
        k = collect_missing(r->modules_dir, modules, n_modules, ".mod", &missing);
        if (k < 0)
                return k;
        if (n + k > 0)
                return log_error(-ENOENT, "GRUB module directory %s lacks%s", shown_dir(r), missing);

        k = check_elf_file(r, "kernel.img", fmt);
        for (size_t i = 0; k >= 0 && i < n_modules; i++) {
                _cleanup_free_ char *name = NULL;

                if (asprintf(&name, "%s.mod", modules[i]) < 0)
                        return -ENOMEM;
                k = check_elf_file(r, name, fmt);
        }
        return k < 0 ? k : 0;
}

/* A new file dir/name, never an existing one or a symlink's target. */
static int create_new(const char *dir, const char *name, char **ret_path, int *ret_fd)
{
        _cleanup_free_ char *path = NULL;
        int fd;

        if (asprintf(&path, "%s/%s", dir, name) < 0)
                return -ENOMEM;
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return log_error_errno(-errno, "cannot create %s", path);
        *ret_fd = fd;
        *ret_path = path;
        path = NULL;
        return 0;
}

/* The config grub-mkimage embeds, in dir; see grub.h for why it looks like this. */
static int write_early_config(const struct grub_request *r, const char *dir, char **ret_path)
{
        _cleanup_free_ char *path = NULL, *text = NULL;
        _cleanup_close_ int fd = -EBADF;
        char uuid[37];
        int k;

        lowercase_uuid(uuid, r->root_fs_uuid);
        /* GRUB runs this with its rescue parser (normal.mod is not active
         * yet): one plain command a line, no comments, no if. */
        if (asprintf(&text,
                     "search --no-floppy --fs-uuid --set=root %s\n"
                     "configfile $cmdpath/grub.cfg\n",
                     uuid) < 0)
                return -ENOMEM;
        k = create_new(dir, "grub-early.cfg", &path, &fd);
        if (k < 0)
                return k;
        k = pwrite_all(fd, text, strlen(text), 0);
        if (k < 0) {
                unlink(path);
                return log_error_errno(k, "cannot write %s", path);
        }
        *ret_path = path;
        path = NULL;
        return 0;
}

int grub_build_image(const struct grub_request *r, const char *dir, int *ret_fd)
{
        _cleanup_free_ char *early = NULL, *out_path = NULL;
        int fd, k;

        if (!uuid_is_valid(r->root_fs_uuid))
                return log_error(-EINVAL, "GRUB: root file-system UUID '%s' is not a UUID",
                                 r->root_fs_uuid ? r->root_fs_uuid : "(none)");
        k = grub_check_modules(r);
        if (k < 0)
                return k;

        k = write_early_config(r, dir, &early);
        if (k < 0)
                return k;
        /* Made here first, so that grub-mkimage writes a file of ours. */
        k = create_new(dir, "grub.efi", &out_path, &fd);
        if (k < 0) {
                unlink(early);
                return k;
        }
        close(fd);

        /* The prefix only matters for insmod, which nothing needs (every
         * module is built in); GRUB puts the ESP's device in front of it. */
        const char *argv[11 + MAX_MODULES + 1] = {
                "grub-mkimage", "--format", r->format, "--directory", r->modules_dir,
                "--prefix", "/EFI/BOOT", "--config", early, "--output", out_path,
        };
        modules_for(r, argv + 11);

        /* spawn_tool() logs: a missing grub-mkimage with its package, a
         * failure with grub-mkimage's own words. */
        k = spawn_tool(argv, NULL, GRUB_MKIMAGE_PACKAGE);
        unlink(early);
        fd = k < 0 ? -1 : open(out_path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (k >= 0 && fd < 0)
                k = log_error_errno(-errno, "cannot read the GRUB image %s", out_path);
        /* The open descriptor keeps it until the ESP has it. */
        unlink(out_path);
        if (k < 0)
                return k;
        *ret_fd = fd;
        return 0;
}

/* Characters GRUB's script parser takes literally outside quotes. */
static bool is_bare_word(const char *w)
{
        if (!*w)
                return false;
        for (; *w; w++)
                if (!isalnum((unsigned char)*w) && !strchr("-_.,:=/+@%", *w))
                        return false;
        return true;
}

/* w holds no ' (checked by the caller): single quotes keep it literal. */
static void put_word(FILE *f, const char *w)
{
        fputc(' ', f);
        if (is_bare_word(w))
                fputs(w, f);
        else
                fprintf(f, "'%s'", w);
}

/* Anything goes in a title: ' becomes '\'', control characters a blank. */
static void put_title(FILE *f, const char *title)
{
        fputc('\'', f);
        for (const char *c = title; *c; c++) {
                if (*c == '\'')
                        fputs("'\\''", f);
                else
                        fputc(iscntrl((unsigned char)*c) ? ' ' : *c, f);
        }
        fputc('\'', f);
}

static int check_path_in_root(const char *what, const char *path)
{
        if (!path || path[0] != '/')
                return log_error(-EINVAL, "GRUB: %s path '%s' is not absolute inside the root", what,
                                 path ? path : "(none)");
        if (has_control_chars(path) || strchr(path, '\''))
                return log_error(-EINVAL, "GRUB: %s path '%s' holds a quote or control character", what, path);
        return 0;
}

/*
 * Write the command line as GRUB words, split as the kernel splits it:
 * blanks separate words except inside double quotes, which are dropped.
 * GRUB joins the words again and wraps one holding a blank in double
 * quotes, so foo="a b" reaches the kernel as "foo=a b": the same parameter.
 */
static int put_cmdline(FILE *f, const char *cmdline)
{
        _cleanup_free_ char *word = malloc(strlen(cmdline) + 1);
        bool quoted = false;
        size_t len = 0;

        if (!word)
                return -ENOMEM;
        if (has_control_chars(cmdline))
                return log_error(-EINVAL, "GRUB: kernel command line holds a control character");
        if (strpbrk(cmdline, "'\\"))
                return log_error(-EINVAL, "GRUB: kernel command line '%s' holds ' or \\: GRUB 2.06 "
                                 "escapes them with a backslash and the kernel would not see them as written",
                                 cmdline);
        for (const char *c = cmdline;; c++) {
                if (*c == '"') {
                        quoted = !quoted;
                        continue;
                }
                if (*c && (quoted || !isspace((unsigned char)*c))) {
                        word[len++] = *c;
                        continue;
                }
                if (len > 0) {
                        word[len] = '\0';
                        put_word(f, word);
                        len = 0;
                }
                if (!*c)
                        break;
        }
        if (quoted)
                return log_error(-EINVAL, "GRUB: kernel command line '%s' has an unbalanced \"", cmdline);
        return 0;
}

int grub_config(const struct grub_request *r, char **ret_text, const char **ret_esp_path)
{
        _cleanup_free_ char *text = NULL;
        size_t size = 0;
        char uuid[37];
        FILE *f;
        int k;

        if (!uuid_is_valid(r->root_fs_uuid))
                return log_error(-EINVAL, "GRUB: root file-system UUID '%s' is not a UUID",
                                 r->root_fs_uuid ? r->root_fs_uuid : "(none)");
        k = check_path_in_root("kernel", r->kernel);
        if (k < 0)
                return k;
        if (r->initrd) {
                k = check_path_in_root("initrd", r->initrd);
                if (k < 0)
                        return k;
        }
        lowercase_uuid(uuid, r->root_fs_uuid);

        f = open_memstream(&text, &size);
        if (!f)
                return -ENOMEM;
        fprintf(f,
                "# Written by mkvmimage. $root is the root file system (ext4 UUID %s),\n"
                "# found by the config built into the GRUB image beside this file.\n"
                "set timeout=0\n"
                "set default=0\n"
                "\n"
                "menuentry ",
                uuid);
        put_title(f, r->title && *r->title ? r->title : "Linux");
        fputs(" {\n        linux", f);
        put_word(f, r->kernel);
        k = put_cmdline(f, r->cmdline ? r->cmdline : "");
        fputc('\n', f);
        if (r->initrd) {
                fputs("        initrd", f);
                put_word(f, r->initrd);
                fputc('\n', f);
        }
        fputs("}\n", f);
        if (fclose(f) != 0 && k >= 0)
                k = -ENOMEM;
        if (k < 0)
                return k;

        *ret_text = text;
        text = NULL;
        *ret_esp_path = GRUB_CONFIG_ESP_PATH;
        return 0;
}
