/* SPDX-License-Identifier: MIT */
#include "qemu-test/qemu.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/file.h"
#include "base/log.h"
#include "base/util.h"
#include "platform/qemu-argv.h"

/* Firmware prints within a second or two even under TCG; silence means a hang. */
#define NO_OUTPUT_SEC 30u

static uint64_t now_usec(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
}

double run_seconds(const struct run *r)
{
        return r->end_usec > r->start_usec ? (double) (r->end_usec - r->start_usec) / 1e6 : 0.0;
}

/* Memory and CPUs of every run: enough for every guest booted so far. */
#define RUN_MEMORY_MIB 1024u
#define RUN_CPUS 2u

int qemu_build_argv(const struct run_config *c, const struct platform *p, const char *vars, char ***ret)
{
        bool in_place = c->vars_source == VARS_PARTITION_IN_PLACE;
        struct machine_config mc = {
                .cell = p,
                .qemu = c->qemu,
                .memory_mib = RUN_MEMORY_MIB,
                .cpus = RUN_CPUS,
                /* The serial console on stdout (our pipe); no monitor, no display. */
                .console = QEMU_CONSOLE_PIPE,
                /* A reset ends the run: a guest that reboots has failed, not passed. */
                .no_reboot = true,
                .disk = c->image,
                /* Writes go to a temporary overlay, never to the image (with --persist
                 * only the varstore window writes to it). */
                .snapshot = true,
                .code = c->edk2 ? c->edk2->code : NULL,
                .vars = vars,
                .vars_offset = in_place ? c->info->varstore_offset : 0,
                .vars_size = in_place ? c->info->varstore_size : 0,
                .bios = c->uboot,
        };

        return platform_qemu_argv(&mc, ret);
}

static bool is_zero(const uint8_t *p, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (p[i])
                        return false;
        return true;
}

/*
 * A sparse copy of len bytes of from at offset (UINT64_MAX: to its end):
 * Debian's VARS template and a fresh varstore are 64 MiB of mostly zeros.
 */
static int copy_vars(const char *from, uint64_t offset, uint64_t len, const char *to)
{
        _cleanup_close_ int in = -1, out = -1;
        _cleanup_free_ uint8_t *buf = malloc(64 * KIB);
        uint64_t off = 0;
        ssize_t n = 0;
        int r;

        if (!buf)
                return log_error_errno(-ENOMEM, "cannot copy %s", from);
        in = open_regular_file_or_block(from, O_RDONLY, "variable store");
        if (in < 0)
                return in;
        out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (out < 0)
                return log_error_errno(-errno, "cannot create %s", to);
        while (off < len) {
                size_t want = len - off < 64 * KIB ? (size_t) (len - off) : 64 * KIB;

                n = pread(in, buf, want, (off_t) (offset + off));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        break;
                if (!is_zero(buf, (size_t) n)) {
                        r = pwrite_all(out, buf, (size_t) n, off);
                        if (r < 0)
                                return log_error_errno(r, "cannot write %s", to);
                }
                off += (uint64_t) n;
        }
        if (n < 0)
                return log_error_errno(-errno, "cannot read %s", from);
        if (len != UINT64_MAX && off != len)
                return log_error(-EIO, "cannot copy %s: %llu bytes at %llu are past its end", from,
                                 (unsigned long long) len, (unsigned long long) offset);
        if (ftruncate(out, (off_t) off) < 0)
                return log_error_errno(-errno, "cannot write %s", to);
        return 0;
}

static int remove_tree(const char *dir)
{
        /* Only what this file puts there: the VARS copy and QEMU's overlays. */
        DIR *d = opendir(dir);
        struct dirent *de;

        if (!d)
                return -errno;
        while ((de = readdir(d)))
                if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
                        (void) unlinkat(dirfd(d), de->d_name, 0);
        closedir(d);
        return rmdir(dir) < 0 ? -errno : 0;
}

void run_done(struct run *r)
{
        if (r->fd >= 0)
                close(r->fd);
        if (r->log_fd >= 0)
                close(r->log_fd);
        if (r->tmpdir)
                (void) remove_tree(r->tmpdir);
        free(r->tmpdir);
        free(r->log_path);
        free(r->reason);
        verdict_done(&r->verdict);
        r->fd = r->log_fd = -1;
        r->tmpdir = r->log_path = r->reason = NULL;
}

