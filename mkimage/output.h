/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/*
 * The image is written to a temporary file beside the target and renamed
 * into place only when complete and synced. On an error, or SIGINT, SIGTERM
 * or SIGHUP, the temporary file is removed: nothing is ever left at the
 * output path that is not a whole image.
 */
struct output {
        char *path;     /* the target */
        char *tmp_path; /* the file being written */
        int fd;
        bool force;     /* replace an existing target */
};

/* Early check, before any work: target absent (or --force) and its directory writable. */
int output_check(const char *path, bool force);
/* Create the temporary file, `size` bytes, all holes. */
int output_create(struct output *o, const char *path, uint64_t size, bool force);
/* fsync, rename onto the target, fsync the directory. */
int output_commit(struct output *o);
/* Remove the temporary file (safe to call after commit or twice). */
void output_abort(struct output *o);

/* A temporary directory of ours to remove too if a signal ends the program. */
int output_cleanup_dir(const char *path);
void output_forget_dir(void);
