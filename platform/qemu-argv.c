/* SPDX-License-Identifier: MIT */
#include "platform/qemu-argv.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "platform/qemu-opt.h"

void strv_free(char **v)
{
        if (!v)
                return;
        for (char **p = v; *p; p++)
                free(*p);
        free(v);
}

/* Collects arguments; the first failure sticks and is returned at the end. */
struct argv_builder {
        char **v;
        size_t n;
        int error;
};

static void add_arg(struct argv_builder *b, const char *fmt, ...) _printf_(2, 3);
static void add_arg(struct argv_builder *b, const char *fmt, ...)
{
        char **grown;
        va_list ap;
        int r;

        if (b->error)
                return;
        grown = realloc(b->v, (b->n + 2) * sizeof(char *));
        if (!grown) {
                b->error = -ENOMEM;
                return;
        }
        b->v = grown;
        va_start(ap, fmt);
        r = vasprintf(&b->v[b->n], fmt, ap);
        va_end(ap);
        if (r < 0) {
                b->v[b->n] = NULL;
                b->error = -ENOMEM;
                return;
        }
        b->v[++b->n] = NULL;
}

/* A file name inside a QEMU option list: ',' separates keys, a literal one is doubled. */
static const char *escaped(struct argv_builder *b, char **storage, const char *path)
{
        if (b->error)
                return "";
        if (!path) {
                b->error = -EINVAL;
                return "";
        }
        *storage = qemu_opt_escape(path);
        if (!*storage) {
                b->error = -ENOMEM;
                return "";
        }
        return *storage;
}

static int finish(struct argv_builder *b, char ***ret)
{
        if (b->error) {
                strv_free(b->v);
                return b->error;
        }
        *ret = b->v;
        return 0;
}

/* -M virt,gic-version=3[,acpi=off]: the machine type and its options. */
static void add_machine(struct argv_builder *b, const struct platform *p)
{
        const struct irqchip *irq = p->irqchip;

        add_arg(b, "-M");
        add_arg(b, "%s%s%s%s", p->machine->machine, irq ? "," : "", irq ? irq->machine_option : "",
                p->firmware->acpi && !p->acpi ? ",acpi=off" : "");
        if (p->machine->accel) {
                add_arg(b, "-accel");
                add_arg(b, "%s", p->machine->accel);
        }
        add_arg(b, "-cpu");
        add_arg(b, "%s", p->cpu);
}

static void add_console(struct argv_builder *b, const struct machine_config *c)
{
        if (c->console == QEMU_CONSOLE_TERMINAL)
                add_arg(b, "-nographic");
        else {
                add_arg(b, "-display");
                add_arg(b, "none");
                add_arg(b, "-monitor");
                add_arg(b, "none");
                add_arg(b, "-serial");
                add_arg(b, "stdio");
        }
        /* No NIC: QEMU's default one needs a ROM (ipxe-qemu) a fresh machine lacks. */
        add_arg(b, "-nic");
        add_arg(b, "none");
        if (c->no_reboot)
                add_arg(b, "-no-reboot");
}

/*
 * The varstore partition as the variable flash: QEMU's raw driver exposes
 * just that window of the image, so the firmware's variable writes land in
 * the image. The same file is the disk too, hence locking=off on both.
 */
static void add_vars_window(struct argv_builder *b, const struct machine_config *c, const char *prefix)
{
        _cleanup_free_ char *disk = NULL;
        const char *d = escaped(b, &disk, c->disk);

        add_arg(b, "-blockdev");
        add_arg(b, "node-name=%svarsfile,driver=file,filename=%s,locking=off", prefix, d);
        add_arg(b, "-blockdev");
        add_arg(b, "node-name=%svars,driver=raw,file=%svarsfile,offset=%llu,size=%llu", prefix, prefix,
                (unsigned long long) c->vars_offset, (unsigned long long) c->vars_size);
        add_arg(b, "-machine");
        add_arg(b, "pflash1=%svars", prefix);
}

static void add_firmware(struct argv_builder *b, const struct machine_config *c)
{
        const struct firmware_family *fw = c->cell->firmware->family;
        _cleanup_free_ char *code = NULL, *vars = NULL;

        switch (fw->load) {
        case FIRMWARE_LOAD_PFLASH:
                if (fw->boot_menu_timeout) {
                        add_arg(b, "-boot");
                        add_arg(b, "menu=on,splash-time=0");
                }
                add_arg(b, "-drive");
                add_arg(b, "if=pflash,format=raw,unit=0,readonly=on,file=%s", escaped(b, &code, c->code));
                if (c->vars_size > 0)
                        add_vars_window(b, c, "");
                else {
                        add_arg(b, "-drive");
                        add_arg(b, "if=pflash,format=raw,unit=1,file=%s", escaped(b, &vars, c->vars));
                }
                break;
        case FIRMWARE_LOAD_BIOS:
                if (!c->bios) {
                        b->error = b->error ?: -EINVAL;
                        break;
                }
                /* -bios takes a plain file name, not an option list. */
                add_arg(b, "-bios");
                add_arg(b, "%s", c->bios);
                break;
        }
}

