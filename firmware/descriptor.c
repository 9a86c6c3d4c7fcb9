/* SPDX-License-Identifier: MIT */
#include "firmware/descriptor.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/file.h"
#include "base/log.h"
#include "base/util.h"

struct descriptor_file {
        char *name;  /* base name, the sort key */
        char *path;
};

static void descriptor_files_free(struct descriptor_file *files, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(files[i].name);
                free(files[i].path);
        }
        free(files);
}

static bool is_descriptor_name(const char *name)
{
        size_t len = strlen(name);

        return len > 5 && strcmp(name + len - 5, ".json") == 0;
}

static bool have_descriptor_named(const struct descriptor_file *files, size_t n, const char *name)
{
        for (size_t i = 0; i < n; i++)
                if (strcmp(files[i].name, name) == 0)
                        return true;
        return false;
}

/* Adds the dir/NAME.json files whose names are not taken yet by a higher-priority dir. */
static int collect_descriptors_in(const char *dir, struct descriptor_file **files, size_t *n)
{
        DIR *d;
        struct dirent *de;
        int r = 0;

        d = opendir(dir);
        if (!d)
                return errno == ENOENT || errno == ENOTDIR ? 0 : log_error_errno(-errno, "cannot read %s", dir);
        while ((de = readdir(d))) {
                struct descriptor_file *grown;
                char *path;

                if (!is_descriptor_name(de->d_name) || have_descriptor_named(*files, *n, de->d_name))
                        continue;
                if (asprintf(&path, "%s/%s", dir, de->d_name) < 0) {
                        r = log_error_errno(-ENOMEM, "cannot list %s", dir);
                        break;
                }
                grown = realloc(*files, (*n + 1) * sizeof(**files));
                if (!grown) {
                        free(path);
                        r = log_error_errno(-ENOMEM, "cannot list %s", dir);
                        break;
                }
                *files = grown;
                (*files)[*n].path = path;
                (*files)[*n].name = strdup(de->d_name);
                if (!(*files)[(*n)++].name) {
                        r = log_error_errno(-ENOMEM, "cannot list %s", dir);
                        break;
                }
        }
        closedir(d);
        return r;
}

static int compare_descriptor_names(const void *a, const void *b)
{
        return strcmp(((const struct descriptor_file *) a)->name, ((const struct descriptor_file *) b)->name);
}

static int collect_descriptors(const char *only_dir, struct descriptor_file **ret, size_t *ret_n)
{
        struct descriptor_file *files = NULL;
        _cleanup_free_ char *xdg = NULL;
        const char *dirs[3];
        size_t n = 0, n_dirs = 0;
        int r = 0;

        if (only_dir)
                dirs[n_dirs++] = only_dir;
        else {
                const char *config = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");

                if (config && *config)
                        r = asprintf(&xdg, "%s/qemu/firmware", config);
                else if (home && *home)
                        r = asprintf(&xdg, "%s/.config/qemu/firmware", home);
                if (r < 0)
                        return log_error_errno(-ENOMEM, "cannot list firmware descriptors");
                if (xdg)
                        dirs[n_dirs++] = xdg;
                dirs[n_dirs++] = "/etc/qemu/firmware";
                dirs[n_dirs++] = "/usr/share/qemu/firmware";
        }

        for (size_t i = 0; i < n_dirs; i++) {
                r = collect_descriptors_in(dirs[i], &files, &n);
                if (r < 0) {
                        descriptor_files_free(files, n);
                        return r;
                }
        }
        if (n > 0)
                qsort(files, n, sizeof(*files), compare_descriptor_names);
        *ret = files;
        *ret_n = n;
        return 0;
}

static bool json_array_has_string(json_object *array, const char *s)
{
        if (!json_object_is_type(array, json_type_array))
                return false;
        for (size_t i = 0; i < json_object_array_length(array); i++) {
                json_object *e = json_object_array_get_idx(array, i);

                if (json_object_is_type(e, json_type_string) && strcmp(json_object_get_string(e), s) == 0)
                        return true;
        }
        return false;
}

/* Machine patterns are globs over versioned names such as "virt-7.2". */
static bool machines_include_virt(json_object *machines)
{
        if (!json_object_is_type(machines, json_type_array))
                return false;
        for (size_t i = 0; i < json_object_array_length(machines); i++) {
                json_object *e = json_object_array_get_idx(machines, i);
                const char *glob;

                if (!json_object_is_type(e, json_type_string))
                        continue;
                glob = json_object_get_string(e);
                if (fnmatch(glob, "virt", 0) == 0 || fnmatch(glob, "virt-7.2", 0) == 0)
                        return true;
        }
        return false;
}

static bool targets_include(json_object *targets, const char *arch)
{
        if (!json_object_is_type(targets, json_type_array))
                return false;
        for (size_t i = 0; i < json_object_array_length(targets); i++) {
                json_object *t = json_object_array_get_idx(targets, i), *a, *m;

                if (json_object_object_get_ex(t, "architecture", &a) &&
                    json_object_is_type(a, json_type_string) &&
                    strcmp(json_object_get_string(a), arch) == 0 &&
                    json_object_object_get_ex(t, "machines", &m) &&
                    machines_include_virt(m))
                        return true;
        }
        return false;
}

