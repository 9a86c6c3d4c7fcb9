/* SPDX-License-Identifier: MIT */
#include "base/util.h"

#include <stdbool.h>
#include <sys/param.h>

int pwrite_all(int fd, const void *buf, size_t len, uint64_t offset)
{
        const char *p = buf;

        while (len > 0) {
                ssize_t n = pwrite(fd, p, len, (off_t)offset);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                p += n;
                len -= (size_t)n;
                offset += (uint64_t)n;
        }
        return 0;
}

int pread_all(int fd, void *buf, size_t len, uint64_t offset)
{
        char *p = buf;

        while (len > 0) {
                ssize_t n = pread(fd, p, len, (off_t)offset);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        return -EIO;
                p += n;
                len -= (size_t)n;
                offset += (uint64_t)n;
        }
        return 0;
}

#define COPY_BUFFER_SIZE (1 * MIB)

/* The file systems or kernel cannot copy_file_range() between these files. */
static bool copy_file_range_unsupported(int err)
{
        return err == EXDEV || err == EINVAL || err == ENOSYS || err == EOPNOTSUPP || err == EBADF;
}

int copy_range(int in_fd, uint64_t in_offset, int out_fd, uint64_t out_offset, uint64_t size)
{
        _cleanup_free_ char *buf = NULL;
        bool in_kernel = true;
        uint64_t done = 0;
        int r;

        while (done < size) {
                uint64_t left = size - done;
                ssize_t k;

                if (in_kernel) {
                        off_t in = (off_t) (in_offset + done), out = (off_t) (out_offset + done);

                        k = copy_file_range(in_fd, &in, out_fd, &out, (size_t) MIN(left, GIB), 0);
                        if (k < 0) {
                                if (errno == EINTR)
                                        continue;
                                if (copy_file_range_unsupported(errno)) {
                                        in_kernel = false;
                                        continue;
                                }
                                return -errno;
                        }
                } else {
                        if (!buf) {
                                buf = malloc(COPY_BUFFER_SIZE);
                                if (!buf)
                                        return -ENOMEM;
                        }
                        k = pread(in_fd, buf, (size_t) MIN(left, COPY_BUFFER_SIZE), (off_t) (in_offset + done));
                        if (k < 0) {
                                if (errno == EINTR)
                                        continue;
                                return -errno;
                        }
                        if (k > 0) {
                                r = pwrite_all(out_fd, buf, (size_t) k, out_offset + done);
                                if (r < 0)
                                        return r;
                        }
                }
                if (k == 0)
                        return -EIO;
                done += (uint64_t) k;
        }
        return 0;
}
