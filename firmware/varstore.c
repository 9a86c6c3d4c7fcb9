/* SPDX-License-Identifier: MIT */
#include "firmware/varstore.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/gpt-read.h"
#include "base/file.h"
#include "base/log.h"
#include "base/util.h"
#include "firmware/ebbr-vars.h"
#include "firmware/edk2-vars.h"
#include "firmware/loadopt.h"

#define SECTOR 512u
#define HEX_PREVIEW 32u

/* ---- printing ------------------------------------------------------------ */

static bool is_global(const struct efi_var *v)
{
        return memcmp(&v->vendor, &efi_global_variable_guid, sizeof(guid_t)) == 0;
}

static bool is_hex4(const char *s)
{
        for (int i = 0; i < 4; i++)
                if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'F')))
                        return false;
        return s[4] == 0;
}

/* Boot####, Driver####, SysPrep####, PlatformRecovery####: EFI_LOAD_OPTIONs. */
static bool is_load_option(const struct efi_var *v)
{
        static const char *const prefixes[] = { "Boot", "Driver", "SysPrep", "PlatformRecovery" };

        if (!is_global(v))
                return false;
        for (size_t i = 0; i < ELEMENTSOF(prefixes); i++) {
                size_t len = strlen(prefixes[i]);

                if (strncmp(v->name, prefixes[i], len) == 0 && strlen(v->name) == len + 4 && is_hex4(v->name + len))
                        return true;
        }
        return false;
}

static bool name_in(const char *name, const char *const *list, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (strcmp(name, list[i]) == 0)
                        return true;
        return false;
}

static void print_hex_preview(FILE *out, const uint8_t *p, size_t size)
{
        fputs("    hex:", out);
        for (size_t i = 0; i < size && i < HEX_PREVIEW; i++)
                fprintf(out, " %02x", p[i]);
        fputs(size > HEX_PREVIEW ? " ...\n" : "\n", out);
}

static void print_cannot_decode(FILE *out, const struct efi_var *v, const char *reason)
{
        fprintf(out, "    %s: cannot decode: %s\n", v->name, reason);
        print_hex_preview(out, v->data, v->size);
}

static bool is_printable_ascii(const uint8_t *p, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (p[i] < 0x20 || p[i] > 0x7e)
                        return false;
        return true;
}

void efi_var_print(FILE *out, const struct efi_var *v)
{
        static const char *const u16_lists[] = { "BootOrder", "DriverOrder", "SysPrepOrder" };
        static const char *const u16_values[] = { "BootCurrent", "BootNext", "Timeout" };
        static const char *const ascii[] = { "Lang", "PlatformLang", "LangCodes", "PlatformLangCodes" };
        static const char *const paths[] = { "ConIn", "ConOut", "ErrOut", "ConInDev", "ConOutDev", "ErrOutDev" };
        const uint8_t *d = v->data;
        const char *reason = NULL;
        _cleanup_free_ char *text = NULL;

        if (is_load_option(v)) {
                if (loadopt_format(d, v->size, &text, &reason) < 0)
                        print_cannot_decode(out, v, reason ?: "out of memory");
                else
                        fprintf(out, "    %s%s\n", v->name, text);
        } else if (is_global(v) && name_in(v->name, u16_lists, ELEMENTSOF(u16_lists))) {
                if (v->size % 2 != 0) {
                        print_cannot_decode(out, v, "odd length for a list of 16-bit numbers");
                        return;
                }
                fprintf(out, "    %s:", v->name);
                for (size_t i = 0; i < v->size; i += 2)
                        fprintf(out, "%s%04X", i ? "," : " ", get_le16(d + i));
                fputc('\n', out);
        } else if (is_global(v) && name_in(v->name, u16_values, ELEMENTSOF(u16_values))) {
                if (v->size != 2) {
                        print_cannot_decode(out, v, "not a 16-bit number");
                        return;
                }
                if (strcmp(v->name, "Timeout") == 0)
                        fprintf(out, "    Timeout: %u s\n", get_le16(d));
                else
                        fprintf(out, "    %s: %04X\n", v->name, get_le16(d));
        } else if (is_global(v) && name_in(v->name, ascii, ELEMENTSOF(ascii))) {
                size_t len = v->size > 0 && d[v->size - 1] == 0 ? v->size - 1 : v->size;

                if (!is_printable_ascii(d, len)) {
                        print_cannot_decode(out, v, "not an ASCII string");
                        return;
                }
                fprintf(out, "    %s: \"%.*s\"\n", v->name, (int) len, (const char *) d);
        } else if (is_global(v) && name_in(v->name, paths, ELEMENTSOF(paths))) {
                if (devpath_format(d, v->size, &text, &reason) < 0)
                        print_cannot_decode(out, v, reason ?: "out of memory");
                else
                        fprintf(out, "    %s: %s\n", v->name, text);
        } else if (v->size > 0)
                print_hex_preview(out, d, v->size);
}

