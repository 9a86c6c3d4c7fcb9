/* SPDX-License-Identifier: MIT */
#include "mkimage/output.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/log.h"
#include "base/util.h"

/*
 * The signal handler can only use what it finds here: a path copied into a
 * static buffer (no allocation in the handler).
 */
static char cleanup_path[4096];
static volatile sig_atomic_t cleanup_armed;
static char cleanup_dir[4096];
static volatile sig_atomic_t cleanup_dir_armed;

/* A tree cannot be removed with async-signal-safe calls alone, but rm can. */
static void remove_tree_from_handler(const char *dir)
{
        char *const argv[] = { "rm", "-rf", "--", (char *)dir, NULL };
        char *const envp[] = { NULL };
        pid_t pid = fork();

        if (pid == 0) {
                execve("/bin/rm", argv, envp);
                _exit(127);
        }
        if (pid > 0)
                while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                        ;
}

static void on_fatal_signal(int sig)
{
        if (cleanup_armed)
                unlink(cleanup_path);
        if (cleanup_dir_armed)
                remove_tree_from_handler(cleanup_dir);
        signal(sig, SIG_DFL);
        raise(sig);
}

static int install_handlers(void)
{
        static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
        struct sigaction sa = { .sa_handler = on_fatal_signal };

        sigemptyset(&sa.sa_mask);
        for (size_t i = 0; i < ELEMENTSOF(sigs); i++)
                if (sigaction(sigs[i], &sa, NULL) < 0)
                        return -errno;
        /* A file-size limit must be an error we report, not a silent kill. */
        signal(SIGXFSZ, SIG_IGN);
        return 0;
}

static int arm_cleanup(const char *path)
{
        if (strlen(path) >= sizeof(cleanup_path))
                return -ENAMETOOLONG;
        memcpy(cleanup_path, path, strlen(path) + 1);
        cleanup_armed = 1;
        return install_handlers();
}

int output_cleanup_dir(const char *path)
{
        if (strlen(path) >= sizeof(cleanup_dir))
                return -ENAMETOOLONG;
        memcpy(cleanup_dir, path, strlen(path) + 1);
        cleanup_dir_armed = 1;
        return install_handlers();
}

void output_forget_dir(void)
{
        cleanup_dir_armed = 0;
}

static void disarm_cleanup(void)
{
        cleanup_armed = 0;
}

static char *dir_of(const char *path)
{
        char *copy = strdup(path), *d;

        if (!copy)
                return NULL;
        d = strdup(dirname(copy));
        free(copy);
        return d;
}

int output_check(const char *path, bool force)
{
        _cleanup_free_ char *dir = NULL;
        struct stat st;

        if (stat(path, &st) == 0) {
                if (S_ISDIR(st.st_mode))
                        return log_error(-EISDIR, "output %s is a directory", path);
                if (!force)
                        return log_error(-EEXIST, "output %s already exists: remove it or pass --force", path);
                if (!S_ISREG(st.st_mode))
                        return log_error(-EINVAL, "output %s is not a regular file; refusing to replace it", path);
        }
        dir = dir_of(path);
        if (!dir)
                return log_error(-ENOMEM, "out of memory");
        if (access(dir, W_OK | X_OK) < 0)
                return log_error_errno(-errno, "cannot write the output into directory %s", dir);
        return 0;
}

int output_create(struct output *o, const char *path, uint64_t size, bool force)
{
        _cleanup_free_ char *dir = NULL;
        const char *base;
        int r;

        *o = (struct output) { .fd = -1, .force = force };
        o->path = strdup(path);
        dir = dir_of(path);
        base = strrchr(path, '/');
        base = base ? base + 1 : path;
        if (!o->path || !dir || asprintf(&o->tmp_path, "%s/.%s.XXXXXX", dir, base) < 0)
                return log_error(-ENOMEM, "out of memory");

        o->fd = mkostemp(o->tmp_path, O_CLOEXEC);
        if (o->fd < 0) {
                r = log_error_errno(-errno, "cannot create a temporary file in %s", dir);
                free(o->tmp_path);
                o->tmp_path = NULL;
                return r;
        }
        r = arm_cleanup(o->tmp_path);
        if (r < 0) {
                output_abort(o);
                return log_error_errno(r, "cannot set up cleanup of %s", o->tmp_path);
        }
        /* All holes: only what the image really holds takes space. */
        if (ftruncate(o->fd, (off_t)size) < 0) {
                r = log_error_errno(-errno, "cannot size the image to %llu bytes in %s",
                                    (unsigned long long)size, dir);
                output_abort(o);
                return r;
        }
        return 0;
}

static int fsync_dir_of(const char *path)
{
        _cleanup_free_ char *dir = dir_of(path);
        _cleanup_close_ int fd = -1;

        if (!dir)
                return -ENOMEM;
        fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0 || fsync(fd) < 0)
                return -errno;
        return 0;
}

int output_commit(struct output *o)
{
        mode_t mask = umask(0);
        int r;

        umask(mask);
        /* mkstemp made it 0600; an image is an ordinary file. */
        if (fchmod(o->fd, 0666 & ~mask) < 0)
                return log_error_errno(-errno, "cannot set the mode of %s", o->tmp_path);
        if (fsync(o->fd) < 0)
                return log_error_errno(-errno, "cannot write %s", o->tmp_path);

        if (o->force)
                r = rename(o->tmp_path, o->path);
        else
                r = renameat2(AT_FDCWD, o->tmp_path, AT_FDCWD, o->path, RENAME_NOREPLACE);
        if (r < 0) {
                if (errno == EEXIST)
                        return log_error(-EEXIST, "output %s appeared while the image was written: remove it or pass --force", o->path);
                return log_error_errno(-errno, "cannot rename the image to %s", o->path);
        }
        disarm_cleanup();
        free(o->tmp_path);
        o->tmp_path = NULL;

        r = fsync_dir_of(o->path);
        if (r < 0)
                log_warn("cannot sync the directory of %s: %s", o->path, strerror(-r));
        close(o->fd);
        o->fd = -1;
        free(o->path);
        o->path = NULL;
        return 0;
}

void output_abort(struct output *o)
{
        if (o->tmp_path) {
                disarm_cleanup();
                unlink(o->tmp_path);
                free(o->tmp_path);
                o->tmp_path = NULL;
        }
        if (o->fd >= 0) {
                close(o->fd);
                o->fd = -1;
        }
        free(o->path);
        o->path = NULL;
}
