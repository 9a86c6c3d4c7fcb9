/* SPDX-License-Identifier: MIT */
#include "base/gpt-read.h"

#include <blkid.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include "base/byteorder.h"
#include "base/log.h"
#include "base/size.h"
#include "base/util.h"

const guid_t gpt_esp_type = GUID_INIT(GPT_ESP_BYTES);
const guid_t gpt_varstore_type = GUID_INIT(GPT_VARSTORE_BYTES);
const guid_t gpt_linux_data_type = GUID_INIT(GPT_LINUX_DATA_BYTES);

static void blkid_free_probep(blkid_probe *pr)
{
        if (*pr)
                blkid_free_probe(*pr);
}

/* A prober for GPT only, over all of fd. */
static int new_gpt_probe(int fd, blkid_probe *ret)
{
        blkid_probe pr = blkid_new_probe();

        if (!pr)
                return -ENOMEM;
        if (blkid_probe_set_device(pr, fd, 0, 0) < 0 ||
            blkid_probe_enable_superblocks(pr, 0) < 0 ||
            blkid_probe_enable_partitions(pr, 1) < 0 ||
            /* The protective MBR is optional for us, as for UEFI firmware. */
            blkid_probe_set_partitions_flags(pr, BLKID_PARTS_FORCE_GPT) < 0 ||
            blkid_probe_filter_partitions_type(pr, BLKID_FLTR_ONLYIN, (char *[]) { (char *) "gpt", NULL }) < 0) {
                int r = errno > 0 ? -errno : -EIO;

                blkid_free_probe(pr);
                return r;
        }
        *ret = pr;
        return 0;
}

/* The primary GPT as found in the image, checked before libblkid sees it. */
struct primary_gpt {
        uint8_t header[GPT_SECTOR_SIZE];
        uint64_t array_offset;  /* bytes */
        size_t array_size;      /* bytes, at most GPT_MAX_ENTRIES entries of 128 */
        uint64_t disk_size;     /* the disk the header describes, at least the image */
};

/*
 * The primary header: the reasons for a refusal that deserve their own
 * words, the bound on the array, and the size of the disk the header
 * describes, which is larger than the image when the image was truncated.
 */
static int check_primary_header(int fd, const char *what, uint64_t image_size, struct primary_gpt *ret)
{
        uint8_t hdr[GPT_SECTOR_SIZE];
        uint32_t hdr_size, crc, n_entries, entry_size;
        uint64_t last_lba, array_lba;
        int r;

        if (image_size < 2 * GPT_SECTOR_SIZE)
                return log_error(-EBADMSG, "%s: too small for a GPT disk image", what);
        r = pread_all(fd, ret->header, sizeof(ret->header), GPT_SECTOR_SIZE);
        if (r < 0)
                return log_error_errno(r, "cannot read %s", what);
        memcpy(hdr, ret->header, sizeof(hdr));
        if (memcmp(hdr, "EFI PART", 8) != 0)
                return log_error(-EBADMSG, "%s is not a GPT disk image (no \"EFI PART\" header at LBA 1)", what);
        hdr_size = get_le32(hdr + 12);
        if (hdr_size < 92 || hdr_size > GPT_SECTOR_SIZE)
                return log_error(-EBADMSG, "%s: GPT header size %u is implausible", what, hdr_size);
        crc = get_le32(hdr + 16);
        put_le32(hdr + 16, 0);
        if ((uint32_t) crc32(0, hdr, hdr_size) != crc)
                return log_error(-EBADMSG, "%s: GPT header CRC is wrong", what);
        n_entries = get_le32(hdr + 80);
        entry_size = get_le32(hdr + 84);
        array_lba = get_le64(hdr + 72);
        if (n_entries == 0 || n_entries > GPT_MAX_ENTRIES || entry_size != 128 ||
            array_lba < 2 || array_lba > SIZE_IMAGE_MAX / GPT_SECTOR_SIZE)
                return log_error(-EBADMSG, "%s: GPT header has an implausible partition array (%u entries of %u bytes at LBA %llu)",
                                 what, n_entries, entry_size, (unsigned long long) array_lba);
        ret->array_offset = array_lba * GPT_SECTOR_SIZE;
        ret->array_size = (size_t) n_entries * entry_size;
        if (ret->array_offset > image_size || image_size - ret->array_offset < ret->array_size)
                return log_error(-EBADMSG, "%s: the GPT partition array lies beyond the end of the image", what);

        /* The backup header's LBA is the disk's last; the usable range ends before it. */
        last_lba = get_le64(hdr + 32);
        if (get_le64(hdr + 48) > last_lba)
                last_lba = get_le64(hdr + 48);
        if (last_lba >= SIZE_IMAGE_MAX / GPT_SECTOR_SIZE)
                return log_error(-EBADMSG, "%s: GPT header describes a disk larger than 8 EiB", what);
        ret->disk_size = (last_lba + 1) * GPT_SECTOR_SIZE;
        if (ret->disk_size < image_size)
                ret->disk_size = image_size;
        /* libblkid, like the kernel, takes anything floppy-sized for a floppy. */
        if (ret->disk_size < GPT_MIN_DISK_SIZE)
                return log_error(-EBADMSG, "%s: too small for a GPT disk image (%llu bytes; at least %u are read)",
                                 what, (unsigned long long) ret->disk_size, GPT_MIN_DISK_SIZE);
        return 0;
}

