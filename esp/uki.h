/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdint.h>

/*
 * Unified kernel image (UKI) assembly: systemd's EFI stub with the kernel,
 * initrd, command line, os-release and kernel version appended as PE
 * sections (.osrel, .cmdline, .uname, .linux, .initrd, in the order of
 * systemd's ukify). The stub finds them by name in its own loaded image and
 * boots the kernel with that initrd and command line, so the UKI alone, at
 * the removable-media path, boots Linux with no bootloader configuration.
 */

struct uki_parts {
        const char *stub;        /* systemd's EFI stub (linuxaa64.efi.stub) */
        const char *kernel;      /* the kernel image (EFI-stub PE or not: the stub loads it) */
        const char *initrd;      /* NULL: none */
        const char *cmdline;     /* the kernel command line text; NULL: none */
        const char *os_release;  /* path of an os-release file; NULL: none */
        const char *uname;       /* kernel version string for .uname; NULL: none */
        uint16_t machine, magic; /* the arch's PE machine and optional-header magic */
        const char *root;        /* messages name files under this directory as in it; NULL: by path */
};

/*
 * Write the unified kernel image into out_fd (an empty regular file) and
 * return its size. Streams the big parts (kernel, initrd) with
 * copy_file_range or a bounded buffer: never the whole kernel or initrd in
 * memory. The stub must be an EFI application for machine/magic.
 *
 * Sections are appended after the stub's own: each VirtualAddress after the
 * previous section aligned to SectionAlignment, raw data aligned to
 * FileAlignment, flags initialized data + read-only; NumberOfSections,
 * SizeOfImage and SizeOfInitializedData are updated, CheckSum is zero (as
 * ukify writes it; neither EDK2 nor U-Boot checks it). Empty optional parts
 * (a zero-length initrd, os-release or text) get no section; an empty
 * kernel is an error.
 *
 * The new section headers go into the stub's header area. When it has no
 * room (Debian's armhf stub: gnu-efi's hand-made header leaves none), the
 * stub's sections are moved up, and a message says so, only when nothing
 * in the stub refers to file offsets or RVAs that would change (no data
 * directories, no symbol table); otherwise it is an error.
 *
 * An ARM zImage kernel's copy in .linux gets SizeOfImage (and its last
 * section's VirtualSize) grown by its decompressor's heap, which lies above
 * the PE image (zimage.h), with a message; nothing else in it changes.
 *
 * A signed stub loses its signature (the appended sections invalidate it):
 * the security directory entry is cleared and the certificate table left
 * out, with a message. Same inputs give the same bytes.
 *
 * Returns 0 or a negative errno; every error is logged, naming the file.
 */
int uki_build(const struct uki_parts *p, int out_fd, uint64_t *ret_size);
