/* SPDX-License-Identifier: MIT */
#include "mkimage/plan.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "base/gpt-types.h"
#include "base/log.h"
#include "base/size.h"
#include "base/util.h"

static guid_t type_of(const struct layout_partition *lp, const struct arch *arch)
{
        guid_t g = lp->type;

        switch (lp->kind) {
        case PART_ESP:      g = gpt_esp_type; break;
        case PART_ROOT:     (void)guid_parse(arch->root_type_guid, &g); break; /* the arch table's: always valid */
        case PART_VARSTORE: g = gpt_varstore_type; break;
        case PART_LINUX:    g = gpt_linux_data_type; break;
        case PART_OTHER:    break;
        }
        return g;
}

/* A partition whose size, or the disk it ends, would not fit in an image file. */
static int too_large(const struct layout *l, const struct layout_partition *lp)
{
        return log_error(-EFBIG, "%s:%u: partition '%s': size is too large: the disk would be larger than 8 EiB, the most an image file holds",
                         l->path, lp->line, lp->name);
}

/* The size a partition asks for before "rest" is shared out. */
static int wanted_size(const struct plan_request *req, size_t i, uint64_t *ret)
{
        const struct layout *l = req->layout;
        const struct layout_partition *lp = &l->parts[i];
        uint64_t need = req->needed ? req->needed[i] : 0;
        uint64_t size;

        if (lp->kind == PART_ESP && req->esp_size)
                size = req->esp_size;
        else if (lp->size_mode == SIZE_FIXED)
                size = lp->size;
        else if (lp->size_mode == SIZE_REST)
                size = 0; /* decided once the others are known */
        else if (lp->kind == PART_ESP)
                size = need > ESP_DEFAULT_SIZE ? need : ESP_DEFAULT_SIZE;
        else if (lp->kind == PART_VARSTORE)
                size = VARSTORE_SIZE;
        else
                size = need ? need : ROOT_MIN_SIZE; /* the estimate has its own minimum */

        if (lp->kind == PART_VARSTORE && lp->size_mode != SIZE_AUTO && size != VARSTORE_SIZE)
                return log_error(-EINVAL, "%s:%u: partition '%s': a varstore partition must be 64 MiB (QEMU maps it as the 64 MiB variable flash); use size = auto",
                                 l->path, lp->line, lp->name);
        if (size && need > size) {
                char a[32], b[32];
                return log_error(-ENOSPC, "partition '%s' is %s but its content needs %s: make it larger%s",
                                 lp->name, format_size(size, a, sizeof(a)), format_size(need, b, sizeof(b)),
                                 lp->kind == PART_ESP ? " (--esp-size)" : " (size = auto in the layout, or a larger size)");
        }
        if (size > SIZE_IMAGE_MAX || size_round_up(size, PLAN_ALIGN, ret) < 0)
                return too_large(l, lp);
        return 0;
}

static int derive_ids(struct plan *p)
{
        char purpose[64];
        int r;

        r = seed_derive_guid(&p->seed, "disk-guid", &p->disk_guid);
        for (size_t i = 0; r >= 0 && i < p->n_parts; i++) {
                struct plan_partition *pp = &p->parts[i];
                const char *name = pp->layout->name;

                if (pp->layout->uuid_set)
                        pp->uuid = pp->layout->uuid;
                else {
                        snprintf(purpose, sizeof(purpose), "partition-guid:%s", name);
                        r = seed_derive_guid(&p->seed, purpose, &pp->uuid);
                }
                if (r >= 0) {
                        snprintf(purpose, sizeof(purpose), "fs-uuid:%s", name);
                        r = seed_derive_guid(&p->seed, purpose, &pp->fs_ids.uuid);
                }
                if (r >= 0) {
                        snprintf(purpose, sizeof(purpose), "fs-hash-seed:%s", name);
                        r = seed_derive_guid(&p->seed, purpose, &pp->fs_ids.hash_seed);
                }
                if (r >= 0) {
                        snprintf(purpose, sizeof(purpose), "fat-volume-id:%s", name);
                        r = seed_derive_u32(&p->seed, purpose, &pp->fs_ids.volume_id);
                }
        }
        return r < 0 ? log_error_errno(r, "cannot make GUIDs") : 0;
}

static int place_partitions(const struct plan_request *req, struct plan *p)
{
        const struct layout *l = req->layout;
        uint64_t used = PLAN_ALIGN, disk = req->disk_size ? req->disk_size : l->disk_size;
        uint64_t end_reserve = PLAN_ALIGN; /* room for the backup GPT, keeping 1 MiB alignment */
        ssize_t rest = -1;
        char a[32], b[32];
        int r;

        if (disk > SIZE_IMAGE_MAX)
                return log_error(-EFBIG, "disk size %llu is too large: an image file holds at most 8 EiB",
                                 (unsigned long long) disk);
        for (size_t i = 0; i < p->n_parts; i++) {
                r = wanted_size(req, i, &p->parts[i].size);
                if (r < 0)
                        return r;
                if (l->parts[i].size_mode == SIZE_REST && !(l->parts[i].kind == PART_ESP && req->esp_size))
                        rest = (ssize_t)i;
                /* The disk (used + end_reserve) must fit in an image file; below
                 * that bound, no sum further down can wrap either. */
                if (size_add(used, p->parts[i].size, &used) < 0 ||
                    used > SIZE_IMAGE_MAX - end_reserve)
                        return too_large(l, &l->parts[i]);
        }

        if (disk == 0 && rest >= 0)
                return log_error(-EINVAL, "partition '%s' has size = rest, which needs a disk size: give --size or [disk] size in %s",
                                 l->parts[rest].name, l->path);
        if (disk == 0)
                disk = used + end_reserve;
        else if (rest >= 0) {
                if (used + end_reserve + PLAN_ALIGN > disk)
                        return log_error(-ENOSPC, "the disk is %s but the partitions need %s before '%s' gets any space",
                                         format_size(disk, a, sizeof(a)), format_size(used + end_reserve, b, sizeof(b)),
                                         l->parts[rest].name);
                p->parts[rest].size = (disk - GPT_BACKUP_BYTES) / PLAN_ALIGN * PLAN_ALIGN - used;
                used += p->parts[rest].size;
        } else if (used + GPT_BACKUP_BYTES > disk)
                return log_error(-ENOSPC, "the partitions need a disk of at least %s, but the disk size is %s",
                                 format_size(round_up(used + GPT_BACKUP_BYTES, PLAN_ALIGN), a, sizeof(a)),
                                 format_size(disk, b, sizeof(b)));

        if (disk % SECTOR_SIZE != 0)
                return log_error(-EINVAL, "disk size %llu is not a multiple of %d bytes",
                                 (unsigned long long)disk, SECTOR_SIZE);
        p->disk_size = disk;

        used = PLAN_ALIGN;
        for (size_t i = 0; i < p->n_parts; i++) {
                p->parts[i].offset = used;
                used += p->parts[i].size;
        }
        return 0;
}

