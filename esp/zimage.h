/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/*
 * 32-bit ARM kernels (zImage) with the EFI stub. Their decompressor runs in
 * place, where the firmware loaded the PE image, and takes its heap
 * (MALLOC_SIZE: 64 KiB in Linux 6.1) from the bytes just above its stack,
 * which ends where the PE image ends. The PE header's SizeOfImage does not
 * include that heap, so the decompressor writes over whatever the firmware
 * allocated next to the image. On AAVMF32 a UKI's kernel found the kernel
 * EFI stub's own memory-reservation table there; the kernel then faulted in
 * efi_init(), before any console.
 *
 * The zImage states the heap size in its own size table (the one kexec
 * reads: magic 0x5a534c4b, pointed to from the zImage header), so a loader
 * can allocate for it. A copy of the kernel whose SizeOfImage (and last
 * section) is grown by that much is loaded with room for its heap.
 */

/*
 * The zImage header (arch/arm/boot/compressed/head.S): after the code at
 * its start, magic words at fixed offsets; one says it is a zImage, the
 * last gives the file offset of the size table.
 */
#define ZIMAGE_MAGIC_OFFSET 0x24
#define ZIMAGE_MAGIC        0x016f2818u
#define ZIMAGE_TABLE_OFFSET 0x38

/* Where the two header fields to change are, in the kernel file, and their new values. */
struct zimage_heap_fix {
        uint32_t heap_size;                   /* bytes the decompressor needs above the image */
        uint32_t size_of_image_offset, size_of_image;
        uint32_t virtual_size_offset, virtual_size;   /* the section that ends the image */
        bool is_signed;                       /* a changed copy no longer matches its signature */
};

/*
 * Read the kernel open at fd. Returns 1 and fills *ret when it is an ARM
 * zImage PE file; 0 when it is not (nothing to change); a negative errno,
 * logged with `what` ("UKI kernel vmlinuz"), when it is a zImage with a
 * malformed PE header or size table.
 */
int zimage_heap_fix(int fd, const char *what, struct zimage_heap_fix *ret);

/* Write the fix into a copy of the kernel that starts at `offset` in fd. Returns 0 or -errno. */
int zimage_heap_fix_write(int fd, uint64_t offset, const struct zimage_heap_fix *fix);
