/* SPDX-License-Identifier: MIT */
#include "mkimage/layout.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <ini.h>

#include "base/datadir.h"
#include "base/log.h"
#include "base/size.h"
#include "base/util.h"

/* Parser state: inih reports the first failing line; we keep the why. */
struct parse_state {
        struct layout *layout;
        FILE *file;
        unsigned line;          /* counted by our reader, one call per line */
        char error[256];
        unsigned error_line;    /* set when the reader found the error */
        bool in_disk;
        struct layout_partition *current;
};

static const struct {
        const char *name;
        enum part_kind kind;
        const struct fs_handler *default_fs;
} kinds[] = {
        { "esp", PART_ESP, &fs_vfat },
        { "root", PART_ROOT, &fs_ext4 },
        { "varstore", PART_VARSTORE, NULL },
        { "linux", PART_LINUX, NULL },
};

const char *part_kind_name(enum part_kind k)
{
        for (size_t i = 0; i < ELEMENTSOF(kinds); i++)
                if (kinds[i].kind == k)
                        return kinds[i].name;
        return "custom";
}

const char *part_fs_name(const struct fs_handler *fs)
{
        return fs ? fs->name : "none";
}

static int fail(struct parse_state *st, const char *fmt, const char *a, const char *b)
{
        snprintf(st->error, sizeof(st->error), fmt, a, b);
        return 0; /* tells inih this line failed */
}

static int parse_type(struct parse_state *st, struct layout_partition *p, const char *value)
{
        for (size_t i = 0; i < ELEMENTSOF(kinds); i++)
                if (strcasecmp(value, kinds[i].name) == 0) {
                        p->kind = kinds[i].kind;
                        if (!p->fs_set)
                                p->fs = kinds[i].default_fs;
                        return 1;
                }
        if (guid_parse(value, &p->type) == 0) {
                p->kind = PART_OTHER;
                return 1;
        }
        return fail(st, "type: '%s' is not esp, root, varstore, linux or a GUID%s", value, "");
}

static int parse_partition_size(struct parse_state *st, struct layout_partition *p, const char *value)
{
        int r;

        if (strcasecmp(value, "auto") == 0) {
                p->size_mode = SIZE_AUTO;
                return 1;
        }
        if (strcasecmp(value, "rest") == 0) {
                p->size_mode = SIZE_REST;
                return 1;
        }
        r = parse_size(value, &p->size);
        if (r == -ERANGE || (r >= 0 && p->size > SIZE_IMAGE_MAX))
                return fail(st, "partition '%s': size %s is too large: an image file holds at most 8 EiB", p->name, value);
        if (r < 0 || p->size == 0)
                return fail(st, "size: '%s' is not a size (e.g. 256MiB), 'auto' or 'rest'%s", value, "");
        p->size_mode = SIZE_FIXED;
        return 1;
}

static int parse_fs(struct parse_state *st, struct layout_partition *p, const char *value)
{
        char names[128];

        p->fs = fs_find(value);
        if (p->fs || strcasecmp(value, "none") == 0) {
                p->fs_set = true;
                return 1;
        }
        return fail(st, "fs: '%s' is not %s or none", value, fs_names(false, names, sizeof(names)));
}

static int set_string(char **dst, const char *value)
{
        free(*dst);
        *dst = strdup(value);
        return *dst ? 1 : 0;
}

static int handle_partition_key(struct parse_state *st, const char *key, const char *value)
{
        struct layout_partition *p = st->current;

        if (strcmp(key, "type") == 0)
                return parse_type(st, p, value);
        if (strcmp(key, "size") == 0)
                return parse_partition_size(st, p, value);
        if (strcmp(key, "fs") == 0)
                return parse_fs(st, p, value);
        if (strcmp(key, "label") == 0)
                return set_string(&p->label, value);
        if (strcmp(key, "uuid") == 0) {
                if (guid_parse(value, &p->uuid) < 0)
                        return fail(st, "uuid: '%s' is not a GUID%s", value, "");
                p->uuid_set = true;
                return 1;
        }
        return fail(st, "unknown key '%s' in a partition section (known: type, size, fs, label, uuid)%s", key, "");
}

