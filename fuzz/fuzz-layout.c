/* SPDX-License-Identifier: MIT */
/*
 * The layout parser (mkimage/layout.c): an input is a layout file, read by
 * layout_load() through its path, then freed. Seeds: the shipped layouts (the .conf files in layouts/).
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz-input.h"
#include "mkimage/layout.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static const char *path;
        struct layout *l = NULL;

        if (!path)
                path = fuzz_file("layout.conf");
        fuzz_file_set(path, data, size);
        if (layout_load(path, &l) == 0) {
                /* What the plan reads of every partition. */
                for (size_t i = 0; i < l->n_parts; i++) {
                        (void) part_kind_name(l->parts[i].kind);
                        (void) part_fs_name(l->parts[i].fs);
                }
                layout_free(l);
        }
        return 0;
}