/*
 * A sparse memory file the size of the described disk holding only the
 * primary header and its array, copied from the image: what libblkid
 * parses. Nothing it reads can come from beyond what was checked and
 * bounded above; the backup GPT reads as zeros, so a damaged primary
 * cannot be papered over by it; and a truncated image still shows its
 * partitions, to be named as lying outside the image.
 */
static int copy_primary_gpt(int fd, const char *what, const struct primary_gpt *p, int *ret)
{
        _cleanup_close_ int copy = -1;
        _cleanup_free_ uint8_t *array = NULL;
        int r;

        array = malloc(p->array_size);
        if (!array)
                return log_error_errno(-ENOMEM, "cannot read the GPT of %s", what);
        r = pread_all(fd, array, p->array_size, p->array_offset);
        if (r < 0)
                return log_error_errno(r, "%s: cannot read the GPT partition array", what);
        copy = memfd_create("mkvmimage-gpt", MFD_CLOEXEC);
        if (copy < 0)
                return log_error_errno(-errno, "cannot read the GPT of %s: memfd_create", what);
        if (ftruncate(copy, (off_t) p->disk_size) < 0)
                return log_error_errno(-errno, "cannot read the GPT of %s: a sparse copy of %llu bytes",
                                       what, (unsigned long long) p->disk_size);
        r = pwrite_all(copy, p->header, sizeof(p->header), GPT_SECTOR_SIZE);
        if (r >= 0)
                r = pwrite_all(copy, array, p->array_size, p->array_offset);
        if (r < 0)
                return log_error_errno(r, "cannot read the GPT of %s: a sparse copy", what);
        *ret = copy;
        copy = -1;
        return 0;
}

static int read_partition(blkid_partition par, uint64_t image_size, struct gpt_partition *ret)
{
        const char *type = blkid_partition_get_type_string(par);
        const char *uuid = blkid_partition_get_uuid(par);
        const char *name = blkid_partition_get_name(par);
        blkid_loff_t start = blkid_partition_get_start(par);  /* 512-byte sectors */
        blkid_loff_t size = blkid_partition_get_size(par);
        uint64_t end;

        *ret = (struct gpt_partition) { .partno = (unsigned) blkid_partition_get_partno(par) };
        if (!type || guid_parse(type, &ret->type) < 0 || !uuid || guid_parse(uuid, &ret->uuid) < 0)
                return -EBADMSG;
        snprintf(ret->name, sizeof(ret->name), "%s", name ?: "");
        /* An entry whose last LBA is before its first has a wrapped size. */
        if (start <= 0 || size <= 0 || (uint64_t) start > SIZE_IMAGE_MAX / GPT_SECTOR_SIZE ||
            (uint64_t) size > SIZE_IMAGE_MAX / GPT_SECTOR_SIZE)
                return 0;
        end = ((uint64_t) start + (uint64_t) size) * GPT_SECTOR_SIZE;
        if (end > image_size)
                return 0;
        ret->offset = (uint64_t) start * GPT_SECTOR_SIZE;
        ret->size = (uint64_t) size * GPT_SECTOR_SIZE;
        ret->inside = true;
        return 0;
}