static const char *mapping_filename(json_object *mapping, const char *key)
{
        json_object *o, *f, *format;

        if (!json_object_object_get_ex(mapping, key, &o) ||
            !json_object_object_get_ex(o, "filename", &f) ||
            !json_object_is_type(f, json_type_string))
                return NULL;
        /* The flash is attached as raw; qcow2 builds are for another day. */
        if (json_object_object_get_ex(o, "format", &format) &&
            (!json_object_is_type(format, json_type_string) || strcmp(json_object_get_string(format), "raw") != 0))
                return NULL;
        return json_object_get_string(f);
}

/* Returns 1 and fills ret if the descriptor fits, 0 if not. */
static int descriptor_fits(json_object *root, const char *arch, struct edk2_descriptor *ret)
{
        json_object *interfaces, *mapping, *device, *targets, *features = NULL;
        const char *code, *vars;

        if (!json_object_object_get_ex(root, "interface-types", &interfaces) ||
            !json_array_has_string(interfaces, "uefi"))
                return 0;
        if (!json_object_object_get_ex(root, "targets", &targets) || !targets_include(targets, arch))
                return 0;
        json_object_object_get_ex(root, "features", &features);
        if (json_array_has_string(features, "secure-boot") || json_array_has_string(features, "enrolled-keys") ||
            json_array_has_string(features, "requires-smm"))
                return 0;
        if (!json_object_object_get_ex(root, "mapping", &mapping) ||
            !json_object_object_get_ex(mapping, "device", &device) ||
            !json_object_is_type(device, json_type_string) ||
            strcmp(json_object_get_string(device), "flash") != 0)
                return 0;
        code = mapping_filename(mapping, "executable");
        vars = mapping_filename(mapping, "nvram-template");
        if (!code || !vars)
                return 0;
        ret->code = strdup(code);
        ret->vars_template = strdup(vars);
        if (!ret->code || !ret->vars_template)
                return log_error_errno(-ENOMEM, "cannot read firmware descriptors");
        if (json_object_is_type(features, json_type_array))
                ret->features = json_object_get(features);
        return 1;
}

/* Returns 1 and fills ret if the descriptor at path fits, 0 if not (or if it is empty). */
static int read_descriptor(const struct edk2_descriptor_query *q, const char *path, struct edk2_descriptor *ret)
{
        _cleanup_close_ int fd = -1;
        json_object *root;
        struct stat st;
        const char *why;
        int r;

        /* Not a regular file (a FIFO would hang the read): an error naming it. */
        fd = open_regular_file(path, O_RDONLY, "firmware descriptor");
        if (fd < 0)
                return fd;
        /* An empty file masks a same-named descriptor in a lower-priority dir. */
        if (fstat(fd, &st) == 0 && st.st_size == 0)
                return 0;
        /*
         * A descriptor that does not parse is an error, not a warning: it
         * sorts before whatever would match, so it may be the very one
         * meant to win, and silently booting other firmware would use the
         * wrong one.
         */
        root = json_object_from_fd(fd);
        if (!root) {
                why = json_util_get_last_err() ?: "invalid JSON";
                return log_error(-EINVAL, "firmware descriptor %s does not parse: %.*s%s%s%s", path,
                                 (int) strcspn(why, "\n"), why,
                                 q->parse_hint ? " (" : "", q->parse_hint ?: "", q->parse_hint ? ")" : "");
        }
        r = descriptor_fits(root, q->arch, ret);
        json_object_put(root);
        if (r > 0) {
                ret->path = strdup(path);
                if (!ret->path)
                        return log_error_errno(-ENOMEM, "cannot read firmware descriptors");
        }
        return r;
}

int edk2_descriptor_find(const struct edk2_descriptor_query *q, struct edk2_descriptor *ret)
{
        struct edk2_descriptor d = {};
        struct descriptor_file *files = NULL;
        size_t n = 0;
        int r;

        r = collect_descriptors(q->only_dir, &files, &n);
        if (r < 0)
                return r;

        r = 0;
        for (size_t i = 0; i < n && r == 0; i++)
                r = read_descriptor(q, files[i].path, &d);
        descriptor_files_free(files, n);
        if (r == 0)
                r = log_error(-ENOENT,
                              "no UEFI firmware for %s on QEMU virt in the firmware descriptors (%s): install the Debian package %s",
                              q->arch,
                              q->only_dir ?: "$XDG_CONFIG_HOME/qemu/firmware, /etc/qemu/firmware, /usr/share/qemu/firmware",
                              q->package);
        if (r < 0) {
                edk2_descriptor_done(&d);
                return r;
        }
        *ret = d;
        return 0;
}

void edk2_descriptor_done(struct edk2_descriptor *d)
{
        free(d->code);
        free(d->vars_template);
        free(d->path);
        json_object_put(d->features);
        *d = (struct edk2_descriptor) {};
}
