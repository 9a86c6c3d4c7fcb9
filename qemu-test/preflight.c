/* SPDX-License-Identifier: MIT */
#include "qemu-test/preflight.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "base/byteorder.h"
#include "base/gpt-read.h"
#include "base/file.h"
#include "base/log.h"
#include "base/util.h"

/* The FAT reader is deliberately small: bounded reads of untrusted bytes only. */

#define SECTOR 512u

static int set_problem(char **problem, const char *fmt, ...) _printf_(2, 3);
static int set_problem(char **problem, const char *fmt, ...)
{
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(problem, fmt, ap);
        va_end(ap);
        if (r < 0) {
                *problem = NULL;
                return log_error_errno(-ENOMEM, "pre-flight check");
        }
        return 0;
}

struct fat {
        int fd;
        uint64_t offset;      /* of the file system in the image */
        uint64_t size;        /* of the partition */
        uint32_t bytes_per_sector;
        uint32_t cluster_size;
        uint64_t fat_offset;  /* of the first FAT, from the file system start */
        uint64_t data_offset; /* of cluster 2 */
        uint32_t n_clusters;
        uint32_t root_cluster;
};

static bool is_power_of_two(uint32_t v) { return v && !(v & (v - 1)); }

/* Returns 1 if it is FAT32 and fills f, 0 if it is something else. */
static int fat_open(int fd, uint64_t offset, uint64_t size, struct fat *f)
{
        uint8_t bs[SECTOR];
        uint32_t reserved, n_fats, fat_sectors, total_sectors, data_sectors;
        int r;

        if (size < 64 * KIB)
                return 0;
        r = pread_all(fd, bs, sizeof(bs), offset);
        if (r < 0)
                return r;
        if (bs[510] != 0x55 || bs[511] != 0xaa)
                return 0;
        f->bytes_per_sector = get_le16(bs + 11);
        reserved = get_le16(bs + 14);
        n_fats = bs[16];
        fat_sectors = get_le32(bs + 36);
        total_sectors = get_le16(bs + 19) ?: get_le32(bs + 32);
        f->root_cluster = get_le32(bs + 44);
        if (!is_power_of_two(f->bytes_per_sector) || f->bytes_per_sector < 512 || f->bytes_per_sector > 4096 ||
            !is_power_of_two(bs[13]) || reserved == 0 || n_fats == 0 ||
            get_le16(bs + 17) != 0 /* root entries: FAT12/16 only */ || get_le16(bs + 22) != 0 || fat_sectors == 0)
                return 0;
        f->cluster_size = f->bytes_per_sector * bs[13];
        f->fat_offset = (uint64_t) reserved * f->bytes_per_sector;
        f->data_offset = f->fat_offset + (uint64_t) n_fats * fat_sectors * f->bytes_per_sector;
        if ((uint64_t) total_sectors * f->bytes_per_sector > size ||
            f->data_offset >= (uint64_t) total_sectors * f->bytes_per_sector)
                return 0;
        data_sectors = total_sectors - (uint32_t) (f->data_offset / f->bytes_per_sector);
        f->n_clusters = data_sectors / bs[13];
        if (f->n_clusters > fat_sectors * (f->bytes_per_sector / 4) - 2)
                f->n_clusters = fat_sectors * (f->bytes_per_sector / 4) - 2;
        if (f->root_cluster < 2 || f->root_cluster >= f->n_clusters + 2)
                return 0;
        f->fd = fd;
        f->offset = offset;
        f->size = size;
        return 1;
}

/* Next cluster in the chain, or 0 at the end (or on anything odd). */
static uint32_t fat_next(const struct fat *f, uint32_t cluster)
{
        uint8_t e[4];
        uint32_t next;

        if (pread_all(f->fd, e, 4, f->offset + f->fat_offset + (uint64_t) cluster * 4) < 0)
                return 0;
        next = get_le32(e) & 0x0fffffff;
        return next >= 2 && next < f->n_clusters + 2 ? next : 0;
}

static int fat_read_cluster(const struct fat *f, uint32_t cluster, uint8_t *buf)
{
        return pread_all(f->fd, buf, f->cluster_size,
                         f->offset + f->data_offset + (uint64_t) (cluster - 2) * f->cluster_size);
}

