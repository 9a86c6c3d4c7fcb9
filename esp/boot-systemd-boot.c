/* SPDX-License-Identifier: MIT */
/*
 * systemd-boot from ROOTFS at the removable-media path, with the kernel and
 * initrd beside it in the Boot Loader Specification layout kernel-install
 * makes (/ID/VERSION/linux) and one loader entry.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/util.h"
#include "esp/boot-method.h"

#define LOADER_PATH SYSTEMD_EFI_DIR "/systemd-boot%s.efi"

static const char *systemd_boot_looks_for(const struct arch *arch, char *buf, size_t len)
{
        snprintf(buf, len, LOADER_PATH, arch->efi_suffix);
        return buf;
}

static bool systemd_boot_present(const struct bootchain *bc, const struct bootfiles *bf)
{
        char path[128];

        return bootchain_exists(bf, systemd_boot_looks_for(bc->arch, path, sizeof(path)));
}

static int systemd_boot_discover(struct bootchain *bc, const struct bootfiles *bf)
{
        return bootchain_find_loader(bc, bf, LOADER_PATH, "systemd-boot");
}

static int systemd_boot_build(struct bootchain *bc, const struct bootfiles *bf, const struct boot_root *root,
                              const char *cmdline, int64_t mtime)
{
        _cleanup_free_ char *boot = NULL, *dir = NULL, *linux_path = NULL, *initrd_path = NULL, *entry_path = NULL;
        char *entry = NULL, *loader_conf = NULL;
        const char *version = bc->version ? bc->version : "current";
        int r;

        if (bootchain_removable_path(bc, &boot) < 0 ||
            asprintf(&dir, "%s/%s", bc->os_id, version) < 0 ||
            asprintf(&linux_path, "%s/linux", dir) < 0 ||
            asprintf(&initrd_path, "%s/initrd", dir) < 0 ||
            asprintf(&entry_path, "loader/entries/%s-%s.conf", bc->os_id, version) < 0)
                return -ENOMEM;

        r = bootchain_add_root_file(bc, bf, boot, bc->loader);
        if (r >= 0)
                r = bootchain_add_kernel(bc, bf, linux_path);
        if (r >= 0 && bc->initrd)
                r = bootchain_add_root_file(bc, bf, initrd_path, bc->initrd);
        if (r < 0)
                return r;

        if (asprintf(&entry, "title %s\nversion %s\nlinux /%s\n%s%s%soptions %s\n",
                     bc->os_name, version, linux_path,
                     bc->initrd ? "initrd /" : "", bc->initrd ? initrd_path : "", bc->initrd ? "\n" : "",
                     cmdline) < 0)
                return -ENOMEM;
        r = bootchain_add_text(bc, entry_path, entry, mtime);
        if (r < 0)
                return r;
        /*
         * One entry: boot it at once (a key held at start still shows the
         * menu), by name, and no command-line editing in an appliance.
         */
        if (asprintf(&loader_conf, "timeout 0\ndefault %s-%s.conf\neditor no\n", bc->os_id, version) < 0)
                return -ENOMEM;
        return bootchain_add_text(bc, "loader/loader.conf", loader_conf, mtime);
}

const struct boot_method boot_systemd_boot = {
        .name = "systemd-boot",
        .bootloader_arg = "systemd-boot",
        .present = systemd_boot_present,
        .looks_for = systemd_boot_looks_for,
        .install_hint = "systemd-boot-efi",
        .discover = systemd_boot_discover,
        .esp_bytes = bootchain_copied_files_bytes,
        .build = systemd_boot_build,
};
