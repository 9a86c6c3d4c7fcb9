/* SPDX-License-Identifier: MIT */
#pragma once

struct json_object;

struct edk2_descriptor_query {
        const char *arch;        /* "architecture" in the descriptors: "aarch64", "arm" */
        const char *only_dir;    /* NULL: QEMU's descriptor directories, else only this one */
        const char *package;     /* Debian package named when nothing fits */
        const char *parse_hint;  /* appended to a parse error (how else to name the firmware); may be NULL */
};

struct edk2_descriptor {
        char *code;                    /* "executable": the read-only CODE flash */
        char *vars_template;           /* "nvram-template": copied per VM */
        char *path;                    /* the descriptor that fitted */
        struct json_object *features;  /* its "features" array (a reference), or NULL */
};

/*
 * Finds EDK2 for q->arch on QEMU's virt machine through QEMU's firmware
 * descriptors (QEMU's docs/interop/firmware.json), the way libvirt does:
 * $XDG_CONFIG_HOME/qemu/firmware, /etc/qemu/firmware and
 * /usr/share/qemu/firmware are merged by file name (a file in an earlier
 * one hides the same name in a later one; an empty file only hides),
 * sorted by name, and the first descriptor that fits wins: UEFI on a flash
 * device, raw files, no secure-boot build (what we boot need not be
 * signed). A descriptor that does not parse is an error naming the file;
 * nothing fitting is -ENOENT naming q->package. Whether the files named
 * exist is for the caller to check. Errors are logged.
 */
int edk2_descriptor_find(const struct edk2_descriptor_query *q, struct edk2_descriptor *ret);
void edk2_descriptor_done(struct edk2_descriptor *d);
