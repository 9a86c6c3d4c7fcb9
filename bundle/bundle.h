/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The appliance bundle: a disk image together with everything needed to
 * boot it on QEMU's virt machine, as a tar archive (gzip/xz/zstd by suffix)
 * or a directory. Layout (in an archive, under a top directory NAME/):
 *
 *   disk.img       the image; holes and zero blocks kept sparse (pax, GNU sparse 1.0)
 *   efi-code.fd    EDK2 CODE flash, copied from the installed Debian package
 *   efi-vars.fd    EDK2 VARS flash seeded with Boot0000 -> \EFI\BOOT\BOOT<ARCH>.EFI
 *                  on the image's ESP (absent when the image has a varstore
 *                  partition: the run script maps that partition instead)
 *   firmware.json  QEMU firmware descriptor (docs/interop/firmware.json)
 *   libvirt.xml    libvirt domain
 *   run            bash script starting QEMU as the boot harness does; paths
 *                  relative to its own directory, extra arguments go to QEMU
 *   MANIFEST       `sha256sum -c` input for every other file, with '#' lines
 *                  naming the firmware package and its version
 *
 * firmware.json and libvirt.xml need absolute paths: they name the files
 * under install_dir (default /var/lib/libvirt/images/NAME), where the
 * bundle is meant to be unpacked for libvirt.
 */

#include <stdbool.h>
#include <stdint.h>

#include "base/arch.h"

struct bundle_request {
        const char *image;               /* GPT disk image; must have an ESP */
        const struct arch *arch;         /* the architecture, with its reference platform */
        const char *output;              /* NAME.tar, .tar.gz/.tgz, .tar.xz/.txz, .tar.zst/.tzst, or a
                                          * directory (trailing '/' or an existing one; created, must
                                          * be empty if it exists) */
        bool force;                      /* replace an existing file (never a directory) */
        const char *name;                /* NULL: the image's file name without its suffix */
        const char *install_dir;         /* NULL: /var/lib/libvirt/images/NAME */
        const char *firmware_dir;        /* NULL: QEMU's descriptor directories, else only this one */
        bool have_mtime;                 /* false: SOURCE_DATE_EPOCH if set, else now */
        uint64_t mtime;                  /* every entry's mtime */
        unsigned memory_mib;             /* 0: 1024 */
        unsigned cpus;                   /* 0: 2 */
};

/*
 * Writes the bundle for r. The output appears complete or not at all (a
 * temporary in a run directory beside it, renamed at the end; the rules of
 * base/output.h: an existing file is replaced only with r->force). Same
 * inputs and mtime give the same bytes. Errors are logged once: -ENOENT
 * for a missing image or firmware (naming the Debian package), -EBADMSG for
 * an image without a GPT or without an ESP ("no ESP"), -EINVAL for a bad
 * request, -errno for I/O.
 */
int bundle_write(const struct bundle_request *r);
