/* SPDX-License-Identifier: MIT */
#include "qemu-test/firmware.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/file.h"
#include "base/log.h"
#include "base/util.h"
#include "firmware/descriptor.h"

static int check_firmware_file(const char *path, const char *what, const char *package)
{
        int fd;

        if (access(path, R_OK) < 0)
                return log_error_errno(-errno, "%s %s is not readable (install the Debian package %s)",
                                       what, path, package);
        /* QEMU would wait forever on a FIFO there: refuse it before starting one. */
        fd = open_regular_file(path, O_RDONLY, what);
        if (fd < 0)
                return fd;
        close(fd);
        return 0;
}

static int find_in_descriptors(const struct platform_firmware *fw, const struct firmware_options *o,
                               struct edk2_firmware *ret)
{
        struct edk2_descriptor d = {};
        int r;

        r = edk2_descriptor_find(&(const struct edk2_descriptor_query) {
                                         .arch = fw->descriptor_arch,
                                         .only_dir = o->descriptor_dir,
                                         .package = fw->package,
                                         .parse_hint = "fix or remove it, or name the firmware with --edk2-code/--edk2-vars",
                                 }, &d);
        if (r < 0)
                return r;
        /* The paths move to ret; the harness has no use for the features. */
        ret->code = d.code;
        ret->vars_template = d.vars_template;
        ret->descriptor = d.path;
        d.code = d.vars_template = d.path = NULL;
        edk2_descriptor_done(&d);
        return 0;
}

int edk2_firmware_find(const struct platform_firmware *fw, const struct firmware_options *o,
                       struct edk2_firmware *ret)
{
        struct edk2_firmware f = {};
        int r;

        if (o->edk2_code || o->edk2_vars) {
                if (!o->edk2_code || !o->edk2_vars)
                        return log_error(-EINVAL, "--edk2-code and --edk2-vars go together");
                f.code = strdup(o->edk2_code);
                f.vars_template = strdup(o->edk2_vars);
                if (!f.code || !f.vars_template) {
                        edk2_firmware_done(&f);
                        return log_error_errno(-ENOMEM, "cannot locate firmware");
                }
        } else {
                r = find_in_descriptors(fw, o, &f);
                if (r < 0) {
                        edk2_firmware_done(&f);
                        return r;
                }
        }

        r = check_firmware_file(f.code, "EDK2 firmware", fw->package);
        if (r >= 0)
                r = check_firmware_file(f.vars_template, "EDK2 variable store template", fw->package);
        if (r < 0) {
                edk2_firmware_done(&f);
                return r;
        }
        *ret = f;
        return 0;
}

void edk2_firmware_done(struct edk2_firmware *f)
{
        free(f->code);
        free(f->vars_template);
        free(f->descriptor);
        *f = (struct edk2_firmware) {};
}

int uboot_firmware_find(const struct platform_firmware *fw, const struct firmware_options *o, char **ret)
{
        const char *path = o->uboot_bin ?: fw->bios;
        int r;

        r = check_firmware_file(path, "U-Boot", fw->package);
        if (r < 0)
                return r;
        *ret = strdup(path);
        return *ret ? 0 : log_error_errno(-ENOMEM, "cannot locate U-Boot");
}
