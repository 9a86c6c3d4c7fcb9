/* SPDX-License-Identifier: MIT */
#include "base/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/log.h"
#include "base/util.h"

char *find_program(const char *prog)
{
        _cleanup_free_ char *path = NULL;
        const char *env = getenv("PATH");
        char *save = NULL;

        if (strchr(prog, '/'))
                return access(prog, X_OK) == 0 ? strdup(prog) : NULL;
        /* An ordinary user's PATH on Debian lacks the sbin directories, where
         * mkfs.fat and mke2fs live: look there last. */
        if (asprintf(&path, "%s:/usr/sbin:/sbin", env && *env ? env : "/usr/local/bin:/usr/bin:/bin") < 0)
                path = NULL;
        if (!path)
                return NULL;
        for (char *d = strtok_r(path, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
                char *candidate;

                if (asprintf(&candidate, "%s/%s", *d ? d : ".", prog) < 0)
                        return NULL;
                if (access(candidate, X_OK) == 0)
                        return candidate;
                free(candidate);
        }
        return NULL;
}

/* Read everything the child writes, keeping the last size-1 bytes for messages. */
static void drain(int fd, char *buf, size_t size)
{
        size_t len = 0, keep = size - 1;
        ssize_t n;

        for (;;) {
                /* Room for a read: drop the oldest half when full. */
                if (len == keep) {
                        memmove(buf, buf + keep / 2, keep - keep / 2);
                        len = keep - keep / 2;
                }
                n = read(fd, buf + len, keep - len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        break;
                len += (size_t)n;
        }
        buf[len] = '\0';
}

static void exec_child(const char *prog, const char *const argv[], const char *const env_extra[], int out)
{
        /* A tool that asks a question on a terminal must never wait for an answer. */
        int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

        if (null < 0 || dup2(null, STDIN_FILENO) < 0)
                _exit(127);
        /* We ignore SIGPIPE (base/output.h); a tool expects its default. */
        signal(SIGPIPE, SIG_DFL);
        dup2(out, STDOUT_FILENO);
        dup2(out, STDERR_FILENO);
        for (size_t i = 0; env_extra && env_extra[i]; i++)
                putenv((char *)env_extra[i]);
        execv(prog, (char *const *)argv);
        _exit(127);
}

int spawn_tool(const char *const argv[], const char *const env_extra[], const char *package)
{
        _cleanup_free_ char *prog = find_program(argv[0]);
        char output[4096];
        int pipefd[2], status;
        pid_t pid;

        if (!prog)
                return log_error(-ENOENT, "%s not found in PATH: install the Debian package %s",
                                 argv[0], package);
        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return log_error_errno(-errno, "cannot run %s", argv[0]);

        pid = fork();
        if (pid < 0) {
                close(pipefd[0]);
                close(pipefd[1]);
                return log_error_errno(-errno, "cannot run %s", argv[0]);
        }
        if (pid == 0)
                exec_child(prog, argv, env_extra, pipefd[1]);

        close(pipefd[1]);
        drain(pipefd[0], output, sizeof(output));
        close(pipefd[0]);
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return log_error_errno(-errno, "cannot wait for %s", argv[0]);

        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                return 0;
        if (WIFEXITED(status))
                log_error(-EIO, "%s failed (exit status %d)%s%s", argv[0], WEXITSTATUS(status),
                          *output ? ":\n" : "", output);
        else
                log_error(-EIO, "%s was killed by signal %d", argv[0], WTERMSIG(status));
        return -EIO;
}