static int read_table(blkid_probe pr, const char *what, uint64_t image_size, struct gpt_table **ret)
{
        _cleanup_(gpt_table_freep) struct gpt_table *t = NULL;
        blkid_partlist ls = blkid_probe_get_partitions(pr);
        blkid_parttable tab = ls ? blkid_partlist_get_table(ls) : NULL;
        const char *type = tab ? blkid_parttable_get_type(tab) : NULL;
        const char *id;
        int n;

        /* The header passed check_primary_header(): libblkid refused the
         * rest of it, or its array (the copy has no backup to fall back to). */
        if (!type || strcmp(type, "gpt") != 0 || blkid_parttable_get_offset(tab) != GPT_SECTOR_SIZE)
                return log_error(-EBADMSG, "%s: the primary GPT is damaged (its partition array CRC is wrong, or its header's fields are out of range)",
                                 what);
        n = blkid_partlist_numof_partitions(ls);
        if (n < 0 || (unsigned) n > GPT_MAX_ENTRIES)
                return log_error(-EBADMSG, "%s: cannot read the GPT's partitions", what);

        t = calloc(1, sizeof(*t));
        if (!t || !(t->parts = calloc((size_t) n + 1, sizeof(*t->parts))))
                return log_error(-ENOMEM, "cannot read the GPT of %s: out of memory", what);
        t->image_size = image_size;
        id = blkid_parttable_get_id(tab);
        if (id)
                (void) guid_parse(id, &t->disk_guid);
        for (int i = 0; i < n; i++) {
                blkid_partition par = blkid_partlist_get_partition(ls, i);

                if (!par || read_partition(par, image_size, &t->parts[t->n_parts]) < 0)
                        return log_error(-EBADMSG, "%s: cannot read GPT entry %d", what, i + 1);
                t->n_parts++;
        }
        *ret = t;
        t = NULL;
        return 0;
}

int gpt_read(int fd, const char *what, struct gpt_table **ret)
{
        _cleanup_(blkid_free_probep) blkid_probe pr = NULL;
        _cleanup_close_ int copy = -1;
        struct primary_gpt primary;
        uint64_t image_size;
        blkid_loff_t size;
        int r;

        /* libblkid knows the size of a file and of a block device, and its sectors. */
        r = new_gpt_probe(fd, &pr);
        if (r < 0)
                return log_error_errno(r, "cannot read %s", what);
        size = blkid_probe_get_size(pr);
        if (size < 0)
                return log_error(-EIO, "cannot read %s: unknown size", what);
        image_size = (uint64_t) size;
        if (blkid_probe_get_sectorsize(pr) != GPT_SECTOR_SIZE)
                return log_error(-EBADMSG, "%s: sectors of %u bytes; only 512-byte sectors are supported",
                                 what, blkid_probe_get_sectorsize(pr));
        blkid_free_probe(pr);
        pr = NULL;

        r = check_primary_header(fd, what, image_size, &primary);
        if (r < 0)
                return r;
        r = copy_primary_gpt(fd, what, &primary, &copy);
        if (r < 0)
                return r;
        r = new_gpt_probe(copy, &pr);
        if (r < 0)
                return log_error_errno(r, "cannot read the GPT of %s", what);
        return read_table(pr, what, image_size, ret);
}

void gpt_table_free(struct gpt_table *t)
{
        if (!t)
                return;
        free(t->parts);
        free(t);
}

const struct gpt_partition *gpt_table_find(const struct gpt_table *t, const guid_t *type)
{
        for (size_t i = 0; i < t->n_parts; i++)
                if (guid_equal(&t->parts[i].type, type))
                        return &t->parts[i];
        return NULL;
}

int gpt_find_partition(int fd, const char *what, const guid_t *type, struct gpt_partition *ret)
{
        _cleanup_(gpt_table_freep) struct gpt_table *t = NULL;
        const struct gpt_partition *p;
        int r;

        r = gpt_read(fd, what, &t);
        if (r < 0)
                return r;
        p = gpt_table_find(t, type);
        if (!p)
                return 0;
        if (!p->inside)
                return log_error(-EBADMSG, "%s: partition %u lies outside the image", what, p->partno);
        *ret = *p;
        return 1;
}
