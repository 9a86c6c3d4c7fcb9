/* SPDX-License-Identifier: MIT */
#include "esp/uki.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/param.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/byteorder.h"
#include "base/log.h"
#include "base/util.h"
#include "esp/pe.h"
#include "esp/zimage.h"

/*
 * Offsets per the Microsoft PE/COFF specification. Like pe.c, fields are
 * read and written as little-endian bytes, never through packed structs.
 */
#define SECTION_HEADER_SIZE      40
/* Relative to the PE signature (pe_info.pe_offset). */
#define PE_NUMBER_OF_SECTIONS    (4 + 2)
#define PE_POINTER_TO_SYMBOLS    (4 + 8)
/* Relative to the optional header. */
#define OPT_SIZE_OF_INIT_DATA    8
#define OPT_ENTRY_POINT          16
#define OPT_BASE_OF_CODE         20
#define OPT32_BASE_OF_DATA       24
#define OPT_SIZE_OF_IMAGE        56
#define OPT_SIZE_OF_HEADERS      60
#define OPT_CHECKSUM             64
#define OPT32_DATA_DIRECTORIES   96
#define OPT64_DATA_DIRECTORIES   112
#define DATA_DIRECTORY_SIZE      8
#define DIRECTORY_SECURITY       4
/* Section header fields. */
#define SEC_VIRTUAL_SIZE         8
#define SEC_VIRTUAL_ADDRESS      12
#define SEC_SIZE_OF_RAW_DATA     16
#define SEC_POINTER_TO_RAW_DATA  20
#define SEC_CHARACTERISTICS      36

#define SCN_CNT_INITIALIZED_DATA 0x00000040u
#define SCN_MEM_READ             0x40000000u

/* The stub is read whole (it is small); anything this big is not a stub. */
#define STUB_SIZE_MAX            (16 * MIB)
/* Moved sections keep their offset within a page: AArch64 code (ADRP) relies on it. */
#define PAGE_SIZE_FOR_MOVES      4096u

enum {
        PART_OSREL,
        PART_CMDLINE,
        PART_UNAME,
        PART_LINUX,
        PART_INITRD,
        _PART_MAX,
};

/* One section to append: streamed from a file or taken from a string. */
struct part {
        const char *section;     /* ".linux" */
        const char *what;        /* "kernel", for messages */
        const char *path;        /* a file, or NULL ... */
        const char *name;        /* ... (how messages name it) */
        const char *text;        /* ... this text */
        int fd;
        uint64_t size;
        uint32_t virtual_address, pointer_to_raw_data, size_of_raw_data;
};

struct stub {
        const char *name;               /* for messages */
        uint8_t *data;                  /* the whole file */
        struct pe_info info;
        struct pe_section *sections;
        uint64_t keep_end;              /* bytes kept: a certificate table is left out */
        uint32_t data_directories;      /* offset of the data directories in the file */
        uint32_t n_data_directories;    /* how many fit in the optional header */
};

/* Where everything goes in the UKI. */
struct layout {
        uint32_t table_end;             /* end of the stub's own section table */
        uint32_t body_start;            /* where the stub's section data starts */
        uint32_t size_of_headers;
        uint32_t file_shift;            /* the stub's section data moves by this ... */
        uint32_t va_shift;              /* ... and its sections' addresses by this */
        uint32_t size_of_image;
        uint64_t file_size;
};

static void add_le32(uint8_t *p, uint32_t v)
{
        put_le32(p, get_le32(p) + v);
}

static bool is_power_of_two(uint32_t v)
{
        return v != 0 && (v & (v - 1)) == 0;
}

static bool section_is_empty(const struct pe_section *s)
{
        return s->virtual_size == 0 && s->size_of_raw_data == 0;
}

static void close_parts(struct part *parts, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (parts[i].fd >= 0) {
                        close(parts[i].fd);
                        parts[i].fd = -EBADF;
                }
}

static void free_stub(struct stub *s)
{
        free(s->data);
        free(s->sections);
}

static int open_part_file(struct part *part)
{
        struct stat st;

        part->fd = open(part->path, O_RDONLY | O_CLOEXEC);
        if (part->fd < 0)
                return log_error_errno(-errno, "UKI %s: cannot open %s", part->what, part->name);
        if (fstat(part->fd, &st) < 0)
                return log_error_errno(-errno, "UKI %s: cannot stat %s", part->what, part->name);
        if (!S_ISREG(st.st_mode))
                return log_error(-EINVAL, "UKI %s: %s is not a regular file", part->what, part->name);
        part->size = (uint64_t) st.st_size;
        return 0;
}

