/* SPDX-License-Identifier: MIT */
#include "util.h"

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
