/* SPDX-License-Identifier: MIT */
#include "content/spool.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "base/util.h"

static int open_unlinked(const char *dir)
{
        _cleanup_free_ char *path = NULL;
        int fd;

        fd = open(dir, O_RDWR | O_TMPFILE | O_CLOEXEC, 0600);
        if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR))
                return fd;
        /* File systems without O_TMPFILE: create, then unlink at once. */
        if (asprintf(&path, "%s/.mkvmimage-stdin.XXXXXX", dir) < 0) {
                errno = ENOMEM;
                return -1;
        }
        fd = mkostemp(path, O_CLOEXEC);
        if (fd >= 0)
                unlink(path);
        return fd;
}

int spool_stdin(const char *near, int *ret_fd)
{
        _cleanup_free_ char *copy = strdup(near);
        _cleanup_close_ int fd = -1;
        char buf[1 << 16];
        uint64_t total = 0;
        const char *dir;
        ssize_t n;
        int r;

        if (!copy)
                return log_error(-ENOMEM, "out of memory");
        dir = dirname(copy);
        fd = open_unlinked(dir);
        if (fd < 0)
                return log_error_errno(-errno, "cannot create a spool file for standard input in %s", dir);

        while ((n = read(STDIN_FILENO, buf, sizeof(buf))) != 0) {
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return log_error_errno(-errno, "cannot read standard input");
                }
                r = pwrite_all(fd, buf, (size_t)n, total);
                if (r < 0)
                        return log_error_errno(r, "cannot spool standard input in %s", dir);
                total += (uint64_t)n;
        }
        if (total == 0)
                return log_error(-EINVAL, "standard input is empty: expected an archive (e.g. tar -C rootfs -c . | mkvmimage ... -)");
        *ret_fd = fd;
        fd = -1;
        return 0;
}
