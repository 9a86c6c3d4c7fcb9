/* SPDX-License-Identifier: MIT */
#include "base/output.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
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

/* The name every run directory has: what SIGKILL can leave (docs/mkvmimage.md). */
#define RUNDIR_TEMPLATE ".mkvmimage-XXXXXX"

static const int fatal_signals[] = { SIGINT, SIGTERM, SIGHUP };

/*
 * The signal handler can only use what it finds here: a path copied into a
 * static buffer (no allocation in the handler). One run directory per
 * process.
 */
static char cleanup_dir[4096];
static volatile sig_atomic_t cleanup_armed;

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
                remove_tree_from_handler(cleanup_dir);
        signal(sig, SIG_DFL);
        raise(sig);
}

static void fatal_set(sigset_t *set)
{
        sigemptyset(set);
        for (size_t i = 0; i < ELEMENTSOF(fatal_signals); i++)
                sigaddset(set, fatal_signals[i]);
}

int output_signals_setup(void)
{
        static bool done;
        struct sigaction sa = { .sa_handler = on_fatal_signal }, old;

        if (done)
                return 0;
        /* One signal's cleanup is never interrupted by another's. */
        fatal_set(&sa.sa_mask);
        for (size_t i = 0; i < ELEMENTSOF(fatal_signals); i++) {
                if (sigaction(fatal_signals[i], NULL, &old) < 0)
                        return -errno;
                /* Ignored at start (nohup): the user asked to survive it. */
                if (old.sa_handler == SIG_IGN)
                        continue;
                if (sigaction(fatal_signals[i], &sa, NULL) < 0)
                        return -errno;
        }
        /* A closed pipe (`mkvmimage ... | head`) is a write error we handle,
         * a file-size limit an error we report: never a silent kill. */
        signal(SIGPIPE, SIG_IGN);
        signal(SIGXFSZ, SIG_IGN);
        done = true;
        return 0;
}

static int remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
        (void)st;
        (void)ftw;
        (void)(type == FTW_DP ? rmdir(path) : unlink(path));
        return 0;
}