/* How messages name a file: one inside p->root as in that root ("/boot/vmlinuz-6.1"), else by its path. */
static const char *display_name(const struct uki_parts *p, const char *path)
{
        size_t n = p->root ? strlen(p->root) : 0;

        if (path && n > 0 && strncmp(path, p->root, n) == 0 && path[n] == '/')
                return path + n;
        return path;
}

/*
 * The parts in ukify's order, packed at the start of parts[] (whose fds the
 * caller closes, all _PART_MAX of them). Empty optional parts get no
 * section: an empty section has no address range, and loaders disagree on it.
 */
static int collect_parts(const struct uki_parts *p, struct part parts[static _PART_MAX], size_t *ret_n)
{
        const struct part wanted[_PART_MAX] = {
                [PART_OSREL]   = { ".osrel",   "os-release",   .path = p->os_release, .fd = -EBADF },
                [PART_CMDLINE] = { ".cmdline", "command line", .text = p->cmdline,    .fd = -EBADF },
                [PART_UNAME]   = { ".uname",   "uname",        .text = p->uname,      .fd = -EBADF },
                [PART_LINUX]   = { ".linux",   "kernel",       .path = p->kernel,     .fd = -EBADF },
                [PART_INITRD]  = { ".initrd",  "initrd",       .path = p->initrd,     .fd = -EBADF },
        };
        size_t n = 0;
        int r;

        if (!p->kernel)
                return log_error(-EINVAL, "UKI: no kernel given");

        for (size_t i = 0; i < _PART_MAX; i++) {
                struct part *part = &parts[n];

                if (!wanted[i].path && !wanted[i].text)
                        continue;
                *part = wanted[i];
                part->name = display_name(p, part->path);
                if (part->path) {
                        r = open_part_file(part);
                        if (r < 0)
                                return r;
                } else
                        part->size = strlen(part->text);

                if (part->size == 0) {
                        if (i == PART_LINUX)
                                return log_error(-EINVAL, "UKI kernel %s is empty", part->name);
                        if (part->fd >= 0)
                                close(part->fd);
                        part->fd = -EBADF;
                        continue;
                }
                if (part->size > UINT32_MAX)
                        return log_error(-EFBIG, "UKI %s %s: %" PRIu64 " bytes do not fit in a PE section (4 GiB at most)",
                                         part->what, part->name ?: "", part->size);
                n++;
        }
        *ret_n = n;
        return 0;
}

static int load_stub(const char *path, const char *name, uint16_t machine, uint16_t magic, struct stub *ret)
{
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *what = NULL;
        struct stub s = { .name = name };
        uint32_t opt_fixed;
        int r;

        if (asprintf(&what, "UKI stub %s", name) < 0)
                return log_error(-ENOMEM, "out of memory");

        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return log_error_errno(-errno, "cannot open the UKI stub %s", name);
        r = pe_check_efi_app(fd, what, machine, magic);
        if (r < 0)
                return r;
        r = pe_read_info(fd, what, &s.info);
        if (r < 0)
                return r;
        if (s.info.file_size > STUB_SIZE_MAX)
                return log_error(-EINVAL, "%s: %" PRIu64 " bytes is too big for an EFI stub (at most %" PRIu64 ")",
                                 what, s.info.file_size, STUB_SIZE_MAX);
        if (!is_power_of_two(s.info.file_alignment) || !is_power_of_two(s.info.section_alignment) ||
            s.info.file_alignment > 64 * KIB || s.info.section_alignment > 64 * MIB)
                return log_error(-EINVAL, "%s: implausible alignment (file 0x%" PRIx32 ", section 0x%" PRIx32
                                 "): both must be powers of two", what,
                                 s.info.file_alignment, s.info.section_alignment);

        r = pe_read_sections(fd, what, &s.info, &s.sections);
        if (r < 0)
                return r;

        s.data = malloc(s.info.file_size);
        if (!s.data) {
                free_stub(&s);
                return log_error(-ENOMEM, "out of memory reading %s", what);
        }
        r = pread_all(fd, s.data, s.info.file_size, 0);
        if (r < 0) {
                free_stub(&s);
                return log_error_errno(r, "cannot read %s", what);
        }
        s.keep_end = s.info.file_size;

        opt_fixed = s.info.magic == PE_MAGIC_PE32 ? OPT32_DATA_DIRECTORIES : OPT64_DATA_DIRECTORIES;
        s.data_directories = s.info.optional_header_offset + opt_fixed;
        /* pe_read_info() checked that the optional header has its fixed part. */
        s.n_data_directories = MIN(s.info.number_of_rva_and_sizes,
                                   (uint32_t) (s.info.size_of_optional_header - opt_fixed) / DATA_DIRECTORY_SIZE);
        if (s.info.section_table_offset + (uint64_t) s.info.number_of_sections * SECTION_HEADER_SIZE > s.info.file_size) {
                free_stub(&s);
                return log_error(-EINVAL, "%s: truncated PE section table", what);
        }

        *ret = s;
        return 0;
}