/* 8.3 form of a name ("BOOTAA64.EFI" -> "BOOTAA64EFI"); every FAT entry has one. */
static void short_name(const char *name, char out[11])
{
        const char *dot = strchr(name, '.');
        size_t base = dot ? (size_t) (dot - name) : strlen(name);

        memset(out, ' ', 11);
        for (size_t i = 0; i < base && i < 8; i++)
                out[i] = name[i];
        for (size_t i = 0; dot && dot[1 + i] && i < 3; i++)
                out[8 + i] = dot[1 + i];
}

/* Finds name in the directory starting at cluster; returns 1 and its first cluster and size. */
static int fat_lookup(const struct fat *f, uint32_t dir, const char *name, bool want_dir,
                      uint32_t *ret_cluster, uint32_t *ret_size)
{
        _cleanup_free_ uint8_t *buf = malloc(f->cluster_size);
        char want[11];
        int r;

        if (!buf)
                return -ENOMEM;
        short_name(name, want);
        /* The bound stops a looping chain in a corrupt FAT. */
        for (uint32_t steps = 0; dir != 0 && steps <= f->n_clusters; steps++, dir = fat_next(f, dir)) {
                r = fat_read_cluster(f, dir, buf);
                if (r < 0)
                        return r;
                for (uint32_t off = 0; off + 32 <= f->cluster_size; off += 32) {
                        const uint8_t *e = buf + off;

                        if (e[0] == 0)
                                return 0;
                        if (e[0] == 0xe5 || e[11] == 0x0f || (e[11] & 0x08))
                                continue;
                        if (strncasecmp((const char *) e, want, 11) != 0)
                                continue;
                        if (!!(e[11] & 0x10) != want_dir)
                                continue;
                        *ret_cluster = (uint32_t) get_le16(e + 20) << 16 | get_le16(e + 26);
                        *ret_size = get_le32(e + 28);
                        return 1;
                }
        }
        return 0;
}

/* Reads the start of a file (up to len bytes) following its cluster chain. */
static int fat_read_head(const struct fat *f, uint32_t cluster, uint32_t size, uint8_t *out, size_t len)
{
        _cleanup_free_ uint8_t *buf = malloc(f->cluster_size);
        size_t done = 0;
        int r;

        if (!buf)
                return -ENOMEM;
        if (len > size)
                len = size;
        for (uint32_t steps = 0; done < len && steps <= f->n_clusters; steps++) {
                size_t n = len - done < f->cluster_size ? len - done : f->cluster_size;

                if (cluster < 2 || cluster >= f->n_clusters + 2)
                        return -EBADMSG;
                r = fat_read_cluster(f, cluster, buf);
                if (r < 0)
                        return r;
                memcpy(out + done, buf, n);
                done += n;
                cluster = fat_next(f, cluster);
        }
        return (int) done;
}

/* Returns 1 and the PE machine of \EFI\BOOT\name, 0 if there is no such file. */
static int find_boot_file(const struct fat *f, const char *name, uint16_t *machine, bool *is_pe)
{
        uint8_t head[4096];
        uint32_t cluster, size;
        uint32_t lfanew;
        int r;

        r = fat_lookup(f, f->root_cluster, "EFI", true, &cluster, &size);
        if (r <= 0)
                return r;
        r = fat_lookup(f, cluster, "BOOT", true, &cluster, &size);
        if (r <= 0)
                return r;
        r = fat_lookup(f, cluster, name, false, &cluster, &size);
        if (r <= 0)
                return r;

        *is_pe = false;
        r = fat_read_head(f, cluster, size, head, sizeof(head));
        if (r < 0)
                return r;
        if (r < 0x40 || head[0] != 'M' || head[1] != 'Z')
                return 1;
        lfanew = get_le32(head + 0x3c);
        if (lfanew > (uint32_t) r - 6 || memcmp(head + lfanew, "PE\0\0", 4) != 0)
                return 1;
        *is_pe = true;
        *machine = get_le16(head + lfanew + 4);
        return 1;
}

/* Who a PE machine is for, in words: an architecture of ours, or a well-known other one. */
static const char *pe_machine_name(uint16_t machine)
{
        const struct arch *arches;
        size_t n;

        arches = arch_table(&n);
        for (size_t i = 0; i < n; i++)
                if (arches[i].pe_machine == machine)
                        return arches[i].name;
        switch (machine) {
        case 0x01c4: return "arm (ARMNT 0x01C4, which UEFI firmware refuses)";
        case 0x8664: return "x64";
        case 0x014c: return "ia32";
        case 0x5064: return "riscv64";
        default: return NULL;
        }
}

