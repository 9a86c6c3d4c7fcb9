/* SPDX-License-Identifier: MIT */
#pragma once

#include "mkimage/engine.h"

/* The command line of `mkvmimage [OPTIONS] [ROOTFS] -o IMAGE`, checked, as the engine's request. */

/* Parse argv (exits for --help and --version); errors are logged. */
int parse_options(int argc, char **argv, struct image_request *o);
/* Inputs that can be checked before any output exists. */
int check_inputs(const struct image_request *o);