/*
 * Appending sections invalidates an Authenticode signature (it covers the
 * whole file): a signed stub's certificate table is left out and its
 * directory entry cleared, so that nothing claims a signature that no
 * longer verifies. The UKI must be signed again, as a whole, by whoever
 * needs Secure Boot.
 */
static int drop_signature(struct stub *s)
{
        uint8_t *entry;
        uint32_t offset, size;

        if (s->n_data_directories <= DIRECTORY_SECURITY)
                return 0;
        entry = s->data + s->data_directories + DIRECTORY_SECURITY * DATA_DIRECTORY_SIZE;
        offset = get_le32(entry);
        size = get_le32(entry + 4);
        if (offset == 0 && size == 0)
                return 0;

        /* The table is a file offset, not an RVA, after all section data. */
        if (offset < s->info.end_of_raw_data || offset > s->info.file_size)
                return log_error(-EINVAL, "UKI stub %s: its certificate table (offset %" PRIu32
                                 ") does not lie after the section data (ends at %" PRIu64 ")",
                                 s->name, offset, s->info.end_of_raw_data);
        log_info("UKI stub %s is signed; the signature does not cover the added sections and is left out: sign the UKI itself",
                 s->name);
        s->keep_end = offset;
        memset(entry, 0, DATA_DIRECTORY_SIZE);
        return 0;
}

/*
 * Moving the stub's sections is safe only when nothing inside the stub
 * holds the file offsets or RVAs that change: no data directory (import,
 * relocations, debug, ...) and no symbol table. Debian's gnu-efi-built
 * stubs have none: their code relocates itself relative to where it runs.
 */
static int check_stub_can_move(const struct stub *s, size_t n_new, uint64_t need, uint32_t body_start)
{
        for (uint32_t i = 0; i < s->n_data_directories; i++) {
                const uint8_t *entry = s->data + s->data_directories + i * DATA_DIRECTORY_SIZE;

                if (i == DIRECTORY_SECURITY)
                        continue;
                if (get_le32(entry) != 0 || get_le32(entry + 4) != 0)
                        return log_error(-ENOSPC,
                                         "UKI stub %s: its header area has no room for %zu more section headers "
                                         "(they need the bytes up to 0x%" PRIx32 ", its sections start at 0x%" PRIx32
                                         "), and its sections cannot be moved: data directory %" PRIu32
                                         " refers to them by address",
                                         s->name, n_new, (uint32_t) need, body_start, i);
        }
        if (get_le32(s->data + s->info.pe_offset + PE_POINTER_TO_SYMBOLS) != 0)
                return log_error(-ENOSPC,
                                 "UKI stub %s: its header area has no room for %zu more section headers, and its "
                                 "sections cannot be moved: it has a COFF symbol table", s->name, n_new);
        return 0;
}

/*
 * The new section headers overwrite what follows the stub's section table
 * in its header area. That is padding (zeros; NOP instructions in gnu-efi's
 * AArch64 header) unless the entry point or a data directory points there.
 */
static int check_header_room_unused(const struct stub *s, uint64_t start, uint64_t end)
{
        uint32_t entry = get_le32(s->data + s->info.optional_header_offset + OPT_ENTRY_POINT);

        if (start >= end)
                return 0;
        if (entry >= start && entry < end)
                return log_error(-ENOSPC, "UKI stub %s: its entry point 0x%" PRIx32 " lies in its header area, "
                                 "where the new section headers would go", s->name, entry);
        for (uint32_t i = 0; i < s->n_data_directories; i++) {
                const uint8_t *e = s->data + s->data_directories + i * DATA_DIRECTORY_SIZE;
                uint64_t rva = get_le32(e), size = get_le32(e + 4);

                if (i == DIRECTORY_SECURITY || size == 0)
                        continue;
                if (rva < end && rva + size > start)
                        return log_error(-ENOSPC, "UKI stub %s: data directory %" PRIu32 " lies in its header area, "
                                         "where the new section headers would go", s->name, i);
        }
        return 0;
}

