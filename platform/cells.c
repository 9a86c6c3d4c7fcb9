/* SPDX-License-Identifier: MIT */
#include "platform/cells.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/util.h"

static size_t count_choices(const void *const *list)
{
        size_t n = 0;

        while (n < PLATFORM_MAX_CHOICES && list[n])
                n++;
        return n;
}

static int add_cell(struct platform_matrix *m, const struct platform *cell)
{
        struct platform *grown = realloc(m->cells, (m->n + 1) * sizeof(*m->cells));

        if (!grown)
                return log_error_errno(-ENOMEM, "cannot generate the platform matrix");
        m->cells = grown;
        m->cells[m->n++] = *cell;
        return 0;
}

/* "aa64-edk2-gicv3-pci", then "-noacpi" where ACPI could be on, then any CPU but the reference one. */
static int name_cell(struct platform *p)
{
        int k = snprintf(p->name, sizeof(p->name), "%s-%s%s%s-%s%s%s%s", p->arch->name, p->firmware->family->name,
                         p->irqchip ? "-" : "", p->irqchip ? p->irqchip->name : "", p->bus->name,
                         p->firmware->acpi && !p->acpi ? "-noacpi" : "",
                         p->cpu != p->machine->cpus[0] ? "-" : "", p->cpu != p->machine->cpus[0] ? p->cpu : "");

        if (k < 0 || (size_t) k >= sizeof(p->name))
                return log_error(-ENAMETOOLONG, "platform cell name for %s is too long", p->arch->name);
        return 0;
}

static int add_named_cell(struct platform_matrix *m, struct platform *p)
{
        int r = name_cell(p);

        return r < 0 ? r : add_cell(m, p);
}

/*
 * One architecture's cells: every firmware x interrupt controller x bus x
 * ACPI (on, then off, where the firmware has a choice) on the reference
 * CPU; then each other CPU once, on the reference settings. The first of
 * every choice makes the default cell of each firmware.
 */
static int generate_arch(struct platform_matrix *m, const struct platform_arch *pa)
{
        const struct arch *a = arch_find(pa->arch);
        size_t n_irqchips = count_choices((const void *const *) pa->irqchips);
        size_t n_buses = count_choices((const void *const *) pa->buses);
        size_t n_cpus = count_choices((const void *const *) pa->cpus);
        int r;

        if (!a)
                return log_error(-EINVAL, "platform row for unknown architecture %s", pa->arch);
        for (size_t f = 0; f < PLATFORM_MAX_CHOICES && pa->firmware[f].family; f++) {
                const struct platform_firmware *fw = &pa->firmware[f];

                for (size_t i = 0; i < (n_irqchips ?: 1); i++)
                        for (size_t b = 0; b < n_buses; b++)
                                for (int acpi = fw->acpi; acpi >= 0; acpi--) {
                                        struct platform p = {
                                                .arch = a,
                                                .machine = pa,
                                                .firmware = fw,
                                                .irqchip = pa->irqchips[i],
                                                .bus = pa->buses[b],
                                                .acpi = acpi,
                                                .cpu = pa->cpus[0],
                                                .is_default = i == 0 && b == 0 && acpi == fw->acpi,
                                        };

                                        r = add_named_cell(m, &p);
                                        if (r < 0)
                                                return r;
                                }
                for (size_t c = 1; c < n_cpus; c++) {
                        struct platform p = {
                                .arch = a,
                                .machine = pa,
                                .firmware = fw,
                                .irqchip = pa->irqchips[0],
                                .bus = pa->buses[0],
                                .acpi = fw->acpi,
                                .cpu = pa->cpus[c],
                        };

                        r = add_named_cell(m, &p);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

int platform_matrix_generate(struct platform_matrix *ret)
{
        struct platform_matrix m = {};
        const struct platform_arch *rows;
        size_t n_rows;
        int r;

        rows = platform_arch_table(&n_rows);
        for (size_t i = 0; i < n_rows; i++) {
                r = generate_arch(&m, &rows[i]);
                if (r < 0) {
                        platform_matrix_done(&m);
                        return r;
                }
        }
        *ret = m;
        return 0;
}

void platform_matrix_done(struct platform_matrix *m)
{
        free(m->cells);
        *m = (struct platform_matrix) {};
}

static int select_token(const struct platform_matrix *m, const struct arch *arch, const char *token, bool *selected)
{
        bool all = strcmp(token, "all") == 0, def = strcmp(token, "default") == 0;
        bool found = false;

        for (size_t i = 0; i < m->n; i++) {
                const struct platform *p = &m->cells[i];

                if (all || (def && p->is_default) || strcmp(token, p->name) == 0) {
                        if (p->arch != arch) {
                                if (all || def)
                                        continue;
                                return log_error(-EINVAL, "platform %s is for %s, not %s",
                                                 token, p->arch->name, arch->name);
                        }
                        selected[i] = true;
                        found = true;
                }
        }
        if (!found)
                return log_error(-EINVAL, "unknown platform \"%s\" (see --list-platforms)", token);
        return 0;
}

int platform_select(const struct platform_matrix *m, const struct arch *arch, char *const *specs, size_t n_specs,
                    const struct platform ***ret)
{
        _cleanup_free_ bool *selected = calloc(m->n ?: 1, sizeof(bool));
        const struct platform **list;
        size_t n = 0;
        int r;

        if (!selected)
                return log_error_errno(-ENOMEM, "cannot select platforms");
        if (n_specs == 0) {
                r = select_token(m, arch, "default", selected);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < n_specs; i++) {
                _cleanup_free_ char *copy = strdup(specs[i]);
                char *save = NULL;

                if (!copy)
                        return log_error_errno(-ENOMEM, "cannot select platforms");
                for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
                        r = select_token(m, arch, t, selected);
                        if (r < 0)
                                return r;
                }
        }

        list = calloc(m->n ?: 1, sizeof(*list));
        if (!list)
                return log_error_errno(-ENOMEM, "cannot select platforms");
        for (size_t i = 0; i < m->n; i++)
                if (selected[i])
                        list[n++] = &m->cells[i];
        if (n == 0) {
                free(list);
                return log_error(-EINVAL, "no platform selected");
        }
        *ret = list;
        return (int) n;
}

void platform_list(const struct platform_matrix *m, FILE *f)
{
        for (size_t i = 0; i < m->n; i++) {
                const struct platform *p = &m->cells[i];

                fprintf(f, "%-30s %-6s %-6s %-5s %-4s %-10s%s%s\n", p->name, p->arch->name,
                        p->firmware->family->display_name, p->irqchip ? p->irqchip->name : "-", p->bus->name, p->cpu,
                        p->firmware->acpi ? (p->acpi ? " acpi" : " noacpi") : "",
                        p->is_default ? " (default)" : "");
        }
}

const struct platform *platform_reference(const struct platform_matrix *m, const struct arch *arch,
                                          enum firmware_kind kind)
{
        for (size_t i = 0; i < m->n; i++)
                if (m->cells[i].arch == arch && m->cells[i].is_default && m->cells[i].firmware->family->kind == kind)
                        return &m->cells[i];
        return NULL;
}