static int handle_disk_key(struct parse_state *st, const char *key, const char *value)
{
        struct layout *l = st->layout;
        int r;

        if (strcmp(key, "size") != 0)
                return fail(st, "unknown key '%s' in [disk] (known: size)%s", key, "");
        l->disk_size_set = true;
        if (strcasecmp(value, "auto") == 0) {
                l->disk_size = 0;
                return 1;
        }
        r = parse_size(value, &l->disk_size);
        if (r == -ERANGE || (r >= 0 && l->disk_size > SIZE_IMAGE_MAX))
                return fail(st, "disk size %s is too large: an image file holds at most 8 EiB%s", value, "");
        if (r < 0 || l->disk_size == 0)
                return fail(st, "size: '%s' is not a size (e.g. 2GiB) or 'auto'%s", value, "");
        return 1;
}

static int start_partition(struct parse_state *st, const char *name)
{
        struct layout *l = st->layout;
        struct layout_partition *parts, *p;

        if (*name == '\0')
                return fail(st, "[partition] needs a name, e.g. [partition ESP]%s%s", "", "");
        if (strlen(name) > 36)
                return fail(st, "partition name '%s' is longer than GPT's 36 characters%s", name, "");
        for (size_t i = 0; i < l->n_parts; i++)
                if (strcmp(l->parts[i].name, name) == 0)
                        return fail(st, "partition '%s' is defined twice%s", name, "");

        parts = realloc(l->parts, (l->n_parts + 1) * sizeof(*parts));
        if (!parts)
                return 0;
        l->parts = parts;
        p = &parts[l->n_parts++];
        *p = (struct layout_partition) {
                .name = strdup(name),
                .line = st->line,
                .kind = PART_LINUX,
                .size_mode = SIZE_AUTO,
        };
        st->current = p;
        return p->name ? 1 : 0;
}

static int start_section(struct parse_state *st, const char *section)
{
        st->in_disk = false;
        st->current = NULL;
        if (strcmp(section, "disk") == 0) {
                st->in_disk = true;
                return 1;
        }
        if (strncmp(section, "partition", 9) == 0 && (section[9] == ' ' || section[9] == '\0')) {
                const char *name = section + 9;
                while (*name == ' ')
                        name++;
                return start_partition(st, name);
        }
        return fail(st, "unknown section [%s] (known: [disk], [partition NAME])%s", section, "");
}

static int handler(void *user, const char *section, const char *key, const char *value)
{
        struct parse_state *st = user;

        if (!st->in_disk && !st->current)
                return fail(st, "'%s' is outside any section (start with [disk] or [partition NAME])%s", key, "");
        if (*value == '\0')
                return fail(st, "%s: empty value%s", key, "");
        return st->in_disk ? handle_disk_key(st, key, value) : handle_partition_key(st, key, value);
}

/* A "[name]" line, as inih would read it; NULL if the line is not one. */
static char *section_header(char *line)
{
        char *s = line + strspn(line, " \t"), *e;

        if (*s != '[')
                return NULL;
        e = strchr(s, ']');
        if (!e)
                return NULL; /* inih reports the syntax error */
        *e = '\0';
        return s + 1;
}

/*
 * inih calls the handler only for key = value lines, so an empty section would
 * go unseen and no line numbers reach the handler. Reading the lines for inih
 * gives both: each call is one line, and section headers are handled here.
 */
static char *reader(char *str, int num, void *stream)
{
        struct parse_state *st = stream;
        char copy[256], *name;

        if (st->error[0] || !fgets(str, num, st->file))
                return NULL;
        st->line++;
        snprintf(copy, sizeof(copy), "%s", str);
        name = section_header(copy);
        if (name && !start_section(st, name))
                st->error_line = st->line;
        return str;
}