static int plan_layout(const struct stub *s, struct part *parts, size_t n, struct layout *ret)
{
        const struct pe_info *info = &s->info;
        uint64_t table_end_new, size_of_headers, body_start = s->keep_end, min_va = UINT64_MAX, image_end, va, pos;
        struct layout l = {};
        int r;

        l.table_end = info->section_table_offset + (uint32_t) info->number_of_sections * SECTION_HEADER_SIZE;
        if (info->number_of_sections + n > UINT16_MAX)
                return log_error(-EINVAL, "UKI stub %s: too many sections", s->name);
        table_end_new = l.table_end + (uint64_t) n * SECTION_HEADER_SIZE;

        image_end = info->size_of_image;
        for (size_t i = 0; i < info->number_of_sections; i++) {
                const struct pe_section *sec = &s->sections[i];

                if (sec->size_of_raw_data > 0)
                        body_start = MIN(body_start, (uint64_t) sec->pointer_to_raw_data);
                if (section_is_empty(sec))
                        continue;
                min_va = MIN(min_va, (uint64_t) sec->virtual_address);
                image_end = MAX(image_end, (uint64_t) sec->virtual_address +
                                           MAX(sec->virtual_size, sec->size_of_raw_data));
        }
        if (body_start < l.table_end)
                return log_error(-EINVAL, "UKI stub %s: section data at offset 0x%" PRIx64
                                 " overlaps the section table (ends at 0x%" PRIx32 ")",
                                 s->name, body_start, l.table_end);
        l.body_start = (uint32_t) body_start;

        r = check_header_room_unused(s, l.table_end, MIN(table_end_new, body_start));
        if (r < 0)
                return r;

        size_of_headers = MAX((uint64_t) info->size_of_headers, round_up(table_end_new, info->file_alignment));
        if (size_of_headers > body_start)
                l.file_shift = (uint32_t) round_up(size_of_headers - body_start, info->file_alignment);
        if (min_va != UINT64_MAX && size_of_headers > min_va)
                l.va_shift = (uint32_t) round_up(size_of_headers - min_va,
                                                 MAX(info->section_alignment, PAGE_SIZE_FOR_MOVES));
        if (l.file_shift > 0 || l.va_shift > 0) {
                r = check_stub_can_move(s, n, table_end_new, l.body_start);
                if (r < 0)
                        return r;
                log_info("UKI stub %s: its header area (%" PRIu32 " bytes) has no room for %zu more section headers; "
                         "its sections move by 0x%" PRIx32 " bytes in the file and 0x%" PRIx32 " in memory "
                         "(it has no data directories or symbols that refer to them)",
                         s->name, info->size_of_headers, n, l.file_shift, l.va_shift);
        }
        l.size_of_headers = (uint32_t) size_of_headers;

        va = round_up(MAX(image_end + l.va_shift, size_of_headers), info->section_alignment);
        pos = round_up(s->keep_end + l.file_shift, info->file_alignment);
        for (size_t i = 0; i < n; i++) {
                struct part *part = &parts[i];
                uint64_t raw = round_up(part->size, info->file_alignment);

                if (va + part->size > UINT32_MAX || pos + raw > UINT32_MAX)
                        return log_error(-EFBIG, "UKI: with the %s the image exceeds 4 GiB, the limit of PE files",
                                         part->what);
                part->virtual_address = (uint32_t) va;
                part->pointer_to_raw_data = (uint32_t) pos;
                part->size_of_raw_data = (uint32_t) raw;
                va = round_up(va + part->size, info->section_alignment);
                pos += raw;
        }
        if (va > UINT32_MAX)
                return log_error(-EFBIG, "UKI: SizeOfImage exceeds 4 GiB");
        l.size_of_image = (uint32_t) va;
        l.file_size = pos;

        *ret = l;
        return 0;
}