int plan_make(const struct plan_request *req, struct plan **ret)
{
        struct plan *p;
        int r;

        p = calloc(1, sizeof(*p));
        if (!p)
                return log_error(-ENOMEM, "out of memory");
        p->arch = req->arch;
        p->seed = req->seed;
        p->clamp_time = req->clamp_time;
        p->n_parts = req->layout->n_parts;
        p->parts = calloc(p->n_parts, sizeof(*p->parts));
        if (!p->parts) {
                plan_free(p);
                return log_error(-ENOMEM, "out of memory");
        }
        for (size_t i = 0; i < p->n_parts; i++) {
                p->parts[i].layout = &req->layout->parts[i];
                p->parts[i].number = (unsigned)i + 1;
                p->parts[i].type = type_of(&req->layout->parts[i], req->arch);
        }

        r = place_partitions(req, p);
        if (r >= 0)
                r = derive_ids(p);
        if (r < 0) {
                plan_free(p);
                return r;
        }
        *ret = p;
        return 0;
}

void plan_free(struct plan *p)
{
        if (!p)
                return;
        free(p->parts);
        free(p);
}

const struct plan_partition *plan_find(const struct plan *p, enum part_kind kind)
{
        for (size_t i = 0; i < p->n_parts; i++)
                if (p->parts[i].layout->kind == kind)
                        return &p->parts[i];
        return NULL;
}

void plan_print(const struct plan *p, FILE *f)
{
        char g[GUID_STRING_MAX], t[GUID_STRING_MAX], s[32];

        guid_format(&p->disk_guid, g);
        fprintf(f, "disk: %s, %s, GPT, disk GUID %s\n", p->arch->name,
                format_size(p->disk_size, s, sizeof(s)), g);
        for (size_t i = 0; i < p->n_parts; i++) {
                const struct plan_partition *pp = &p->parts[i];

                guid_format(&pp->uuid, g);
                guid_format(&pp->type, t);
                fprintf(f, "  %u %-12s %-8s %-5s offset %-10llu size %-10s type %s PARTUUID %s\n",
                        pp->number, pp->layout->name, part_kind_name(pp->layout->kind),
                        part_fs_name(pp->layout->fs), (unsigned long long)pp->offset,
                        format_size(pp->size, s, sizeof(s)), t, g);
        }
}

static json_object *guid_json(const guid_t *g)
{
        char s[GUID_STRING_MAX];

        guid_format(g, s);
        return json_object_new_string(s);
}

static json_object *partition_json(const struct plan_partition *pp)
{
        json_object *o = json_object_new_object();

        json_object_object_add(o, "number", json_object_new_int((int)pp->number));
        json_object_object_add(o, "name", json_object_new_string(pp->layout->name));
        json_object_object_add(o, "kind", json_object_new_string(part_kind_name(pp->layout->kind)));
        json_object_object_add(o, "type", guid_json(&pp->type));
        json_object_object_add(o, "partuuid", guid_json(&pp->uuid));
        json_object_object_add(o, "offset", json_object_new_uint64(pp->offset));
        json_object_object_add(o, "size", json_object_new_uint64(pp->size));
        json_object_object_add(o, "fs", json_object_new_string(part_fs_name(pp->layout->fs)));
        if (pp->layout->fs) {
                char id[GUID_STRING_MAX];
                json_object_object_add(o, "fs_uuid",
                                       json_object_new_string(pp->layout->fs->id_string(&pp->fs_ids, id, sizeof(id))));
        }
        if (pp->layout->label)
                json_object_object_add(o, "label", json_object_new_string(pp->layout->label));
        return o;
}

int plan_print_json(const struct plan *p, FILE *f)
{
        json_object *root = json_object_new_object(), *parts = json_object_new_array();

        if (!root || !parts) {
                json_object_put(root);
                json_object_put(parts);
                return log_error(-ENOMEM, "out of memory");
        }
        json_object_object_add(root, "arch", json_object_new_string(p->arch->name));
        json_object_object_add(root, "size", json_object_new_uint64(p->disk_size));
        json_object_object_add(root, "disk_guid", guid_json(&p->disk_guid));
        for (size_t i = 0; i < p->n_parts; i++)
                json_object_array_add(parts, partition_json(&p->parts[i]));
        json_object_object_add(root, "partitions", parts);
        fprintf(f, "%s\n", json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED));
        json_object_put(root);
        return 0;
}
