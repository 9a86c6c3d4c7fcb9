/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The fuzz targets' helpers. The readers under test take a file: those
 * that take an fd get an in-memory file (memfd) made once per process and
 * rewritten per input; those that open a path get a real file in a private
 * directory (a memfd's /proc/self/fd/N is a symlink, which a reader may
 * rightly refuse to follow). The directory is made with mkdtemp in
 * $MKVM_FUZZ_TMPDIR (scripts/fuzz: a directory of its own in /dev/shm that
 * it removes, as a crash skips the exit handlers), else /dev/shm (memory,
 * fast), else $TMPDIR, else /tmp, and removed at exit.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define FUZZ_PATH_MAX 4096
#define FUZZ_FILES_MAX 4

static char fuzz_dir_path[FUZZ_PATH_MAX];
static char fuzz_files[FUZZ_FILES_MAX][FUZZ_PATH_MAX + 64];
static int fuzz_n_files;

static inline _Noreturn void fuzz_die(const char *what)
{
        fprintf(stderr, "fuzz: %s failed: %s\n", what, strerror(errno));
        abort();
}

static inline int fuzz_memfd(const char *name)
{
        int fd = memfd_create(name, MFD_CLOEXEC);

        if (fd < 0)
                fuzz_die("memfd_create");
        return fd;
}

/* The file at fd now holds data[0..size), grown with zeros (a sparse tail)
 * to min_size when it is shorter. Aborts on an I/O error of the memfd. */
static inline void fuzz_memfd_set(int fd, const uint8_t *data, size_t size, uint64_t min_size)
{
        uint64_t total = size > min_size ? size : min_size;
        size_t done = 0;

        if (ftruncate(fd, 0) < 0 || ftruncate(fd, (off_t) total) < 0)
                fuzz_die("ftruncate");
        while (done < size) {
                ssize_t w = pwrite(fd, data + done, size - done, (off_t) done);

                if (w <= 0)
                        fuzz_die("pwrite");
                done += (size_t) w;
        }
}

static inline void fuzz_remove_files(void)
{
        for (int i = 0; i < fuzz_n_files; i++)
                unlink(fuzz_files[i]);
        rmdir(fuzz_dir_path);
}

/* The path of a file `name` in the private directory (made on first use). */
static inline const char *fuzz_file(const char *name)
{
        if (!fuzz_dir_path[0]) {
                const char *tmp = getenv("MKVM_FUZZ_TMPDIR") ?:
                                  access("/dev/shm", W_OK) == 0 ? "/dev/shm" : (getenv("TMPDIR") ?: "/tmp");

                snprintf(fuzz_dir_path, sizeof(fuzz_dir_path), "%s/mkvm-fuzz.XXXXXX", tmp);
                if (!mkdtemp(fuzz_dir_path))
                        fuzz_die("mkdtemp");
                atexit(fuzz_remove_files);
        }
        if (fuzz_n_files == FUZZ_FILES_MAX)
                abort();
        snprintf(fuzz_files[fuzz_n_files], sizeof(fuzz_files[0]), "%s/%s", fuzz_dir_path, name);
        return fuzz_files[fuzz_n_files++];
}

/* The file at path now holds exactly data[0..size). */
static inline void fuzz_file_set(const char *path, const uint8_t *data, size_t size)
{
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
        size_t done = 0;

        if (fd < 0)
                fuzz_die("open");
        while (done < size) {
                ssize_t w = write(fd, data + done, size - done);

                if (w <= 0)
                        fuzz_die("write");
                done += (size_t) w;
        }
        close(fd);
}