static void write_section_header(uint8_t *p, const struct part *part)
{
        memset(p, 0, SECTION_HEADER_SIZE);
        memcpy(p, part->section, strnlen(part->section, PE_SECTION_NAME_MAX));
        put_le32(p + SEC_VIRTUAL_SIZE, (uint32_t) part->size);
        put_le32(p + SEC_VIRTUAL_ADDRESS, part->virtual_address);
        put_le32(p + SEC_SIZE_OF_RAW_DATA, part->size_of_raw_data);
        put_le32(p + SEC_POINTER_TO_RAW_DATA, part->pointer_to_raw_data);
        /* Data the stub reads, never runs (ukify marks .linux as code only for x86's handover protocol). */
        put_le32(p + SEC_CHARACTERISTICS, SCN_CNT_INITIALIZED_DATA | SCN_MEM_READ);
}

/* The stub's sections and entry point, moved by the layout's shifts. */
static void move_stub_sections(const struct stub *s, const struct layout *l, uint8_t *head)
{
        uint8_t *opt = head + s->info.optional_header_offset;

        for (size_t i = 0; i < s->info.number_of_sections; i++) {
                uint8_t *sec = head + s->info.section_table_offset + i * SECTION_HEADER_SIZE;

                if (s->sections[i].size_of_raw_data > 0)
                        add_le32(sec + SEC_POINTER_TO_RAW_DATA, l->file_shift);
                if (!section_is_empty(&s->sections[i]))
                        add_le32(sec + SEC_VIRTUAL_ADDRESS, l->va_shift);
        }
        if (l->va_shift == 0)
                return;
        if (get_le32(opt + OPT_ENTRY_POINT) != 0)
                add_le32(opt + OPT_ENTRY_POINT, l->va_shift);
        if (get_le32(opt + OPT_BASE_OF_CODE) != 0)
                add_le32(opt + OPT_BASE_OF_CODE, l->va_shift);
        if (s->info.magic == PE_MAGIC_PE32 && get_le32(opt + OPT32_BASE_OF_DATA) != 0)
                add_le32(opt + OPT32_BASE_OF_DATA, l->va_shift);
}

/*
 * The headers of the UKI: the stub's, with the new section headers after
 * its own and the fields that describe the whole image updated.
 */
static int build_headers(const struct stub *s, const struct layout *l, const struct part *parts, size_t n,
                         uint8_t **ret, size_t *ret_size)
{
        size_t size = (size_t) l->body_start + l->file_shift;
        uint8_t *head, *opt;
        uint64_t init_data;

        head = calloc(1, MAX(size, (size_t) l->size_of_headers));
        if (!head)
                return log_error(-ENOMEM, "out of memory");
        size = MAX(size, (size_t) l->size_of_headers);
        memcpy(head, s->data, l->body_start);
        /* drop_signature() may have cleared the security entry in the stub's copy. */
        opt = head + s->info.optional_header_offset;

        move_stub_sections(s, l, head);
        for (size_t i = 0; i < n; i++)
                write_section_header(head + l->table_end + i * SECTION_HEADER_SIZE, &parts[i]);

        init_data = get_le32(opt + OPT_SIZE_OF_INIT_DATA);
        for (size_t i = 0; i < n; i++)
                init_data += parts[i].size_of_raw_data;
        if (init_data > UINT32_MAX) {
                free(head);
                return log_error(-EFBIG, "UKI: SizeOfInitializedData exceeds 4 GiB");
        }

        put_le16(head + s->info.pe_offset + PE_NUMBER_OF_SECTIONS, (uint16_t) (s->info.number_of_sections + n));
        put_le32(opt + OPT_SIZE_OF_INIT_DATA, (uint32_t) init_data);
        put_le32(opt + OPT_SIZE_OF_IMAGE, l->size_of_image);
        put_le32(opt + OPT_SIZE_OF_HEADERS, l->size_of_headers);
        /* Only drivers loaded by Windows need it; EDK2 and U-Boot ignore it, ukify writes 0 too. */
        put_le32(opt + OPT_CHECKSUM, 0);

        *ret = head;
        *ret_size = size;
        return 0;
}

static int copy_part(int out_fd, const struct part *part)
{
        int r = copy_range(part->fd, 0, out_fd, part->pointer_to_raw_data, part->size);

        if (r == -EIO)
                return log_error(-EIO, "UKI %s %s became shorter while it was copied", part->what, part->name);
        if (r < 0)
                return log_error_errno(r, "cannot copy the UKI %s %s", part->what, part->name);
        return 0;
}

static int write_part(int out_fd, const struct part *part)
{
        int r;

        if (part->fd < 0) {
                r = pwrite_all(out_fd, part->text, part->size, part->pointer_to_raw_data);
                if (r < 0)
                        return log_error_errno(r, "cannot write the UKI %s", part->what);
                return 0;
        }
        return copy_part(out_fd, part);
}

