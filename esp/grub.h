/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The GRUB boot path: a GRUB EFI image built by the host's grub-mkimage from
 * the GRUB modules the root file system carries (usr/lib/grub/<format>/), so
 * the bootloader matches the rootfs's own GRUB version exactly.
 *
 * What ends up where:
 *
 *   \EFI\BOOT\BOOTAA64.EFI (BOOTARM.EFI)   grub_build_image()'s output: GRUB's
 *        kernel, the modules grub.c lists (with the root file system's own, root_module)
 *        and an embedded early config
 *        that finds the root file system by its file-system UUID (sets $root) and
 *        then reads the grub.cfg in the ESP directory it was itself loaded
 *        from ($cmdpath):
 *
 *            search --no-floppy --fs-uuid --set=root <root_fs_uuid>
 *            configfile $cmdpath/grub.cfg
 *
 *        (GRUB reads it with its rescue parser: plain commands only. When no
 *        file system has the UUID, search says "no such device: <uuid>" and
 *        the kernel is then not found on the ESP.)
 *
 *   EFI/BOOT/grub.cfg (GRUB_CONFIG_ESP_PATH)   grub_config()'s text: timeout
 *        0, one menu entry: linux <kernel> <cmdline>; initrd <initrd>. Kernel
 *        and initrd are read from $root, i.e. stay in the root's /boot.
 *
 * The root is found by its file-system UUID, not the PARTUUID: GRUB 2.06 (Debian
 * 12) has no search by partition UUID (search --part-uuid came later). The
 * kernel still gets root=PARTUUID=... through the command line.
 *
 * grub-mkimage's output is a function of its inputs alone (GRUB stamps PE
 * files with a fixed time, 2015-01-01), so same request + same modules =
 * same bytes; there is no time to clamp.
 *
 * grub.c runs grub-mkimage through spawn_tool() (base/spawn.c, in
 * mkvm_base).
 */

/* The ESP path of the generated grub.cfg: beside the GRUB image, where the
 * embedded config's "$cmdpath/grub.cfg" finds it. */
#define GRUB_CONFIG_ESP_PATH "EFI/BOOT/grub.cfg"

/* The Debian package that ships grub-mkimage (named when it is missing). */
#define GRUB_MKIMAGE_PACKAGE "grub-common"

struct grub_request {
        const char *modules_dir;   /* host path of a directory of regular files: GRUB's modules */
        const char *modules_name;  /* how messages name it ("/usr/lib/grub/arm64-efi"), or NULL: modules_dir */
        const char *format;        /* grub-mkimage -O: "arm64-efi" or "arm-efi" (arch table's grub_format) */
        const char *root_module;   /* the module that reads the root's file system ("ext2" for ext4), or NULL */
        const char *root_fs_uuid;  /* the root's file-system UUID, "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" */
        const char *kernel;        /* absolute path inside the root: "/boot/vmlinuz-6.1.0-26-arm64" */
        const char *initrd;        /* absolute path inside the root, or NULL */
        const char *cmdline;       /* kernel command line: "root=PARTUUID=... rw console=ttyAMA0" */
        const char *title;         /* menu entry title (os-release PRETTY_NAME), or NULL: "Linux" */
};

/*
 * Check that modules_dir is a GRUB module directory for r->format with every
 * module the image needs (names the missing ones; says which format a wrong
 * directory is for). grub_build_image() calls it; exposed so that the CLI
 * can refuse early, before any image is written.
 */
int grub_check_modules(const struct grub_request *r);

/*
 * Build the GRUB EFI image with grub-mkimage, run with an argv array, in
 * `dir`, a directory only we can write to: its embedded config is written
 * to dir/grub-early.cfg and the image to dir/grub.efi, each created anew
 * (O_EXCL, O_NOFOLLOW), and both are gone when this returns. The image is
 * returned open read-only in *ret_fd. Errors are logged: grub-mkimage
 * missing (names the package grub-common), module directory
 * missing/incomplete/of another format, invalid UUID, grub-mkimage failing
 * (its output is shown). Returns 0 or a negative errno.
 */
int grub_build_image(const struct grub_request *r, const char *dir, int *ret_fd);

/*
 * The grub.cfg text for r (malloc'ed, the caller frees *ret_text) and the
 * ESP path it goes to (*ret_esp_path = GRUB_CONFIG_ESP_PATH, static).
 * The command line is split into words as the kernel splits it (blanks,
 * except inside double quotes, which are dropped: GRUB puts them back around
 * a word holding a blank) and each word is quoted for GRUB's script parser
 * ($, ;, braces reach the kernel as written).
 * Refused with -EINVAL (logged): an invalid root_fs_uuid, a kernel or initrd
 * path that is not absolute or holds ' or control characters, a command
 * line with control characters, an unbalanced ", or ' or \ (GRUB 2.06
 * backslash-escapes those on their way to the kernel, which would then not
 * see what was written). Title: any text (' is quoted, control characters
 * become blanks).
 */
int grub_config(const struct grub_request *r, char **ret_text, const char **ret_esp_path);