static int check_bootloader(const char *image, const struct fat *f, const struct arch *a, char **problem)
{
        const struct arch *arches;
        size_t n_arches;
        uint16_t machine = 0;
        bool is_pe = false;
        int r;

        r = find_boot_file(f, a->removable_file, &machine, &is_pe);
        if (r < 0)
                return log_error_errno(r, "%s: cannot read the ESP", image);
        if (r > 0) {
                const char *other;

                if (!is_pe)
                        return set_problem(problem, "\\EFI\\BOOT\\%s in the ESP is not a PE/EFI file", a->removable_file);
                if (machine == a->pe_machine)
                        return 0;
                other = pe_machine_name(machine);
                return set_problem(problem,
                                   "\\EFI\\BOOT\\%s is a PE for %s (machine 0x%04X), not %s: bootloader is for another architecture",
                                   a->removable_file, other ?: "an unknown machine", machine, a->name);
        }

        arches = arch_table(&n_arches);
        for (size_t i = 0; i < n_arches; i++) {
                const struct arch *o = &arches[i];

                if (o == a)
                        continue;
                r = find_boot_file(f, o->removable_file, &machine, &is_pe);
                if (r < 0)
                        return log_error_errno(r, "%s: cannot read the ESP", image);
                if (r > 0)
                        return set_problem(problem,
                                           "no \\EFI\\BOOT\\%s in the ESP, only \\EFI\\BOOT\\%s: bootloader is for another architecture (%s)?",
                                           a->removable_file, o->removable_file, o->name);
        }
        return set_problem(problem, "no bootloader: \\EFI\\BOOT\\%s is missing from the ESP", a->removable_file);
}

/* The first varstore partition, if it lies inside the image. */
static void find_varstore(const struct gpt_table *t, struct image_info *info)
{
        const struct gpt_partition *p = gpt_table_find(t, &gpt_varstore_type);

        if (!p || !p->inside)
                return;
        *info = (struct image_info) {
                .has_varstore = true,
                .varstore_partno = p->partno,
                .varstore_offset = p->offset,
                .varstore_size = p->size,
        };
}

int preflight_check(const char *image, const struct arch *arch, char **problem, struct image_info *info)
{
        _cleanup_close_ int fd = -1;
        _cleanup_(gpt_table_freep) struct gpt_table *t = NULL;
        const struct gpt_partition *esp = NULL;
        char other_types[256] = "";
        size_t other_len = 0;
        struct stat st;
        struct fat f;
        int r;

        *problem = NULL;
        *info = (struct image_info) {};
        /* O_NONBLOCK: a FIFO must not hang open(); refused below, then cleared. */
        fd = open(image, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
        if (fd < 0)
                return log_error_errno(-errno, "cannot open image %s", image);
        if (fstat(fd, &st) < 0)
                return log_error_errno(-errno, "cannot stat %s", image);
        if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
                return log_error(-EINVAL, "%s is not a disk image (not a regular file): %s", image,
                                 file_type_name(st.st_mode));
        if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0)
                return log_error_errno(-errno, "cannot read %s", image);
        if (S_ISREG(st.st_mode) && (uint64_t) st.st_size < 34 * SECTOR)
                return log_error(-EINVAL, "%s is not a disk image (%lld bytes, too small for a GPT)",
                                 image, (long long) st.st_size);
        r = gpt_read(fd, image, &t);
        if (r < 0)
                return r;
        find_varstore(t, info);

        for (size_t i = 0; i < t->n_parts; i++) {
                char guid[GUID_STRING_MAX];

                if (guid_equal(&t->parts[i].type, &gpt_esp_type)) {
                        esp = &t->parts[i];
                        break;
                }
                guid_format(&t->parts[i].type, guid);
                if (other_len + 64 < sizeof(other_types))
                        other_len += snprintf(other_types + other_len, sizeof(other_types) - other_len,
                                              "%s%u: %s", other_len ? ", " : "", t->parts[i].partno, guid);
        }
        if (!esp)
                return set_problem(problem,
                                   "no EFI System Partition (type " GPT_ESP_TYPE_STR ") in the GPT%s%s%s",
                                   other_len ? " (partitions " : "", other_types, other_len ? ")" : "");
        if (!esp->inside)
                return set_problem(problem, "the EFI System Partition lies outside the image");

        r = fat_open(fd, esp->offset, esp->size, &f);
        if (r < 0)
                return log_error_errno(r, "%s: cannot read the ESP", image);
        if (r == 0)
                return set_problem(problem, "the EFI System Partition does not hold a FAT32 file system");
        return check_bootloader(image, &f, arch, problem);
}
