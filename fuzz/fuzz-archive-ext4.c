/* SPDX-License-Identifier: MIT */
/*
 * The archive-to-ext4 path: an input is an archive (tar, cpio, zip, ...,
 * compressed or not) written to a file, opened as a content stream
 * (content_open) and written by ext4_fill() into a small ext4 image.
 *
 * mke2fs is a tool we run, too slow to run per input: LLVMFuzzerInitialize
 * formats the image once (ext4_format) in a private temporary directory and
 * keeps the blocks mke2fs wrote (a freshly formatted image is mostly
 * holes); each input starts from that pristine image again. Seeds: small
 * tar and cpio archives that scripts/fuzz makes with tar and cpio.
 *
 * When ext4_fill() succeeds, `e2fsck -fn` (a reader we did not write) must
 * find the file system clean: an image that is corrupt although mkvmimage
 * exited 0 is the worst outcome, and no sanitizer sees it.
 *
 * A tar header carries a checksum that libarchive checks, so nearly every
 * mutation of a header would stop there: the checksum of every block that
 * looks like a ustar header (at a multiple of 512) is made right first.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "content/content.h"
#include "fs/ext4.h"
#include "fuzz-input.h"

#define IMAGE_SIZE (16u * 1024 * 1024)   /* the smallest root mkvmimage makes */
#define IMAGE_INODES 256u
#define BLOCK EXT4_BLOCK_SIZE

static const struct ext4_params params = {
        .name = "fuzz root",
        .uuid = "8b9e8c7a-3f5e-4f43-9d4b-2f0f6c1d2e3a",
        .hash_seed = "0f1e2d3c-4b5a-4968-8776-655443322110",
        .clamp_time = -1,          /* keep the archive's times: they are input too */
        .inodes = IMAGE_INODES,
};

static const char *image;          /* the image file */
static uint8_t *pristine;          /* the formatted image, IMAGE_SIZE bytes */
static bool *written;              /* per block: not all zeros in pristine */

static bool all_zero(const uint8_t *p, size_t n)
{
        return p[0] == 0 && memcmp(p, p + 1, n - 1) == 0;
}

/* The image file holds the pristine image again: zeros (holes) and the blocks mke2fs wrote. */
static void reset_image(void)
{
        int fd = open(image, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);

        if (fd < 0)
                fuzz_die("open image");
        if (ftruncate(fd, 0) < 0 || ftruncate(fd, IMAGE_SIZE) < 0)
                fuzz_die("ftruncate image");
        for (size_t b = 0; b < IMAGE_SIZE / BLOCK; b++)
                if (written[b] && pwrite(fd, pristine + b * BLOCK, BLOCK, (off_t) b * BLOCK) != BLOCK)
                        fuzz_die("pwrite image");
        close(fd);
}

static void format_image(void)
{
        int fd;

        image = fuzz_file("root.img");
        fd = open(image, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0 || ftruncate(fd, IMAGE_SIZE) < 0)
                fuzz_die("create image");
        if (ext4_format(image, 0, IMAGE_SIZE, &params) < 0) {
                errno = EIO;
                fuzz_die("ext4_format (mke2fs)");
        }
        pristine = malloc(IMAGE_SIZE);
        written = calloc(IMAGE_SIZE / BLOCK, sizeof(*written));
        if (!pristine || !written)
                fuzz_die("malloc");
        if (pread(fd, pristine, IMAGE_SIZE, 0) != IMAGE_SIZE)
                fuzz_die("read image");
        close(fd);
        for (size_t b = 0; b < IMAGE_SIZE / BLOCK; b++)
                written[b] = !all_zero(pristine + b * BLOCK, BLOCK);
}

#define TAR_BLOCK 512

/* Every block at a multiple of 512 that says "ustar" at 257 gets the
 * checksum tar would write: the byte sum, the field read as spaces. */
static void fix_tar_checksums(uint8_t *p, size_t size)
{
        for (size_t at = 0; size - at >= TAR_BLOCK; at += TAR_BLOCK) {
                uint8_t *h = p + at;
                unsigned sum = 0;

                if (memcmp(h + 257, "ustar", 5) != 0)
                        continue;
                memset(h + 148, ' ', 8);
                for (size_t i = 0; i < TAR_BLOCK; i++)
                        sum += h[i];
                snprintf((char *) h + 148, 8, "%06o", sum & 0777777);
        }
}

extern char **environ;

/* e2fsck -fn on the image; its report goes to /dev/null unless `show`.
 * Returns its wait status. */
static int run_e2fsck(bool show)
{
        char *argv[] = { "e2fsck", "-fn", (char *) image, NULL };
        posix_spawn_file_actions_t actions;
        pid_t pid;
        int status = 0;

        if (posix_spawn_file_actions_init(&actions) != 0 ||
            (!show && posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0) != 0) ||
            posix_spawnp(&pid, "e2fsck", &actions, NULL, argv, environ) != 0)
                fuzz_die("running e2fsck");
        posix_spawn_file_actions_destroy(&actions);
        /* libFuzzer's -timeout alarm interrupts the wait. */
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        fuzz_die("waiting for e2fsck");
        return status;
}

/* The filled image must be clean, or abort (e2fsck's report goes to
 * stdout, which libFuzzer's -close_fd_mask=2 leaves open). */
static void check_image(void)
{
        int status = run_e2fsck(false);

        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                fprintf(stderr, "fuzz-archive-ext4: ext4_fill() succeeded, but e2fsck -fn finds the file system "
                        "corrupt (status 0x%x)\n", (unsigned) status);
                run_e2fsck(true);
                abort();
        }
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        format_image();
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static const char *path;
        struct content *c = NULL;
        uint8_t *archive = malloc(size ? size : 1);

        if (!archive)
                abort();
        if (!path)
                path = fuzz_file("rootfs.archive");
        memcpy(archive, data, size);
        fix_tar_checksums(archive, size);
        fuzz_file_set(path, archive, size);
        free(archive);
        reset_image();
        if (content_open(path, &c) < 0)
                return 0;
        if (ext4_fill(image, 0, c, &params) == 0)
                check_image();
        content_free(c);
        return 0;
}
