/* SPDX-License-Identifier: MIT */
#include "fs/fs.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/util.h"

/* The file systems, in the order messages list them. */
static const struct fs_handler *const table[] = {
        &fs_vfat,
        &fs_ext4,
};

const struct fs_handler *fs_find(const char *name)
{
        for (size_t i = 0; i < ELEMENTSOF(table); i++)
                if (strcasecmp(name, table[i]->name) == 0)
                        return table[i];
        return NULL;
}

const char *fs_names(bool take_tree, char *buf, size_t len)
{
        size_t used = 0;

        buf[0] = '\0';
        for (size_t i = 0; i < ELEMENTSOF(table) && used < len; i++) {
                if (take_tree && !fs_takes_tree(table[i]))
                        continue;
                used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? ", " : "", table[i]->name);
        }
        return buf;
}