static void print_vars(FILE *out, const struct efi_var *vars, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                char attrs[128];
                const uint8_t *b = vars[i].vendor.bytes;

                efi_attributes_format(vars[i].attributes, attrs, sizeof(attrs));
                fprintf(out, "%s [%02X%02X%02X%02X-%02X%02X-%02X%02X-%02X%02X-%02X%02X%02X%02X%02X%02X] %s, %zu bytes\n",
                        vars[i].name, b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
                        b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15], attrs, vars[i].size);
                efi_var_print(out, &vars[i]);
        }
}

static int list_edk2(FILE *out, int fd, uint64_t offset, uint64_t size, const char *what)
{
        struct efi_var *vars = NULL;
        size_t n = 0;
        int r;

        r = edk2_vars_read(fd, offset, size, what, &vars, &n);
        if (r < 0)
                return r;
        if (r == 1) {
                fprintf(out, "%s: blank EDK2 variable store (the firmware formats it on first boot)\n", what);
                return 0;
        }
        fprintf(out, "%s: EDK2 variable store, %zu variable%s\n", what, n, n == 1 ? "" : "s");
        print_vars(out, vars, n);
        efi_vars_free(vars, n);
        return 0;
}

static int list_ebbr(FILE *out, int fd, uint64_t size, const char *what)
{
        _cleanup_free_ uint8_t *buf = NULL;
        struct efi_var *vars = NULL;
        size_t n = 0;
        int r;

        if (size > 16 * MIB)
                return log_error(-EBADMSG, "%s: %llu bytes, too large for an EBBR variable file", what, (unsigned long long) size);
        buf = malloc(size ?: 1);
        if (!buf)
                return log_error_errno(-ENOMEM, "cannot read %s", what);
        r = pread_all(fd, buf, size, 0);
        if (r < 0)
                return log_error_errno(r, "cannot read %s", what);
        r = ebbr_vars_parse(buf, size, what, &vars, &n);
        if (r < 0)
                return r;
        fprintf(out, "%s: EBBR (U-Boot) variable file, %zu variable%s\n", what, n, n == 1 ? "" : "s");
        print_vars(out, vars, n);
        efi_vars_free(vars, n);
        return 0;
}

static int list_image(FILE *out, int fd, const char *path)
{
        _cleanup_free_ char *what = NULL;
        struct gpt_partition p;
        int r;

        r = gpt_find_partition(fd, path, &gpt_varstore_type, &p);
        if (r < 0)
                return r;
        if (r == 0)
                return log_error(-ENOENT, "%s: no varstore partition (type %s) in the GPT", path, GPT_VARSTORE_TYPE_STR);
        if (asprintf(&what, "%s partition %u", path, p.partno) < 0)
                return log_error_errno(-ENOMEM, "cannot read %s", path);
        return list_edk2(out, fd, p.offset, p.size, what);
}

int vars_list(const char *path, FILE *out)
{
        _cleanup_close_ int fd = -1;
        uint8_t head[SECTOR + 8];
        struct stat st;
        uint64_t size;
        ssize_t got;

        /* A FIFO would block open() and read(): refused by name instead. */
        fd = open_regular_file(path, O_RDONLY, "variable store");
        if (fd < 0)
                return fd;
        if (fstat(fd, &st) < 0)
                return log_error_errno(-errno, "cannot stat %s", path);
        size = (uint64_t) st.st_size;

        memset(head, 0, sizeof(head));
        got = pread(fd, head, sizeof(head), 0);
        if (got < 0)
                return log_error_errno(-errno, "cannot read %s", path);

        /* Decide by content, then by size: each reader explains its own failures. */
        if (got >= 0x2c && memcmp(head + 0x28, "_FVH", 4) == 0)
                return list_edk2(out, fd, 0, size, path);
        if (got >= SECTOR + 8 && memcmp(head + SECTOR, "EFI PART", 8) == 0)
                return list_image(out, fd, path);
        if (got >= 16 && memcmp(head + 8, "UbEfiVa", 7) == 0)
                return list_ebbr(out, fd, size, path);
        if (size == EDK2_VARS_SIZE)
                return list_edk2(out, fd, 0, size, path);
        return log_error(-EINVAL, "%s: not a variable store or a disk image (%llu bytes): an EDK2 store is a 64 MiB file starting with a firmware volume, an EBBR file starts with \"UbEfiVa\", an image needs a GPT",
                         path, (unsigned long long) size);
}
