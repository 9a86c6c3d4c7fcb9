/* SPDX-License-Identifier: MIT */
/*
 * Test-only driver for esp/grub.c.
 *
 *   grubbuild image MODULES_DIR FORMAT FS_UUID OUT
 *                  grub_build_image() (in a private directory), its image copied to OUT
 *   grubbuild config OUT FS_UUID KERNEL INITRD|- CMDLINE [TITLE]
 *                  grub_config() into OUT; prints the ESP path on stdout
 *   grubbuild pecheck FILE aa64|arm
 *                  pe_check_efi_app() for the arch's machine and magic
 *
 * Exit 0 on success, 1 on a refused request (the library logged why).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "base/util.h"
#include "esp/grub.h"
#include "esp/pe.h"

static int usage(void)
{
        fprintf(stderr,
                "usage: grubbuild image MODULES_DIR FORMAT FS_UUID OUT\n"
                "       grubbuild config OUT FS_UUID KERNEL INITRD|- CMDLINE [TITLE]\n"
                "       grubbuild pecheck FILE aa64|arm\n");
        return 2;
}

static int write_file(const char *path, const char *text)
{
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

        if (fd < 0)
                return log_error_errno(-errno, "cannot create %s", path);
        return pwrite_all(fd, text, strlen(text), 0);
}

static int do_config(int argc, char **argv)
{
        _cleanup_free_ char *text = NULL;
        const char *esp_path = NULL;
        struct grub_request r = {
                .root_fs_uuid = argv[3],
                .kernel = argv[4],
                .initrd = strcmp(argv[5], "-") == 0 ? NULL : argv[5],
                .cmdline = argv[6],
                .title = argc > 7 ? argv[7] : NULL,
        };
        int k;

        k = grub_config(&r, &text, &esp_path);
        if (k < 0)
                return k;
        k = write_file(argv[2], text);
        if (k < 0)
                return log_error_errno(k, "cannot write %s", argv[2]);
        printf("%s\n", esp_path);
        return 0;
}

/* grub_build_image() in a private directory of its own, then its image copied to out. */
static int do_image(char **argv)
{
        struct grub_request r = {
                .modules_dir = argv[2],
                .format = argv[3],
                .root_module = "ext2",  /* the tests' roots are ext4 */
                .root_fs_uuid = argv[4],
        };
        const char *tmp = getenv("TMPDIR");
        _cleanup_close_ int in = -1, out = -1;
        _cleanup_free_ char *dir = NULL;
        struct stat st;
        int k;

        if (asprintf(&dir, "%s/grubbuild.XXXXXX", tmp && *tmp ? tmp : "/tmp") < 0)
                return -ENOMEM;
        if (!mkdtemp(dir))
                return log_error_errno(-errno, "cannot create %s", dir);
        k = grub_build_image(&r, dir, &in);
        rmdir(dir);
        if (k < 0)
                return k;
        out = open(argv[5], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (out < 0)
                return log_error_errno(-errno, "cannot create %s", argv[5]);
        if (fstat(in, &st) < 0)
                return log_error_errno(-errno, "cannot stat the GRUB image");
        return copy_range(in, 0, out, 0, (uint64_t)st.st_size);
}

static int do_pecheck(const char *path, const char *arch)
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);

        if (fd < 0)
                return log_error_errno(-errno, "cannot open %s", path);
        if (strcmp(arch, "aa64") == 0)
                return pe_check_efi_app(fd, path, PE_MACHINE_ARM64, PE_MAGIC_PE32PLUS);
        if (strcmp(arch, "arm") == 0)
                return pe_check_efi_app(fd, path, PE_MACHINE_ARMTHUMB_MIXED, PE_MAGIC_PE32);
        return log_error(-EINVAL, "unknown arch %s", arch);
}

int main(int argc, char **argv)
{
        int k;

        if (argc == 6 && strcmp(argv[1], "image") == 0)
                k = do_image(argv);
        else if ((argc == 7 || argc == 8) && strcmp(argv[1], "config") == 0)
                k = do_config(argc, argv);
        else if (argc == 4 && strcmp(argv[1], "pecheck") == 0)
                k = do_pecheck(argv[2], argv[3]);
        else
                return usage();
        return k < 0 ? 1 : 0;
}
