/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Run the well-kept tools (mkfs.fat, mke2fs) with an argv array: no shell,
 * nothing to quote.
 */

/* Full path of `prog` found in $PATH (caller frees); NULL if absent. */
char *find_program(const char *prog);

/*
 * Run argv[0] (looked up in $PATH) with `env_extra` ("NAME=value" strings,
 * NULL-terminated, may be NULL) added to the environment. Its stdout and
 * stderr are captured; when it fails they are shown after our message.
 * `package` names the Debian package to install when the program is missing.
 * Returns 0 if it exited 0, else a negative errno (message logged).
 */
int spawn_tool(const char *const argv[], const char *const env_extra[], const char *package);
