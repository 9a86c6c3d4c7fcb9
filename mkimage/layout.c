/* SPDX-License-Identifier: MIT */
#include "mkimage/layout.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <ini.h>

#include "base/datadir.h"
#include "base/file.h"
#include "base/gpt-types.h"
#include "base/log.h"
#include "base/size.h"
#include "base/utf8.h"
#include "base/util.h"

/* The keys a section can hold; each may be given once per section. */
enum layout_key { KEY_TYPE, KEY_SIZE, KEY_FS, KEY_LABEL, KEY_UUID, N_KEYS };
static const char *const key_names[N_KEYS] = { "type", "size", "fs", "label", "uuid" };

/* GPT holds at most this many entries; more sections are refused at once. */
#define LAYOUT_MAX_PARTS 128

/* Parser state: inih reports the first failing line; we keep the why. */
struct parse_state {
        struct layout *layout;
        FILE *file;
        char *buf;              /* the whole line, read by our reader */
        size_t buf_size;
        unsigned line;          /* counted by our reader, one call per line */
        char error[512];
        unsigned error_line;    /* set when the reader found the error */
        unsigned disk_line;     /* where [disk] started, 0: not yet */
        unsigned key_line[N_KEYS]; /* where each key of the current section was given */
        bool in_disk;
        struct layout_partition *current;
        const struct layout_partition *esp; /* the first ESP, by kind or type GUID */
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

static int fail(struct parse_state *st, const char *fmt, ...) _printf_(2, 3);
static int fail(struct parse_state *st, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(st->error, sizeof(st->error), fmt, ap);
        va_end(ap);
        return 0; /* tells inih this line failed */
}

/* The ESP's type given by name or by its GUID: a disk has one ESP. */
static int note_esp(struct parse_state *st, struct layout_partition *p)
{
        if (st->esp && st->esp != p)
                return fail(st, "partition '%s' is a second ESP: partition '%s' (line %u) is the ESP already, and a disk has one",
                            p->name, st->esp->name, st->esp->line);
        st->esp = p;
        return 1;
}

static int parse_type(struct parse_state *st, struct layout_partition *p, const char *value)
{
        static const guid_t zero;

        for (size_t i = 0; i < ELEMENTSOF(kinds); i++)
                if (strcasecmp(value, kinds[i].name) == 0) {
                        p->kind = kinds[i].kind;
                        if (!p->fs_set)
                                p->fs = kinds[i].default_fs;
                        return p->kind == PART_ESP ? note_esp(st, p) : 1;
                }
        if (guid_parse(value, &p->type) == 0) {
                if (guid_equal(&p->type, &zero))
                        return fail(st, "type: the all-zero GUID marks an unused GPT entry: give a partition type");
                p->kind = PART_OTHER;
                return guid_equal(&p->type, &gpt_esp_type) ? note_esp(st, p) : 1;
        }
        return fail(st, "type: '%s' is not esp, root, varstore, linux or a GUID", value);
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
                return fail(st, "size: '%s' is not a size (e.g. 256MiB), 'auto' or 'rest'", value);
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

/* Partition GUIDs identify partitions: two alike confuse every lookup by PARTUUID. */
static int parse_uuid(struct parse_state *st, struct layout_partition *p, const char *value)
{
        static const guid_t zero;
        struct layout *l = st->layout;

        if (guid_parse(value, &p->uuid) < 0)
                return fail(st, "uuid: '%s' is not a GUID", value);
        if (guid_equal(&p->uuid, &zero))
                return fail(st, "uuid: the all-zero GUID marks an unused GPT entry: give another or none");
        for (size_t i = 0; i < l->n_parts; i++)
                if (&l->parts[i] != p && l->parts[i].uuid_set && guid_equal(&l->parts[i].uuid, &p->uuid))
                        return fail(st, "uuid %s is partition '%s''s too (its section starts at line %u): partition GUIDs must be unique",
                                    value, l->parts[i].name, l->parts[i].line);
        p->uuid_set = true;
        return 1;
}

static int set_string(struct parse_state *st, char **dst, const char *value)
{
        free(*dst);
        *dst = strdup(value);
        return *dst ? 1 : fail(st, "out of memory");
}

/* A key given twice in one section: the last would silently win. */
static int note_key(struct parse_state *st, enum layout_key k)
{
        unsigned first = st->key_line[k];

        if (first) {
                if (st->current)
                        return fail(st, "'%s' is given twice in [partition %s]: lines %u and %u",
                                    key_names[k], st->current->name, first, st->line);
                return fail(st, "'%s' is given twice in [disk]: lines %u and %u", key_names[k], first, st->line);
        }
        st->key_line[k] = st->line;
        return 1;
}

static int handle_partition_key(struct parse_state *st, const char *key, const char *value)
{
        struct layout_partition *p = st->current;
        size_t k;

        for (k = 0; k < N_KEYS && strcmp(key, key_names[k]) != 0; k++)
                ;
        if (k == N_KEYS)
                return fail(st, "unknown key '%s' in a partition section (known: type, size, fs, label, uuid)", key);
        if (!note_key(st, k))
                return 0;
        switch (k) {
        case KEY_TYPE:
                return parse_type(st, p, value);
        case KEY_SIZE:
                return parse_partition_size(st, p, value);
        case KEY_FS:
                return parse_fs(st, p, value);
        case KEY_LABEL:
                p->label_line = st->line;
                return set_string(st, &p->label, value);
        default:
                return parse_uuid(st, p, value);
        }
}

static int handle_disk_key(struct parse_state *st, const char *key, const char *value)
{
        struct layout *l = st->layout;
        int r;

        if (strcmp(key, "size") != 0)
                return fail(st, "unknown key '%s' in [disk] (known: size)", key);
        if (!note_key(st, KEY_SIZE))
                return 0;
        l->disk_size_set = true;
        if (strcasecmp(value, "auto") == 0) {
                l->disk_size = 0;
                return 1;
        }
        r = parse_size(value, &l->disk_size);
        if (r == -ERANGE || (r >= 0 && l->disk_size > SIZE_IMAGE_MAX))
                return fail(st, "disk size %s is too large: an image file holds at most 8 EiB", value);
        if (r < 0 || l->disk_size == 0)
                return fail(st, "size: '%s' is not a size (e.g. 2GiB) or 'auto'", value);
        return 1;
}

/* GPT stores names as at most 36 UTF-16 code units. */
static int check_partition_name(struct parse_state *st, const char *name)
{
        long units;

        if (*name == '\0')
                return fail(st, "[partition] needs a name, e.g. [partition ESP]");
        units = utf8_utf16_length(name);
        if (units < 0)
                return fail(st, "partition name is not valid UTF-8: GPT stores names as UTF-16");
        if (units > 36)
                return fail(st, "partition name '%s' is %ld UTF-16 code units: GPT holds at most 36", name, units);
        return 1;
}

static int start_partition(struct parse_state *st, const char *name)
{
        struct layout *l = st->layout;
        struct layout_partition *p;

        if (!check_partition_name(st, name))
                return 0;
        /* At most 128 names to compare: refusing the 129th keeps this linear. */
        for (size_t i = 0; i < l->n_parts; i++)
                if (strcmp(l->parts[i].name, name) == 0)
                        return fail(st, "partition '%s' is defined twice: lines %u and %u", name, l->parts[i].line, st->line);
        if (l->n_parts == LAYOUT_MAX_PARTS)
                return fail(st, "a GPT holds at most %d partitions: [partition %s] is one more", LAYOUT_MAX_PARTS, name);
        if (!l->parts) {
                /* All at once: st->esp points into the array, which must not move. */
                l->parts = calloc(LAYOUT_MAX_PARTS, sizeof(*l->parts));
                if (!l->parts)
                        return fail(st, "out of memory");
        }
        p = &l->parts[l->n_parts++];
        *p = (struct layout_partition) {
                .name = strdup(name),
                .line = st->line,
                .kind = PART_LINUX,
                .size_mode = SIZE_AUTO,
        };
        st->current = p;
        return p->name ? 1 : fail(st, "out of memory");
}

static int start_section(struct parse_state *st, const char *section)
{
        st->in_disk = false;
        st->current = NULL;
        memset(st->key_line, 0, sizeof(st->key_line));
        if (strcmp(section, "disk") == 0) {
                if (st->disk_line)
                        return fail(st, "[disk] is given twice: lines %u and %u", st->disk_line, st->line);
                st->disk_line = st->line;
                st->in_disk = true;
                return 1;
        }
        if (strncmp(section, "partition", 9) == 0 && (section[9] == ' ' || section[9] == '\0')) {
                const char *name = section + 9;
                while (*name == ' ')
                        name++;
                return start_partition(st, name);
        }
        return fail(st, "unknown section [%s] (known: [disk], [partition NAME])", section);
}

static int handler(void *user, const char *section, const char *key, const char *value)
{
        struct parse_state *st = user;

        (void) section; /* ours, from the reader: inih's copy is cut at 50 bytes */
        if (!st->in_disk && !st->current)
                return fail(st, "'%s' is outside any section (start with [disk] or [partition NAME])", key);
        if (*value == '\0')
                return fail(st, "%s: empty value", key);
        return st->in_disk ? handle_disk_key(st, key, value) : handle_partition_key(st, key, value);
}

/* A "[name]" line, as inih would read it; NULL if the line is not one. */
static char *section_header(char *s)
{
        char *e;

        if (*s != '[')
                return NULL;
        e = strchr(s, ']');
        if (!e)
                return NULL;
        *e = '\0';
        return s + 1;
}

/* The reader's verdict on a line: reported at that line, inih stops. */
static char *reader_fail(struct parse_state *st)
{
        st->error_line = st->line;
        return NULL;
}

/* One whole line into st->buf, without its line end; false at the end of the file. */
static bool read_line(struct parse_state *st, char **ret)
{
        ssize_t n = getline(&st->buf, &st->buf_size, st->file);

        if (n < 0) {
                if (ferror(st->file)) {
                        st->line++;
                        fail(st, "cannot read: %s", strerror(errno));
                        reader_fail(st);
                }
                return false;
        }
        st->line++;
        if (memchr(st->buf, '\0', (size_t) n)) {
                fail(st, "a NUL byte: a layout is a text file");
                reader_fail(st);
                return false;
        }
        while (n > 0 && (st->buf[n - 1] == '\n' || st->buf[n - 1] == '\r'))
                st->buf[--n] = '\0';
        *ret = st->buf;
        return true;
}

/*
 * inih reads lines into a fixed buffer (200 bytes in Debian's build) and
 * takes the tail of a longer line as a new line: a long comment's tail would
 * become a key. So we read whole lines here and hand inih only what fits:
 * comments become empty lines, a longer line is an error. Leading blanks go
 * too: inih would take an indented line as the continuation of the last
 * value. inih calls the handler only for key = value lines, so section
 * headers (an empty section too) and line numbers are ours.
 */
static char *reader(char *str, int num, void *stream)
{
        struct parse_state *st = stream;
        char *s, *name;
        size_t len;

        if (st->error[0] || !read_line(st, &s))
                return NULL;
        if (st->line == 1 && strncmp(s, "\xEF\xBB\xBF", 3) == 0)
                s += 3; /* a UTF-8 byte order mark */
        s += strspn(s, " \t");
        if (*s == '#' || *s == ';')
                *s = '\0';
        len = strlen(s);
        if (len >= (size_t) num) {
                fail(st, "line is %zu bytes long: layout lines hold at most %d (comments any)", len, num - 1);
                return reader_fail(st);
        }
        if (*s == '[') {
                name = section_header(s); /* cuts s at ']': inih gets the name alone */
                if (!name) {
                        fail(st, "syntax error: '[' without ']'");
                        return reader_fail(st);
                }
                if (!start_section(st, name))
                        return reader_fail(st);
                name[strlen(name)] = ']';
        } else if (*s && !strpbrk(s, "=:")) {
                fail(st, "syntax error (expected [section] or key = value)");
                return reader_fail(st);
        }
        memcpy(str, s, len + 1);
        return str;
}

static bool has_control_chars(const char *s)
{
        for (; *s; s++)
                if ((unsigned char) *s < 0x20 || *s == 0x7F)
                        return true;
        return false;
}

/* The label's rules are the file system's, known once fs and type are both read. */
static int check_label(const struct layout *l, const struct layout_partition *p)
{
        const char *why;

        if (!p->label)
                return 0;
        if (!p->fs)
                return log_error(-EINVAL, "%s:%u: partition '%s': label needs a file system",
                                 l->path, p->label_line, p->name);
        if (strlen(p->label) > p->fs->label_max)
                return log_error(-EINVAL, "%s:%u: partition '%s': %s labels have at most %zu characters",
                                 l->path, p->label_line, p->name, p->fs->name, p->fs->label_max);
        why = p->fs->label_problem ? p->fs->label_problem(p->label) : NULL;
        /* Control characters are not echoed: they would reach the terminal. */
        if (why && !has_control_chars(p->label))
                return log_error(-EINVAL, "%s:%u: partition '%s': label '%s': %s",
                                 l->path, p->label_line, p->name, p->label, why);
        if (why)
                return log_error(-EINVAL, "%s:%u: partition '%s': label: %s", l->path, p->label_line, p->name, why);
        return 0;
}

/* Rules that need the whole file: each kind's consistency. (A second ESP and
 * more than 128 partitions are refused while parsing, at their line.) */
static int check_layout(struct layout *l)
{
        size_t n_rest = 0;
        int r;

        if (l->n_parts == 0)
                return log_error(-EINVAL, "%s: no [partition NAME] section", l->path);

        for (size_t i = 0; i < l->n_parts; i++) {
                struct layout_partition *p = &l->parts[i];

                if (p->size_mode == SIZE_REST)
                        n_rest++;
                if (p->kind == PART_ESP && p->fs != &fs_vfat)
                        return log_error(-EINVAL, "%s:%u: partition '%s': an ESP must have fs = vfat",
                                         l->path, p->line, p->name);
                if (p->kind == PART_VARSTORE && p->fs)
                        return log_error(-EINVAL, "%s:%u: partition '%s': a varstore partition has no file system (fs = none)",
                                         l->path, p->line, p->name);
                r = check_label(l, p);
                if (r < 0)
                        return r;
        }
        if (n_rest > 1)
                return log_error(-EINVAL, "%s: only one partition can have size = rest", l->path);
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

int layout_parse(const char *path, FILE *f, struct layout **ret)
{
        struct parse_state st = { .file = f };
        struct layout *l;
        int r;

        l = calloc(1, sizeof(*l));
        if (!l || !(l->path = strdup(path))) {
                free(l);
                return log_error(-ENOMEM, "%s: cannot parse (out of memory)", path);
        }
        st.layout = l;
        r = ini_parse_stream(reader, &st, handler, &st);
        free(st.buf);
        if (st.error_line)
                r = (int) st.error_line;
        if (r != 0) {
                if (r < 0)
                        r = log_error(-ENOMEM, "%s: cannot parse (out of memory)", path);
                else if (st.error[0])
                        r = log_error(-EINVAL, "%s:%d: %s", path, r, st.error);
                else
                        r = log_error(-EINVAL, "%s:%d: syntax error (expected [section] or key = value)", path, r);
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

int layout_load(const char *name_or_path, struct layout **ret)
{
        _cleanup_free_ char *path = NULL;
        _cleanup_fclose_ FILE *f = NULL;
        int r;

        r = find_layout(name_or_path, &path);
        if (r < 0)
                return r;
        /* A FIFO or a device there would hang the read: refused with its name. */
        r = fopen_regular_file(path, "layout", &f);
        if (r < 0)
                return r;
        return layout_parse(path, f, ret);
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
