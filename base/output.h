/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Atomic output, shared by the image and the bundle. Every temporary file of
 * a run (the output being written, a spooled input, the boot files) lives in
 * one private directory, the run directory `DIR/.mkvmimage-XXXXXX` (mkdtemp,
 * mode 0700), made beside the output so that the final rename stays on one
 * file system and no one else can plant a name in it. The rename moves the
 * finished output out; everything else goes with the run directory.
 *
 * On an error, or SIGINT, SIGTERM or SIGHUP, the run directory is removed:
 * nothing is ever left at the output path that is not a whole output. A
 * signal that was ignored when the program started (nohup) stays ignored;
 * SIGPIPE is ignored, so a closed pipe is a write error (EPIPE), never a kill.
 * SIGKILL cannot be caught: it can leave a `.mkvmimage-*` directory.
 *
 * The target: an existing file is replaced only with `force`. A symlink is
 * written through (the link is kept) only with `force` and only if it
 * points to a regular file; a device, FIFO, socket, directory or dangling
 * link is never replaced.
 */
enum {
        OUTPUT_FORCE = 1 << 0,  /* replace an existing target */
        OUTPUT_DIR = 1 << 1,    /* the output is a directory (may exist, empty) */
};

struct output {
        char *path;     /* as given, for messages */
        char *target;   /* what the rename replaces (a symlink's target resolved) */
        char *rundir;   /* the run directory */
        char *tmp_path; /* the output being written, inside rundir */
        int fd;
        unsigned flags;
};

/* Install the cleanup handlers; idempotent. output_begin() calls it. */
int output_signals_setup(void);

/*
 * Check the target and create the run directory beside it. path NULL: no
 * output (e.g. --print-plan), the run directory goes to $TMPDIR or /tmp.
 */
int output_begin(struct output *o, const char *path, unsigned flags);
/* Create the output file in the run directory: `size` bytes, all holes. */
int output_create_file(struct output *o, uint64_t size);
/* Create the output directory in the run directory (o->fd: open on it). */
int output_create_dir(struct output *o);
/* A path inside the run directory for a temporary (caller frees). */
char *output_run_path(const struct output *o, const char *name);
/* Set `mode`, fsync, rename onto the target, fsync its directory, remove the run directory. */
int output_commit(struct output *o, mode_t mode);
/* Remove the run directory and everything in it; safe after commit or twice. */
void output_abort(struct output *o);
