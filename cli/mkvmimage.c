/* SPDX-License-Identifier: MIT */
/*
 * mkvmimage: build a raw GPT disk image for ARM virtual machines that
 * follows the ARM VM System Specification. The command line is parsed
 * here; the image engine (mkimage/engine.h) does the work. `mkvmimage
 * vars` and `mkvmimage bundle` are subcommands (cmd-vars.c, cmd-bundle.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "cli/options.h"
#include "cli/subcommands.h"
#include "mkimage/engine.h"

int main(int argc, char **argv)
{
        struct image_request req;
        int r;

        /* Subcommands; everything else builds an image. */
        if (argc > 1 && strcmp(argv[1], "vars") == 0)
                return vars_main(argc - 1, argv + 1);
        if (argc > 1 && strcmp(argv[1], "bundle") == 0)
                return bundle_main(argc - 1, argv + 1);

        if (parse_options(argc, argv, &req) < 0 || check_inputs(&req) < 0)
                return EXIT_FAILURE;
        r = image_build(&req);
        /* SIGPIPE is ignored (base/output.h): a closed stdout shows here. */
        if (fflush(stdout) != 0 || ferror(stdout))
                r = log_error_errno(-(errno ?: EIO), "cannot write standard output");
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