/* Rules that need the whole file: each kind's consistency. */
static int check_layout(struct layout *l)
{
        size_t n_rest = 0, n_esp = 0;

        if (l->n_parts == 0)
                return log_error(-EINVAL, "%s: no [partition NAME] section", l->path);
        if (l->n_parts > 128)
                return log_error(-EINVAL, "%s: GPT holds at most 128 partitions", l->path);

        for (size_t i = 0; i < l->n_parts; i++) {
                struct layout_partition *p = &l->parts[i];

                if (p->size_mode == SIZE_REST)
                        n_rest++;
                if (p->kind == PART_ESP) {
                        n_esp++;
                        if (p->fs != &fs_vfat)
                                return log_error(-EINVAL, "%s:%u: partition '%s': an ESP must have fs = vfat",
                                                 l->path, p->line, p->name);
                }
                if (p->kind == PART_VARSTORE && p->fs)
                        return log_error(-EINVAL, "%s:%u: partition '%s': a varstore partition has no file system (fs = none)",
                                         l->path, p->line, p->name);
                if (p->label && !p->fs)
                        return log_error(-EINVAL, "%s:%u: partition '%s': label needs a file system",
                                         l->path, p->line, p->name);
                if (p->label && strlen(p->label) > p->fs->label_max)
                        return log_error(-EINVAL, "%s:%u: partition '%s': %s labels have at most %zu characters",
                                         l->path, p->line, p->name, p->fs->name, p->fs->label_max);
        }
        if (n_rest > 1)
                return log_error(-EINVAL, "%s: only one partition can have size = rest", l->path);
        if (n_esp > 1)
                return log_error(-EINVAL, "%s: more than one ESP", l->path);
        if (n_rest == 1 && l->disk_size_set && l->disk_size == 0)
                return log_error(-EINVAL, "%s: size = rest needs a fixed disk size ([disk] size or --size)", l->path);
        return 0;
}

/* A bare name ("vmspec") is looked up as NAME.conf in the shipped layouts
 * (the data directory's layouts/, see base/datadir.h). */
static int find_layout(const char *name_or_path, char **ret)
{
        _cleanup_free_ char *dir = NULL;
        char *p;
        int r;

        if (strchr(name_or_path, '/') || access(name_or_path, F_OK) == 0) {
                *ret = strdup(name_or_path);
                return *ret ? 0 : -ENOMEM;
        }
        r = data_dir_path("layouts", &dir);
        if (r < 0)
                return r;
        if (asprintf(&p, "%s/%s.conf", dir, name_or_path) < 0)
                return -ENOMEM;
        if (access(p, F_OK) == 0) {
                *ret = p;
                return 0;
        }
        free(p);
        return log_error(-ENOENT, "layout '%s': no such file, and no %s.conf in %s",
                         name_or_path, name_or_path, dir);
}

int layout_load(const char *name_or_path, struct layout **ret)
{
        struct parse_state st = { 0 };
        struct layout *l;
        int r;

        l = calloc(1, sizeof(*l));
        if (!l)
                return log_error(-ENOMEM, "out of memory");
        st.layout = l;

        r = find_layout(name_or_path, &l->path);
        if (r < 0)
                goto fail;

        st.file = fopen(l->path, "re");
        if (!st.file) {
                r = log_error_errno(-errno, "cannot open layout %s", l->path);
                goto fail;
        }
        r = ini_parse_stream(reader, &st, handler, &st);
        fclose(st.file);
        if (st.error_line)
                r = (int)st.error_line;
        if (r != 0) {
                if (r < 0)
                        r = log_error(-ENOMEM, "%s: cannot parse (out of memory)", l->path);
                else if (st.error[0])
                        r = log_error(-EINVAL, "%s:%d: %s", l->path, r, st.error);
                else
                        r = log_error(-EINVAL, "%s:%d: syntax error (expected [section] or key = value)", l->path, r);
                goto fail;
        }

        r = check_layout(l);
        if (r < 0)
                goto fail;
        *ret = l;
        return 0;
fail:
        layout_free(l);
        return r;
}

void layout_free(struct layout *l)
{
        if (!l)
                return;
        for (size_t i = 0; i < l->n_parts; i++) {
                free(l->parts[i].name);
                free(l->parts[i].label);
        }
        free(l->parts);
        free(l->path);
        free(l);
}