static void add_disk(struct argv_builder *b, const struct machine_config *c)
{
        bool window = c->cell->firmware->family->load == FIRMWARE_LOAD_PFLASH && c->vars_size > 0;
        _cleanup_free_ char *disk = NULL;
        const char *d = escaped(b, &disk, c->disk);

        add_arg(b, "-drive");
        add_arg(b, "if=none,id=disk0,format=raw,%s%sfile=%s", c->snapshot ? "snapshot=on," : "",
                window ? "file.locking=off," : "", d);
        add_arg(b, "-device");
        add_arg(b, "%s,drive=disk0", c->cell->bus->device);
}

int platform_qemu_argv(const struct machine_config *c, char ***ret)
{
        struct argv_builder b = {};

        add_arg(&b, "%s", c->qemu ?: c->cell->machine->qemu);
        /* No /etc/qemu config: the same command line means the same machine anywhere. */
        add_arg(&b, "-no-user-config");
        add_machine(&b, c->cell);
        add_arg(&b, "-m");
        add_arg(&b, "%u", c->memory_mib);
        add_arg(&b, "-smp");
        add_arg(&b, "%u", c->cpus);
        add_console(&b, c);
        add_firmware(&b, c);
        add_disk(&b, c);
        return finish(&b, ret);
}

int platform_qemu_vars_window_argv(const struct machine_config *c, const char *node_prefix, char ***ret)
{
        struct argv_builder b = {};

        if (c->vars_size == 0)
                return -EINVAL;
        add_vars_window(&b, c, node_prefix);
        return finish(&b, ret);
}

/* ---- the command line as a shell script's line ------------------------------- */

/* Options that share a line when rendered: the machine's, then the console's. */
enum line_group {
        LINE_OWN,
        LINE_MACHINE,
        LINE_CONSOLE,
};

static const struct {
        const char *option;
        enum line_group group;
        bool takes_value;
} known_options[] = {
        { "-no-user-config", LINE_MACHINE, false },
        { "-M", LINE_MACHINE, true },
        { "-accel", LINE_MACHINE, true },
        { "-cpu", LINE_MACHINE, true },
        { "-m", LINE_MACHINE, true },
        { "-smp", LINE_MACHINE, true },
        { "-nographic", LINE_CONSOLE, false },
        { "-display", LINE_CONSOLE, true },
        { "-monitor", LINE_CONSOLE, true },
        { "-serial", LINE_CONSOLE, true },
        { "-nic", LINE_CONSOLE, true },
        { "-no-reboot", LINE_CONSOLE, false },
};

static enum line_group group_of(const char *arg, bool *takes_value)
{
        for (size_t i = 0; i < ELEMENTSOF(known_options); i++)
                if (strcmp(arg, known_options[i].option) == 0) {
                        *takes_value = known_options[i].takes_value;
                        return known_options[i].group;
                }
        /* Anything else (-drive, -device, ...) takes one value and gets a line of its own. */
        *takes_value = arg[0] == '-';
        return LINE_OWN;
}

static bool is_bare_word(const char *s)
{
        return *s && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789,._+-=/:@%") == strlen(s);
}

/* In double quotes, '$' is left to the shell (the template's variables); '"', '\' and '`' mean themselves. */
static void put_word(FILE *f, const char *s, bool quote)
{
        if (!quote && is_bare_word(s)) {
                fputs(s, f);
                return;
        }
        fputc('"', f);
        for (const char *p = s; *p; p++) {
                if (strchr("\"\\`", *p))
                        fputc('\\', f);
                fputc(*p, f);
        }
        fputc('"', f);
}

int qemu_argv_to_shell(char *const *argv, char **ret)
{
        enum line_group line = LINE_MACHINE;
        char *text = NULL;
        size_t len = 0;
        FILE *f;

        if (!argv || !argv[0])
                return -EINVAL;
        f = open_memstream(&text, &len);
        if (!f)
                return -ENOMEM;
        put_word(f, argv[0], false);
        for (char *const *a = argv + 1; *a; a++) {
                bool takes_value;
                enum line_group g = group_of(*a, &takes_value);

                if (g == LINE_OWN || g != line)
                        fputs(" \\\n        ", f);
                else
                        fputc(' ', f);
                line = g;
                put_word(f, *a, false);
                if (takes_value && a[1]) {
                        a++;
                        fputc(' ', f);
                        /* Where file names go: quoted even when today's names are bare. */
                        put_word(f, *a, strcmp(a[-1], "-drive") == 0 || strcmp(a[-1], "-blockdev") == 0);
                }
        }
        if (fclose(f) != 0) {
                free(text);
                return -ENOMEM;
        }
        *ret = text;
        return 0;
}