/*
 * An ARM zImage's decompressor needs memory above its PE image (zimage.h):
 * the UKI's copy of the kernel says so in its SizeOfImage, so that the
 * stub's LoadImage() allocates it. Only these two header fields of the
 * copy change; the kernel's own signature, if any, no longer matters here:
 * the stub starts the kernel it carries without checking it again.
 */
static const struct part *kernel_part(const struct part *parts, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (strcmp(parts[i].section, ".linux") == 0)
                        return &parts[i];
        return NULL;    /* collect_parts() refuses a UKI without one */
}

static int plan_zimage_heap(const struct part *kernel, struct zimage_heap_fix *ret)
{
        _cleanup_free_ char *what = NULL;

        if (asprintf(&what, "UKI kernel %s", kernel->name) < 0)
                return log_error(-ENOMEM, "out of memory");
        return zimage_heap_fix(kernel->fd, what, ret);
}

static int write_zimage_heap_fix(int out_fd, const struct part *kernel, const struct zimage_heap_fix *fix)
{
        int r = zimage_heap_fix_write(out_fd, kernel->pointer_to_raw_data, fix);

        if (r < 0)
                return log_error_errno(r, "cannot write the UKI");
        log_info("UKI kernel %s: an ARM zImage, whose decompressor uses %" PRIu32 " KiB above its image: "
                 "its SizeOfImage in the UKI grows to 0x%" PRIx32 " to cover them",
                 kernel->name, fix->heap_size / 1024, fix->size_of_image);
        return 0;
}

static int check_output(int out_fd)
{
        struct stat st;

        if (fstat(out_fd, &st) < 0)
                return log_error_errno(-errno, "cannot stat the UKI output");
        if (!S_ISREG(st.st_mode) || st.st_size != 0)
                return log_error(-EINVAL, "the UKI output must be an empty regular file");
        return 0;
}

int uki_build(const struct uki_parts *p, int out_fd, uint64_t *ret_size)
{
        struct part parts[_PART_MAX];
        struct stub stub = {};
        struct layout layout = {};
        const struct part *kernel = NULL;
        struct zimage_heap_fix zfix = {};
        bool zimage = false;
        _cleanup_free_ uint8_t *head = NULL;
        size_t n = 0, head_size = 0;
        int r;

        for (size_t i = 0; i < _PART_MAX; i++)
                parts[i].fd = -EBADF;
        r = check_output(out_fd);
        if (r < 0)
                return r;
        if (!p->stub)
                return log_error(-EINVAL, "UKI: no EFI stub given");

        r = collect_parts(p, parts, &n);
        if (r < 0)
                goto finish;
        kernel = kernel_part(parts, n);
        r = kernel ? plan_zimage_heap(kernel, &zfix) : -EINVAL;
        if (r < 0)
                goto finish;
        zimage = r > 0;
        r = load_stub(p->stub, display_name(p, p->stub), p->machine, p->magic, &stub);
        if (r < 0)
                goto finish;
        r = drop_signature(&stub);
        if (r < 0)
                goto finish;
        r = plan_layout(&stub, parts, n, &layout);
        if (r < 0)
                goto finish;
        r = build_headers(&stub, &layout, parts, n, &head, &head_size);
        if (r < 0)
                goto finish;

        r = pwrite_all(out_fd, head, head_size, 0);
        if (r >= 0 && stub.keep_end > layout.body_start)
                r = pwrite_all(out_fd, stub.data + layout.body_start, stub.keep_end - layout.body_start,
                               (uint64_t) layout.body_start + layout.file_shift);
        if (r < 0) {
                log_error_errno(r, "cannot write the UKI");
                goto finish;
        }
        for (size_t i = 0; i < n; i++) {
                r = write_part(out_fd, &parts[i]);
                if (r < 0)
                        goto finish;
        }
        if (zimage) {
                r = write_zimage_heap_fix(out_fd, kernel, &zfix);
                if (r < 0)
                        goto finish;
        }
        /* The padding after the last section's data. */
        if (ftruncate(out_fd, (off_t) layout.file_size) < 0) {
                r = log_error_errno(-errno, "cannot set the size of the UKI");
                goto finish;
        }
        if (ret_size)
                *ret_size = layout.file_size;
        r = 0;
finish:
        close_parts(parts, _PART_MAX);
        free_stub(&stub);
        return r;
}
