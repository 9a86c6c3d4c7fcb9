/* SPDX-License-Identifier: MIT */
/*
 * GRUB built by the host's grub-mkimage from the modules ROOTFS carries
 * (esp/grub.c), at the removable-media path, with a grub.cfg beside it.
 * The kernel and initrd stay in the root, which GRUB reads with the root
 * file system's own module.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/log.h"
#include "base/util.h"
#include "esp/boot-method.h"
#include "esp/grub.h"

#define GRUB_IMAGE_BYTES (8 * 1024 * 1024)  /* GRUB's image with its modules, generously */

static const char *grub_looks_for(const struct arch *arch, char *buf, size_t len)
{
        snprintf(buf, len, "usr/lib/grub/%s/", arch->grub_format);
        return buf;
}

static bool grub_present(const struct bootchain *bc, const struct bootfiles *bf)
{
        char path[128];

        snprintf(path, sizeof(path), "usr/lib/grub/%s/normal.mod", bc->arch->grub_format);
        return bootchain_exists(bf, path);
}

/*
 * grub-mkimage reads the modules by host path and follows symlinks on the
 * host: it gets a staged copy of the root's module directory, regular files
 * only, every symlink resolved inside the root (bootfiles_stage_dir).
 */
static int grub_discover(struct bootchain *bc, const struct bootfiles *bf)
{
        char dir[64], shown[80];
        int r;

        if (!bc->root_fs->grub_module)
                return log_error(-EINVAL, "GRUB cannot read the root's %s file system: choose another --bootloader",
                                 bc->root_fs->name);
        snprintf(dir, sizeof(dir), "usr/lib/grub/%s", bc->arch->grub_format);
        snprintf(shown, sizeof(shown), "/%s", dir);
        r = bootfiles_stage_dir(bf, dir, "grub-modules", &bc->grub_modules);
        if (r == -ENOENT)
                return log_error(-ENOENT, "GRUB: no /%s in the root file system (install %s in it)",
                                 dir, bc->arch->grub_package);
        if (r < 0)
                return r;
        return grub_check_modules(&(struct grub_request) {
                .modules_dir = bc->grub_modules,
                .modules_name = shown,
                .format = bc->arch->grub_format,
                .root_module = bc->root_fs->grub_module,
        });
}

/* The GRUB image and its config; the kernel stays in the root. */
static uint64_t grub_esp_bytes(const struct bootchain *bc, const struct bootfiles *bf)
{
        return GRUB_IMAGE_BYTES + ESP_SLACK;
}

static int grub_build(struct bootchain *bc, const struct bootfiles *bf, const struct boot_root *root,
                      const char *cmdline, int64_t mtime)
{
        _cleanup_free_ char *kernel = NULL, *initrd = NULL, *boot = NULL;
        char shown[64];
        struct grub_request req;
        const char *cfg_path;
        char *cfg = NULL;
        int fd, r;

        if (asprintf(&kernel, "/%s", bc->kernel) < 0 ||
            (bc->initrd && asprintf(&initrd, "/%s", bc->initrd) < 0) || bootchain_removable_path(bc, &boot) < 0)
                return -ENOMEM;
        snprintf(shown, sizeof(shown), "/usr/lib/grub/%s", bc->arch->grub_format);
        req = (struct grub_request) {
                .modules_dir = bc->grub_modules,
                .modules_name = shown,
                .format = bc->arch->grub_format,
                .root_module = bc->root_fs->grub_module,
                .root_fs_uuid = root->fs_id,
                .kernel = kernel,
                .initrd = initrd,
                .cmdline = cmdline,
                .title = bc->os_name,
        };
        /* Into the private directory: nobody else can plant a file there. */
        r = grub_build_image(&req, bf->dir, &fd);
        if (r < 0)
                return r;
        r = bootchain_add_fd(bc, boot, fd, mtime);
        if (r < 0)
                return r;
        r = grub_config(&req, &cfg, &cfg_path);
        if (r < 0)
                return r;
        return bootchain_add_text(bc, cfg_path, cfg, mtime);
}

const struct boot_method boot_grub = {
        .name = "GRUB",
        .bootloader_arg = "grub",
        .present = grub_present,
        .looks_for = grub_looks_for,
        .install_hint = "GRUB's EFI modules",
        .discover = grub_discover,
        .esp_bytes = grub_esp_bytes,
        .build = grub_build,
};
