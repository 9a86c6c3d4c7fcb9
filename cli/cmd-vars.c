/* SPDX-License-Identifier: MIT */
/* mkvmimage vars list FILE|IMAGE: what a variable store holds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "cli/subcommands.h"
#include "firmware/varstore.h"

static void vars_usage(FILE *f)
{
        fprintf(f,
                "Usage: mkvmimage vars list FILE|IMAGE\n"
                "\n"
                "Print the UEFI variables of an EDK2 VARS file (64 MiB), a U-Boot\n"
                "ubootefi.var, or the varstore partition of a disk image: name, vendor\n"
                "GUID, attributes, and decoded Boot####, BootOrder and Timeout.\n");
}

int vars_main(int argc, char **argv)
{
        if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
                vars_usage(stdout);
                return EXIT_SUCCESS;
        }
        if (argc != 3 || strcmp(argv[1], "list") != 0) {
                vars_usage(stderr);
                return EXIT_FAILURE;
        }
        /* vars_list() logs its own errors, naming the file. */
        return vars_list(argv[2], stdout) < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
