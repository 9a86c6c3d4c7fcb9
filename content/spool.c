/* SPDX-License-Identifier: MIT */
#include "content/spool.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/time.h>
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

/* Copy everything `in` gives into a new unlinked file beside `near`; `what` names it. */
static int spool_fd(const char *near, int in, const char *what, int *ret_fd)
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
                return log_error_errno(-errno, "cannot create a spool file for %s in %s", what, dir);

        while ((n = read(in, buf, sizeof(buf))) != 0) {
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return log_error_errno(-errno, "cannot read %s", what);
                }
                r = pwrite_all(fd, buf, (size_t)n, total);
                if (r < 0)
                        return log_error_errno(r, "cannot spool %s in %s", what, dir);
                total += (uint64_t)n;
        }
        if (total == 0)
                return log_error(-EINVAL, "%s is empty, not an archive (an empty root needs an empty "
                                 "archive, e.g. tar -cf - -T /dev/null)", what);
        *ret_fd = fd;
        fd = -1;
        return 0;
}

int spool_stdin(const char *near, int *ret_fd)
{
        return spool_fd(near, STDIN_FILENO, "standard input", ret_fd);
}

bool spool_needed(const char *path)
{
        struct stat st;

        return stat(path, &st) == 0 && !S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode);
}

static volatile sig_atomic_t ticks;

static void on_tick(int sig)
{
        (void)sig;
        ticks++;
}

/*
 * Opening a FIFO blocks until a writer opens it. A repeating timer
 * interrupts the open (no SA_RESTART) so that it can give up; repeating,
 * because a tick that lands just before the open blocks is lost.
 */
static int open_waiting_for_writer(const char *path)
{
        struct sigaction sa = { .sa_handler = on_tick }, old_sa;
        struct itimerval tick = { { 0, 100000 }, { 0, 100000 } }, old_timer;
        int fd, err;

        sigemptyset(&sa.sa_mask);
        ticks = 0;
        if (sigaction(SIGALRM, &sa, &old_sa) < 0)
                return -errno;
        setitimer(ITIMER_REAL, &tick, &old_timer);
        do {
                fd = open(path, O_RDONLY | O_CLOEXEC);
                err = errno;
        } while (fd < 0 && err == EINTR && ticks < SPOOL_WRITER_WAIT * 10);
        setitimer(ITIMER_REAL, &old_timer, NULL);
        sigaction(SIGALRM, &old_sa, NULL);
        if (fd < 0)
                return err == EINTR ? -ETIMEDOUT : -err;
        return fd;
}

int spool_path(const char *near, const char *path, int *ret_fd)
{
        _cleanup_close_ int in = open_waiting_for_writer(path);

        if (in == -ETIMEDOUT)
                return log_error(-ETIMEDOUT, "ROOTFS %s: nothing opened it for writing within %d s: start the writer first, or give a directory or an archive file",
                                 path, SPOOL_WRITER_WAIT);
        if (in < 0)
                return log_error_errno(in, "cannot open ROOTFS %s", path);
        return spool_fd(near, in, path, ret_fd);
}
