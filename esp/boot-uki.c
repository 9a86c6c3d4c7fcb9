/* SPDX-License-Identifier: MIT */
/*
 * A unified kernel image at the removable-media path: systemd's EFI stub
 * from ROOTFS with the kernel, initrd, command line and os-release inside
 * (esp/uki.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/log.h"
#include "base/util.h"
#include "esp/boot-method.h"
#include "esp/uki.h"

static int uki_method_discover(struct bootchain *bc, const struct bootfiles *bf)
{
        return bootchain_find_loader(bc, bf, SYSTEMD_EFI_DIR "/linux%s.efi.stub", "--uki needs systemd's EFI stub");
}

/* Host path of ROOTFS's os-release, or NULL if it has none. */
static int find_os_release(const struct bootfiles *bf, char **ret)
{
        char *canonical = NULL;
        int fd, r;

        *ret = NULL;
        if (bootfiles_open(bf, "etc/os-release", &fd, &canonical) < 0 &&
            bootfiles_open(bf, "usr/lib/os-release", &fd, &canonical) < 0)
                return 0;
        close(fd);
        r = bootchain_host_path(bf, canonical, ret);
        free(canonical);
        return r;
}

static int uki_method_build(struct bootchain *bc, const struct bootfiles *bf, const struct boot_root *root,
                     const char *cmdline, int64_t mtime)
{
        _cleanup_free_ char *stub = NULL, *kernel = NULL, *initrd = NULL, *osrel = NULL, *boot = NULL;
        uint64_t size;
        int fd = -1, r;

        if (bootchain_host_path(bf, bc->loader, &stub) < 0 || bootchain_host_path(bf, bc->kernel, &kernel) < 0 ||
            bootchain_host_path(bf, bc->initrd, &initrd) < 0 || bootchain_removable_path(bc, &boot) < 0 ||
            find_os_release(bf, &osrel) < 0)
                return -ENOMEM;

        r = bootchain_open_tmpfile(bf, &fd);
        if (r < 0)
                return r;
        r = uki_build(&(struct uki_parts) {
                        .stub = stub,
                        .kernel = kernel,
                        .initrd = initrd,
                        .cmdline = cmdline,
                        .os_release = osrel,
                        .uname = bc->version,
                        .machine = bc->arch->pe_machine,
                        .magic = bc->arch->pe_magic,
                        .root = bf->root,
                }, fd, &size);
        if (r < 0) {
                close(fd);
                return r;
        }
        return bootchain_add_fd(bc, boot, fd, mtime);
}

const struct boot_method boot_uki = {
        .name = "a unified kernel image",
        .discover = uki_method_discover,
        .esp_bytes = bootchain_copied_files_bytes,
        .build = uki_method_build,
};