static void remove_rundir(struct output *o)
{
        if (!o->rundir)
                return;
        /* FTW_PHYS: never follow a link someone left in it. A signal
         * meanwhile still removes what is left. */
        (void)nftw(o->rundir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
        cleanup_armed = 0;
        free(o->rundir);
        o->rundir = NULL;
}

static char *dir_of(const char *path)
{
        _cleanup_free_ char *copy = strdup(path);

        return copy ? strdup(dirname(copy)) : NULL;
}

/* A symlink as the target: followed only under --force, only to a regular file. */
static int resolve_symlink(struct output *o)
{
        char link[4096];
        ssize_t n = readlink(o->path, link, sizeof(link) - 1);
        struct stat st;

        link[n < 0 ? 0 : n] = '\0';
        if (stat(o->path, &st) < 0)
                return log_error(-ENOENT, "output %s is a symlink to %s, which does not exist: remove the link or write elsewhere",
                                 o->path, link);
        if (!(o->flags & OUTPUT_FORCE))
                return log_error(-EEXIST, "output %s already exists (a symlink to %s): remove it or pass --force to write through the link",
                                 o->path, link);
        if (!S_ISREG(st.st_mode))
                return log_error(-EINVAL, "output %s is a symlink to %s, which is not a regular file: refusing to replace it",
                                 o->path, link);
        o->target = realpath(o->path, NULL);
        if (!o->target)
                return log_error_errno(-errno, "cannot resolve the output symlink %s", o->path);
        return 0;
}

/* Decide what the rename will replace, refusing what must never be replaced. */
static int check_target(struct output *o)
{
        struct stat st;

        if (lstat(o->path, &st) < 0) {
                if (errno != ENOENT)
                        return log_error_errno(-errno, "cannot use %s as the output", o->path);
        } else if (S_ISLNK(st.st_mode) && !(o->flags & OUTPUT_DIR)) {
                return resolve_symlink(o);
        } else if (o->flags & OUTPUT_DIR) {
                if (!S_ISDIR(st.st_mode))
                        return log_error(-EEXIST, "%s exists and is not a directory", o->path);
        } else if (S_ISDIR(st.st_mode)) {
                return log_error(-EISDIR, "output %s is a directory", o->path);
        } else if (!(o->flags & OUTPUT_FORCE)) {
                return log_error(-EEXIST, "output %s already exists: remove it or pass --force", o->path);
        } else if (!S_ISREG(st.st_mode)) {
                return log_error(-EINVAL, "output %s is not a regular file; refusing to replace it", o->path);
        }
        o->target = strdup(o->path);
        return o->target ? 0 : log_error(-ENOMEM, "out of memory");
}

/* mkdtemp and arming the cleanup are one step for a signal: it sees both or neither. */
static int make_rundir(struct output *o, const char *dir)
{
        sigset_t block, old;
        int r = 0;

        if (asprintf(&o->rundir, "%s/" RUNDIR_TEMPLATE, dir) < 0) {
                o->rundir = NULL;
                return log_error(-ENOMEM, "out of memory");
        }
        if (strlen(o->rundir) >= sizeof(cleanup_dir))
                return log_error(-ENAMETOOLONG, "cannot write into %s: path too long", dir);
        fatal_set(&block);
        sigprocmask(SIG_BLOCK, &block, &old);
        if (mkdtemp(o->rundir)) {
                memcpy(cleanup_dir, o->rundir, strlen(o->rundir) + 1);
                cleanup_armed = 1;
        } else
                r = -errno;
        sigprocmask(SIG_SETMASK, &old, NULL);
        if (r < 0) {
                free(o->rundir);
                o->rundir = NULL;
                return log_error_errno(r, "cannot write the output into directory %s (cannot create a temporary directory there)", dir);
        }
        return 0;
}

int output_begin(struct output *o, const char *path, unsigned flags)
{
        _cleanup_free_ char *dir = NULL;
        const char *tmp = getenv("TMPDIR");
        int r;

        *o = (struct output) { .fd = -1, .flags = flags };
        r = output_signals_setup();
        if (r < 0)
                return log_error_errno(r, "cannot set up the cleanup of temporary files");
        if (!path)
                return make_rundir(o, tmp && *tmp ? tmp : "/tmp");
        if (!*path)
                return log_error(-EINVAL, "the output path is empty");
        o->path = strdup(path);
        if (!o->path)
                return log_error(-ENOMEM, "out of memory");
        r = check_target(o);
        if (r < 0)
                return r;
        dir = dir_of(o->target);
        if (!dir)
                return log_error(-ENOMEM, "out of memory");
        return make_rundir(o, dir);
}

char *output_run_path(const struct output *o, const char *name)
{
        char *p;

        return asprintf(&p, "%s/%s", o->rundir, name) < 0 ? NULL : p;
}

int output_create_file(struct output *o, uint64_t size)
{
        o->tmp_path = output_run_path(o, "output");
        if (!o->tmp_path)
                return log_error(-ENOMEM, "out of memory");
        /* The run directory is ours alone; O_EXCL|O_NOFOLLOW all the same. */
        o->fd = open(o->tmp_path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (o->fd < 0)
                return log_error_errno(-errno, "cannot create %s", o->tmp_path);
        /* All holes: only what the output really holds takes space. */
        if (ftruncate(o->fd, (off_t)size) < 0)
                return log_error_errno(-errno, "cannot size %s to %llu bytes", o->tmp_path,
                                       (unsigned long long)size);
        return 0;
}

int output_create_dir(struct output *o)
{
        o->tmp_path = output_run_path(o, "output");
        if (!o->tmp_path)
                return log_error(-ENOMEM, "out of memory");
        if (mkdir(o->tmp_path, 0700) < 0)
                return log_error_errno(-errno, "cannot create %s", o->tmp_path);
        o->fd = open(o->tmp_path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (o->fd < 0)
                return log_error_errno(-errno, "cannot open %s", o->tmp_path);
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

static int rename_onto_target(struct output *o)
{
        int r;

        /* A directory may replace an empty one; a file replaces only under --force. */
        if (o->flags & (OUTPUT_FORCE | OUTPUT_DIR))
                r = rename(o->tmp_path, o->target);
        else
                r = renameat2(AT_FDCWD, o->tmp_path, AT_FDCWD, o->target, RENAME_NOREPLACE);
        if (r == 0)
                return 0;
        if (errno == EEXIST || errno == ENOTEMPTY)
                return log_error(-EEXIST, "output %s appeared while it was written: remove it%s", o->path,
                                 o->flags & OUTPUT_DIR ? "" : " or pass --force");
        return log_error_errno(-errno, "cannot rename %s to %s", o->tmp_path, o->target);
}

int output_commit(struct output *o, mode_t mode)
{
        int r;

        if (fchmod(o->fd, mode) < 0)
                return log_error_errno(-errno, "cannot set the mode of %s", o->tmp_path);
        if (fsync(o->fd) < 0)
                return log_error_errno(-errno, "cannot write %s", o->tmp_path);
        r = rename_onto_target(o);
        if (r < 0)
                return r;
        free(o->tmp_path);
        o->tmp_path = NULL;
        r = fsync_dir_of(o->target);
        if (r < 0)
                log_warn("cannot sync the directory of %s: %s", o->target, strerror(-r));
        output_abort(o);
        return 0;
}

void output_abort(struct output *o)
{
        if (o->fd >= 0)
                close(o->fd);
        o->fd = -1;
        remove_rundir(o);
        free(o->tmp_path);
        free(o->target);
        free(o->path);
        o->tmp_path = o->target = o->path = NULL;
}
