/* SPDX-License-Identifier: MIT */
#include "base/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"

const char *file_type_name(unsigned mode)
{
        switch (mode & S_IFMT) {
        case S_IFREG:  return "a regular file";
        case S_IFDIR:  return "a directory";
        case S_IFIFO:  return "a FIFO";
        case S_IFCHR:  return "a character device";
        case S_IFBLK:  return "a block device";
        case S_IFSOCK: return "a socket";
        case S_IFLNK:  return "a symbolic link";
        default:       return "not a file";
        }
}

static int open_checked(const char *path, int flags, bool allow_block, const char *what)
{
        struct stat st;
        int fd, fl;

        /* O_NONBLOCK: opening a FIFO without a writer returns at once instead of waiting. */
        fd = open(path, flags | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
        if (fd < 0)
                return log_error_errno(-errno, "cannot open %s %s", what, path);
        if (fstat(fd, &st) < 0) {
                int r = log_error_errno(-errno, "cannot stat %s %s", what, path);
                close(fd);
                return r;
        }
        if (!S_ISREG(st.st_mode) && !(allow_block && S_ISBLK(st.st_mode))) {
                close(fd);
                return log_error(-EINVAL, "%s %s is not a regular file (%s): give a %sfile", what, path,
                                 file_type_name(st.st_mode), allow_block ? "block device or a regular " : "regular ");
        }
        /* Regular files never block; clear the flag so reads behave as usual. */
        fl = fcntl(fd, F_GETFL);
        if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
                int r = log_error_errno(-errno, "cannot open %s %s", what, path);
                close(fd);
                return r;
        }
        return fd;
}

int open_regular_file(const char *path, int flags, const char *what)
{
        return open_checked(path, flags, false, what);
}

int open_regular_file_or_block(const char *path, int flags, const char *what)
{
        return open_checked(path, flags, true, what);
}

int fopen_regular_file(const char *path, const char *what, FILE **ret)
{
        int fd = open_regular_file(path, O_RDONLY, what);
        FILE *f;

        if (fd < 0)
                return fd;
        f = fdopen(fd, "r");
        if (!f) {
                int r = log_error_errno(-errno, "cannot read %s %s", what, path);
                close(fd);
                return r;
        }
        *ret = f;
        return 0;
}
