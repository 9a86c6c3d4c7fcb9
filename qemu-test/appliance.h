/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>

#include "base/arch.h"

/*
 * An appliance bundle (`mkvmimage bundle`) given instead of an image: a
 * directory holding MANIFEST, disk.img and efi-code.fd (efi-vars.fd unless
 * the variables live in the image's varstore partition), or a tar archive
 * of one (any compression libarchive reads), unpacked into a temporary
 * directory. The harness then boots disk.img with the bundle's own firmware.
 */
struct appliance {
        char *dir;        /* where the files are */
        char *image;      /* dir/disk.img */
        char *code;       /* dir/efi-code.fd */
        char *vars;       /* dir/efi-vars.fd, NULL for a varstore bundle */
        const struct arch *arch;  /* from MANIFEST */
        bool unpacked;    /* dir is ours: removed by appliance_done() */
};

/*
 * Returns 1 and fills ret if path is a bundle, 0 if it is something else
 * (an image), or -errno (logged) for a broken bundle. The archive is
 * untrusted: only the bundle's own regular files are unpacked, by name.
 */
int appliance_open(const char *path, struct appliance *ret);
void appliance_done(struct appliance *a);
