/* SPDX-License-Identifier: MIT */
#pragma once

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Release resources on every path (as systemd does). */
static inline void freep(void *p) { free(*(void **)p); }
static inline void closep(int *fd)
{
        if (*fd >= 0) {
                int saved = errno;
                close(*fd);
                errno = saved;
        }
}
static inline void fclosep(FILE **f)
{
        if (*f)
                fclose(*f);
}

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)
#define _cleanup_fclose_ _cleanup_(fclosep)

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))
#define KIB ((uint64_t)1024)
#define MIB (KIB * 1024)
#define GIB (MIB * 1024)

/* Unchecked: for small values (name lengths, xattr sizes). Sizes that come
 * from users or content use size_round_up() (base/size.h), which cannot wrap. */
static inline uint64_t round_up(uint64_t v, uint64_t align)
{
        return (v + align - 1) / align * align;
}

/* Write all of buf at offset, retrying short writes; returns 0 or -errno. */
int pwrite_all(int fd, const void *buf, size_t len, uint64_t offset);
/* Read exactly len bytes at offset; -EIO on a short read (EOF). */
int pread_all(int fd, void *buf, size_t len, uint64_t offset);
/*
 * Copy size bytes from in_fd at in_offset to out_fd at out_offset: in the
 * kernel (copy_file_range) where the file systems allow, else through a
 * bounded buffer. Returns 0, -EIO when the input ends early, or -errno.
 */
int copy_range(int in_fd, uint64_t in_offset, int out_fd, uint64_t out_offset, uint64_t size);
