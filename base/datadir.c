/* SPDX-License-Identifier: MIT */
#include "base/datadir.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "base/util.h"

/* Set by the build from GNUInstallDirs (BINDIR -> DATADIR/mkvmimage):
 * a relative path, so nothing of the build machine ends up in a binary. */
#ifndef MKVM_DATA_DIR_FROM_BINDIR
#define MKVM_DATA_DIR_FROM_BINDIR "../share/mkvmimage"
#endif

/* The directory holding the running program, with links resolved (the
 * kernel gives the real path), so a link to the program in another
 * directory still finds the data beside the real install. */
static int program_dir(char **ret)
{
        _cleanup_free_ char *exe = NULL;
        size_t size = 256;
        char *slash;

        for (;;) {
                ssize_t n;

                free(exe);
                exe = malloc(size);
                if (!exe)
                        return -ENOMEM;
                n = readlink("/proc/self/exe", exe, size);
                if (n < 0)
                        return -errno;
                if ((size_t) n < size) {
                        exe[n] = '\0';
                        break;
                }
                if (size >= PATH_MAX * 4)
                        return -ENAMETOOLONG;
                size *= 2;
        }
        slash = strrchr(exe, '/');
        if (!slash)
                return -EINVAL;
        *slash = '\0';
        *ret = exe;
        exe = NULL;
        return 0;
}

int data_dir_path(const char *name, char **ret)
{
        _cleanup_free_ char *bindir = NULL, *dir = NULL;
        const char *env = getenv("MKVMIMAGE_DATA_DIR");
        char *resolved;
        int r;

        if (env && *env) {
                dir = strdup(env);
                if (!dir)
                        return -ENOMEM;
        } else {
                r = program_dir(&bindir);
                if (r < 0)
                        return log_error_errno(r, "cannot read /proc/self/exe to find mkvmimage's data "
                                               "(layouts) beside the program; set MKVMIMAGE_DATA_DIR");
                if (asprintf(&dir, "%s/%s", bindir, MKVM_DATA_DIR_FROM_BINDIR) < 0)
                        return -ENOMEM;
                /* "/usr/share/mkvmimage" reads better in messages than
                 * "/usr/bin/../share/mkvmimage"; a directory that is not
                 * there keeps the path it was looked for at. */
                resolved = realpath(dir, NULL);
                if (resolved) {
                        free(dir);
                        dir = resolved;
                }
        }
        if (!name) {
                *ret = dir;
                dir = NULL;
                return 0;
        }
        return asprintf(ret, "%s/%s", dir, name) < 0 ? -ENOMEM : 0;
}