static void write_log_header(struct run *r, char **argv)
{
        FILE *f = fdopen(dup(r->log_fd), "w");

        if (!f)
                return;
        fprintf(f, "# mkvmimage-boot: %s\n#", r->platform->name);
        for (char **a = argv; *a; a++)
                fprintf(f, " %s", *a);
        fputs("\n", f);
        fclose(f);
}

static _Noreturn void exec_qemu(int console_fd, const char *tmpdir, char **argv)
{
        int null_fd;

        /* QEMU must not outlive the harness, even if it is killed. */
        (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
        (void) setpgid(0, 0);
        null_fd = open("/dev/null", O_RDONLY);
        if (null_fd < 0 || dup2(null_fd, STDIN_FILENO) < 0 ||
            dup2(console_fd, STDOUT_FILENO) < 0 || dup2(console_fd, STDERR_FILENO) < 0)
                _exit(127);
        /* QEMU puts its snapshot overlay in $TMPDIR: keep it in the run's dir. */
        setenv("TMPDIR", tmpdir, 1);
        execv(argv[0], argv);
        dprintf(STDERR_FILENO, "mkvmimage-boot: cannot execute %s: %s\n", argv[0], strerror(errno));
        _exit(127);
}

/* The file for pflash1: in *ret, or NULL when the varstore partition is mapped in place. */
static int prepare_vars(struct run *r, const struct run_config *c, char **ret)
{
        _cleanup_free_ char *copy = NULL;
        int k;

        switch (c->vars_source) {
        case VARS_FILE:
                copy = strdup(c->vars_file);
                if (!copy)
                        return log_error_errno(-ENOMEM, "cannot start %s", r->platform->name);
                break;
        case VARS_PARTITION_IN_PLACE:
                break;
        case VARS_TEMPLATE:
        case VARS_PARTITION_COPY:
                if (asprintf(&copy, "%s/VARS.fd", r->tmpdir) < 0) {
                        copy = NULL;
                        return log_error_errno(-ENOMEM, "cannot start %s", r->platform->name);
                }
                if (c->vars_source == VARS_TEMPLATE)
                        k = copy_vars(c->edk2->vars_template, 0, UINT64_MAX, copy);
                else
                        k = copy_vars(c->image, c->info->varstore_offset, c->info->varstore_size, copy);
                if (k < 0)
                        return k;
                break;
        }
        *ret = copy;
        copy = NULL;
        return 0;
}

static int run_start(struct run *r, const struct run_config *c)
{
        const char *tmp = getenv("TMPDIR");
        _cleanup_free_ char *vars = NULL;
        char **argv = NULL;
        int pipefd[2];
        pid_t pid;
        int k;

        if (asprintf(&r->tmpdir, "%s/mkvmimage-boot-run.XXXXXX", tmp && *tmp ? tmp : "/tmp") < 0) {
                r->tmpdir = NULL;
                return log_error_errno(-ENOMEM, "cannot start %s", r->platform->name);
        }
        if (!mkdtemp(r->tmpdir)) {
                k = log_error_errno(-errno, "cannot create a temporary directory %s", r->tmpdir);
                free(r->tmpdir);
                r->tmpdir = NULL;
                return k;
        }
        if (r->platform->firmware->family->load == FIRMWARE_LOAD_PFLASH) {
                k = prepare_vars(r, c, &vars);
                if (k < 0)
                        return k;
        }

        if (asprintf(&r->log_path, "%s/%s.log", c->log_dir, r->platform->name) < 0) {
                r->log_path = NULL;
                return log_error_errno(-ENOMEM, "cannot start %s", r->platform->name);
        }
        r->log_fd = open(r->log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (r->log_fd < 0)
                return log_error_errno(-errno, "cannot create log file %s", r->log_path);

        k = qemu_build_argv(c, r->platform, vars, &argv);
        if (k < 0)
                return log_error_errno(k, "cannot build the QEMU command line for %s", r->platform->name);
        write_log_header(r, argv);

        if (pipe2(pipefd, O_CLOEXEC) < 0) {
                strv_free(argv);
                return log_error_errno(-errno, "cannot create a pipe");
        }
        r->start_usec = now_usec();
        pid = fork();
        if (pid < 0) {
                k = -errno;
                close(pipefd[0]);
                close(pipefd[1]);
                strv_free(argv);
                return log_error_errno(k, "cannot fork");
        }
        if (pid == 0)
                exec_qemu(pipefd[1], r->tmpdir, argv);
        /* Also here, so a kill of the group cannot race the child's own setpgid(). */
        (void) setpgid(pid, pid);
        close(pipefd[1]);
        strv_free(argv);
        r->pid = pid;
        r->fd = pipefd[0];
        r->started = true;
        return 0;
}

static int set_reason(struct run *r, const char *fmt, ...) _printf_(2, 3);
static int set_reason(struct run *r, const char *fmt, ...)
{
        va_list ap;
        int k;

        if (r->reason)
                return 0;
        va_start(ap, fmt);
        k = vasprintf(&r->reason, fmt, ap);
        va_end(ap);
        if (k < 0) {
                r->reason = NULL;
                return -ENOMEM;
        }
        return 0;
}

static void stop_qemu(struct run *r)
{
        if (!r->killed && r->pid > 0) {
                /* The whole group: a helper holding the console pipe would keep the run open. */
                if (kill(-r->pid, SIGKILL) < 0)
                        (void) kill(r->pid, SIGKILL);
                r->killed = true;
        }
}

static int judge(struct run *r, int status)
{
        const struct verdict *v = &r->verdict;
        const char *missing;

        if (r->reason)                /* timeout, silence, interrupted */
                return 0;
        if (v->failure)
                return set_reason(r, "%s", v->failure);
        if (WIFSIGNALED(status))
                return set_reason(r, "QEMU was killed by signal %d (last output: \"%s\")",
                                  WTERMSIG(status), v->last_line);
        if (WEXITSTATUS(status) != 0)
                return set_reason(r, "QEMU failed with exit status %d (\"%s\")", WEXITSTATUS(status), v->last_line);
        missing = verdict_missing(v);
        if (missing)
                return set_reason(r, "the guest powered off or reset without printing \"%s\" (last output: \"%s\")",
                                  missing, v->last_line);
        if (v->n_checks_failed > 0)
                return set_reason(r, "%u of %u guest checks failed, first: %s",
                                  v->n_checks_failed, v->n_checks, v->failed_check);
        r->passed = true;
        return 0;
}

static int run_finish(struct run *r)
{
        int status = 0;

        while (waitpid(r->pid, &status, 0) < 0)
                if (errno != EINTR)
                        return log_error_errno(-errno, "cannot wait for QEMU (%s)", r->platform->name);
        r->end_usec = now_usec();
        r->finished = true;
        r->pid = 0;
        close(r->fd);
        r->fd = -1;
        if (judge(r, status) < 0)
                return log_error_errno(-ENOMEM, "cannot judge %s", r->platform->name);
        if (r->tmpdir) {
                (void) remove_tree(r->tmpdir);
                free(r->tmpdir);
                r->tmpdir = NULL;
        }
        return 0;
}

/* Returns 1 at end of output (QEMU exited), 0 otherwise. */
static int run_read(struct run *r)
{
        char buf[16 * 1024];
        ssize_t n;
        int k;

        n = read(r->fd, buf, sizeof(buf));
        if (n < 0)
                return errno == EINTR || errno == EAGAIN ? 0 : log_error_errno(-errno, "cannot read QEMU's console");
        if (n == 0)
                return 1;
        k = pwrite_all(r->log_fd, buf, (size_t) n, (uint64_t) lseek(r->log_fd, 0, SEEK_END));
        if (k < 0)
                return log_error_errno(k, "cannot write %s", r->log_path);
        k = verdict_feed(&r->verdict, buf, (size_t) n);
        if (k < 0)
                return log_error_errno(k, "cannot judge %s", r->platform->name);
        if (r->verdict.failure)
                stop_qemu(r);  /* recognised: no point waiting for the timeout */
        return 0;
}

static void check_deadlines(struct run *r, const struct run_config *c, uint64_t now)
{
        uint64_t elapsed = now - r->start_usec;
        unsigned silence = c->timeout_sec < NO_OUTPUT_SEC ? c->timeout_sec : NO_OUTPUT_SEC;

        if (r->killed)
                return;
        if (r->verdict.n_bytes == 0 && elapsed >= (uint64_t) silence * 1000000) {
                (void) set_reason(r, "no output on the serial console within %u s", silence);
                stop_qemu(r);
        } else if (elapsed >= (uint64_t) c->timeout_sec * 1000000) {
                if (verdict_all_expected(&r->verdict))
                        (void) set_reason(r, "timeout: the guest printed what was expected but did not power off within %u s",
                                          c->timeout_sec);
                else
                        (void) set_reason(r, "timeout after %u s waiting for \"%s\" (last output: \"%s\")",
                                          c->timeout_sec, verdict_missing(&r->verdict), r->verdict.last_line);
                stop_qemu(r);
        }
}

static int poll_timeout_ms(const struct run *runs, size_t n, const struct run_config *c, uint64_t now)
{
        uint64_t next = UINT64_MAX;

        for (size_t i = 0; i < n; i++) {
                const struct run *r = &runs[i];
                uint64_t t;

                if (!r->started || r->finished || r->killed)
                        continue;
                t = r->start_usec + (uint64_t) c->timeout_sec * 1000000;
                if (r->verdict.n_bytes == 0)
                        t = r->start_usec + (uint64_t) (c->timeout_sec < NO_OUTPUT_SEC ? c->timeout_sec : NO_OUTPUT_SEC) * 1000000;
                if (t < next)
                        next = t;
        }
        if (next == UINT64_MAX)
                return 1000;
        return next <= now ? 0 : (int) ((next - now) / 1000 + 1);
}

int runs_execute(struct run *runs, size_t n, const struct run_config *c,
                 void (*on_finished)(const struct run *r, void *userdata), void *userdata)
{
        _cleanup_free_ struct pollfd *pfds = calloc(n ?: 1, sizeof(*pfds));
        _cleanup_free_ size_t *index = calloc(n ?: 1, sizeof(*index));
        size_t next = 0, running = 0, finished = 0;
        int k;

        if (!pfds || !index)
                return log_error_errno(-ENOMEM, "cannot run QEMU");

        while (finished < n) {
                size_t n_pfds = 0;
                uint64_t now;

                while (next < n && running < c->jobs && !*c->interrupted) {
                        k = verdict_init(&runs[next].verdict, runs[next].platform->firmware->family->kind, c->expect, c->n_expect);
                        if (k < 0)
                                return k;
                        runs[next].verdict.expect_boot_option = c->expect_boot_option;
                        k = run_start(&runs[next], c);
                        if (k < 0)
                                return k;
                        next++;
                        running++;
                }
                if (*c->interrupted) {
                        for (size_t i = 0; i < n; i++)
                                if (runs[i].started && !runs[i].finished) {
                                        (void) set_reason(&runs[i], "interrupted");
                                        stop_qemu(&runs[i]);
                                }
                        if (running == 0)
                                return -EINTR;
                }

                for (size_t i = 0; i < n; i++)
                        if (runs[i].started && !runs[i].finished) {
                                pfds[n_pfds] = (struct pollfd) { .fd = runs[i].fd, .events = POLLIN };
                                index[n_pfds++] = i;
                        }
                now = now_usec();
                if (poll(pfds, n_pfds, poll_timeout_ms(runs, n, c, now)) < 0) {
                        if (errno != EINTR)
                                return log_error_errno(-errno, "poll failed");
                        for (size_t j = 0; j < n_pfds; j++)
                                pfds[j].revents = 0;
                }

                now = now_usec();
                for (size_t j = 0; j < n_pfds; j++) {
                        struct run *r = &runs[index[j]];

                        if (!(pfds[j].revents & (POLLIN | POLLHUP | POLLERR)))
                                continue;
                        k = run_read(r);
                        if (k < 0)
                                return k;
                        if (k == 0)
                                continue;
                        k = run_finish(r);
                        if (k < 0)
                                return k;
                        running--;
                        finished++;
                        if (on_finished)
                                on_finished(r, userdata);
                }
                for (size_t i = 0; i < n; i++)
                        if (runs[i].started && !runs[i].finished)
                                check_deadlines(&runs[i], c, now);
        }
        return 0;
}
