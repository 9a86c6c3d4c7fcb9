/* SPDX-License-Identifier: MIT */
/*
 * The zImage reader (esp/zimage.c): an input is a 32-bit ARM kernel, read
 * by zimage_heap_fix(); when it finds a fix, zimage_heap_fix_write()
 * applies it to the same memfd (as UKI assembly does to its copy). Seeds:
 * zImage PE files made by fuzz-make-seeds.
 */
#include <stddef.h>
#include <stdint.h>

#include "esp/zimage.h"
#include "fuzz-input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static int fd = -1;
        struct zimage_heap_fix fix;

        if (fd < 0)
                fd = fuzz_memfd("zImage");
        fuzz_memfd_set(fd, data, size, 0);
        if (zimage_heap_fix(fd, "fuzz input", &fix) == 1 && zimage_heap_fix_write(fd, 0, &fix) < 0)
                abort();   /* a memfd write fails only on a bug */
        return 0;
}
