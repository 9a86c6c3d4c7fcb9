/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The fuzz targets' one helper: the readers under test take a file (an fd
 * or a path), so each input is put into an in-memory file (memfd) made once
 * per process and rewritten per input. Its path, /proc/self/fd/N, serves
 * the readers that open by name.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

static inline int fuzz_memfd(const char *name)
{
        int fd = memfd_create(name, MFD_CLOEXEC);

        if (fd < 0) {
                perror("memfd_create");
                abort();
        }
        return fd;
}

/* The file at fd now holds data[0..size), grown with zeros (a sparse tail)
 * to min_size when it is shorter. Aborts on an I/O error of the memfd. */
static inline void fuzz_memfd_set(int fd, const uint8_t *data, size_t size, uint64_t min_size)
{
        uint64_t total = size > min_size ? size : min_size;
        size_t done = 0;

        if (ftruncate(fd, 0) < 0 || ftruncate(fd, (off_t) total) < 0) {
                perror("ftruncate");
                abort();
        }
        while (done < size) {
                ssize_t w = pwrite(fd, data + done, size - done, (off_t) done);

                if (w <= 0) {
                        perror("pwrite");
                        abort();
                }
                done += (size_t) w;
        }
}

static inline void fuzz_fd_path(int fd, char buf[static 32])
{
        snprintf(buf, 32, "/proc/self/fd/%d", fd);
}
