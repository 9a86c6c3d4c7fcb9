/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Run the well-kept tools (mkfs.fat, mke2fs) with an argv array: no shell,
 * nothing to quote.
 */

/* Full path of `prog` found in $PATH, then /usr/sbin and /sbin (caller frees); NULL if absent. */
char *find_program(const char *prog);

/*
 * Run argv[0] (looked up in $PATH, then /usr/sbin and /sbin) with
 * `env_extra` ("NAME=value" strings to set, or "NAME" to unset;
 * NULL-terminated, may be NULL) changing the environment. Standard input is
 * /dev/null; stdout and stderr are captured and shown after our message
 * when it fails.
 * `package` names the Debian package to install when the program is missing.
 * Returns 0 if it exited 0, else a negative errno (message logged).
 */
int spawn_tool(const char *const argv[], const char *const env_extra[], const char *package);
