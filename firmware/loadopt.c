/* SPDX-License-Identifier: MIT */
#include "firmware/loadopt.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/util.h"
#include "firmware/efivar.h"

enum {
        DP_HARDWARE = 0x01,
        DP_ACPI = 0x02,
        DP_MESSAGING = 0x03,
        DP_MEDIA = 0x04,
        DP_BBS = 0x05,
        DP_END = 0x7f,
};

enum {
        DP_HW_PCI = 0x01,
        DP_HW_MEMMAP = 0x03,
        DP_HW_VENDOR = 0x04,
        DP_ACPI_ACPI = 0x01,
        DP_MSG_SCSI = 0x02,
        DP_MSG_USB = 0x05,
        DP_MSG_MAC = 0x0b,
        DP_MSG_VENDOR = 0x0a,
        DP_MSG_UART = 0x0e,
        DP_MSG_USB_CLASS = 0x0f,
        DP_MSG_SATA = 0x12,
        DP_MSG_NVME = 0x17,
        DP_MEDIA_HD = 0x01,
        DP_MEDIA_CDROM = 0x02,
        DP_MEDIA_VENDOR = 0x03,
        DP_MEDIA_FILE = 0x04,
        DP_MEDIA_FV_FILE = 0x06,
        DP_MEDIA_FV = 0x07,
        DP_MEDIA_OFFSET = 0x08,
        DP_END_INSTANCE = 0x01,
        DP_END_ENTIRE = 0xff,
};

#define HD_NODE_SIZE 42u
#define HD_MBR_TYPE_GPT 0x02
#define HD_SIGNATURE_GUID 0x02
#define HD_SIGNATURE_MBR 0x01

/* Description and path lengths are bounded so FilePathListLength (u16) cannot overflow. */
#define LOADOPT_TEXT_MAX 4096u

static void put_node_header(uint8_t *p, uint8_t type, uint8_t subtype, uint16_t len)
{
        p[0] = type;
        p[1] = subtype;
        put_le16(p + 2, len);
}

/* "EFI/BOOT/X.EFI" -> "\EFI\BOOT\X.EFI" */
static char *path_with_backslashes(const char *path)
{
        char *s;

        if (asprintf(&s, "%s%s", path[0] == '/' || path[0] == '\\' ? "" : "\\", path) < 0)
                return NULL;
        for (char *p = s; *p; p++)
                if (*p == '/')
                        *p = '\\';
        return s;
}

int loadopt_build(const char *description, unsigned partno, const guid_t *part_guid, uint64_t start_lba,
                  uint64_t size_lba, const char *file_path, void **ret, size_t *ret_size)
{
        _cleanup_free_ uint8_t *desc = NULL, *file = NULL, *out = NULL;
        _cleanup_free_ char *path = NULL;
        size_t desc_size, file_size, dp_size, size;
        uint8_t *p;
        int r;

        if (!description || !*description || !file_path || !*file_path || partno == 0)
                return -EINVAL;
        path = path_with_backslashes(file_path);
        if (!path)
                return -ENOMEM;
        r = ucs2_from_utf8(description, LOADOPT_TEXT_MAX, &desc, &desc_size);
        if (r < 0)
                return r;
        r = ucs2_from_utf8(path, LOADOPT_TEXT_MAX, &file, &file_size);
        if (r < 0)
                return r;

        dp_size = HD_NODE_SIZE + 4 + file_size + 4;
        size = 6 + desc_size + dp_size;
        out = calloc(1, size);
        if (!out)
                return -ENOMEM;

        put_le32(out, LOAD_OPTION_ACTIVE);
        put_le16(out + 4, (uint16_t) dp_size);
        memcpy(out + 6, desc, desc_size);
        p = out + 6 + desc_size;

        put_node_header(p, DP_MEDIA, DP_MEDIA_HD, HD_NODE_SIZE);
        put_le32(p + 4, partno);
        put_le64(p + 8, start_lba);
        put_le64(p + 16, size_lba);
        efi_guid_to_disk(part_guid, p + 24);
        p[40] = HD_MBR_TYPE_GPT;
        p[41] = HD_SIGNATURE_GUID;
        p += HD_NODE_SIZE;

        put_node_header(p, DP_MEDIA, DP_MEDIA_FILE, (uint16_t) (4 + file_size));
        memcpy(p + 4, file, file_size);
        p += 4 + file_size;

        put_node_header(p, DP_END, DP_END_ENTIRE, 4);

        *ret = out;
        *ret_size = size;
        out = NULL;
        return 0;
}

static void print_guid_at(FILE *f, const uint8_t *disk)
{
        guid_t g;
        const uint8_t *b = g.bytes;

        efi_guid_from_disk(disk, &g);
        fprintf(f, "%02X%02X%02X%02X-%02X%02X-%02X%02X-%02X%02X-%02X%02X%02X%02X%02X%02X",
                b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
                b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

static void print_hex(FILE *f, const uint8_t *p, size_t n)
{
        for (size_t i = 0; i < n; i++)
                fprintf(f, "%02X", p[i]);
}

/* Vendor-defined nodes: GUID then optional data. */
static int print_vendor(FILE *f, const char *name, const uint8_t *node, size_t len)
{
        if (len < 20)
                return -EBADMSG;
        fprintf(f, "%s(", name);
        print_guid_at(f, node + 4);
        if (len > 20) {
                fputc(',', f);
                print_hex(f, node + 20, len - 20);
        }
        fputc(')', f);
        return 0;
}

static int print_hd(FILE *f, const uint8_t *n, size_t len)
{
        if (len != HD_NODE_SIZE)
                return -EBADMSG;
        fprintf(f, "HD(%u,", get_le32(n + 4));
        if (n[40] == HD_MBR_TYPE_GPT && n[41] == HD_SIGNATURE_GUID) {
                fputs("GPT,", f);
                print_guid_at(f, n + 24);
        } else if (n[41] == HD_SIGNATURE_MBR)
                fprintf(f, "MBR,0x%08X", get_le32(n + 24));
        else
                fprintf(f, "%u,0", n[41]);
        fprintf(f, ",0x%llX,0x%llX)", (unsigned long long) get_le64(n + 8), (unsigned long long) get_le64(n + 16));
        return 0;
}

static int print_file(FILE *f, const uint8_t *n, size_t len)
{
        _cleanup_free_ char *s = NULL;
        int r;

        r = ucs2_to_utf8(n + 4, len - 4, &s, NULL);
        if (r < 0)
                return r;
        fprintf(f, "File(%s)", s);
        return 0;
}

/* One node of known minimum size; returns -EBADMSG if it is too short. */
static int print_node(FILE *f, const uint8_t *n, size_t len)
{
        uint8_t type = n[0], sub = n[1];

        switch (type << 8 | sub) {
        case DP_HARDWARE << 8 | DP_HW_PCI:
                if (len != 6)
                        return -EBADMSG;
                fprintf(f, "Pci(0x%X,0x%X)", n[5], n[4]);
                return 0;
        case DP_HARDWARE << 8 | DP_HW_MEMMAP:
                if (len != 24)
                        return -EBADMSG;
                fprintf(f, "MemoryMapped(0x%X,0x%llX,0x%llX)", get_le32(n + 4),
                        (unsigned long long) get_le64(n + 8), (unsigned long long) get_le64(n + 16));
                return 0;
        case DP_HARDWARE << 8 | DP_HW_VENDOR:
                return print_vendor(f, "VenHw", n, len);
        case DP_ACPI << 8 | DP_ACPI_ACPI: {
                uint32_t hid, uid;

                if (len != 12)
                        return -EBADMSG;
                hid = get_le32(n + 4);
                uid = get_le32(n + 8);
                /* PNP0A03 (PCI) and PNP0A08 (PCIe) host bridges, in EISA encoding. */
                if (hid == 0x0a0341d0 || hid == 0x0a0841d0)
                        fprintf(f, "PciRoot(0x%X)", uid);
                else
                        fprintf(f, "Acpi(0x%08X,0x%X)", hid, uid);
                return 0;
        }
        case DP_MESSAGING << 8 | DP_MSG_SCSI:
                if (len != 8)
                        return -EBADMSG;
                fprintf(f, "Scsi(0x%X,0x%X)", get_le16(n + 4), get_le16(n + 6));
                return 0;
        case DP_MESSAGING << 8 | DP_MSG_USB:
                if (len != 6)
                        return -EBADMSG;
                fprintf(f, "USB(0x%X,0x%X)", n[4], n[5]);
                return 0;
        case DP_MESSAGING << 8 | DP_MSG_SATA:
                if (len != 10)
                        return -EBADMSG;
                fprintf(f, "Sata(0x%X,0x%X,0x%X)", get_le16(n + 4), get_le16(n + 6), get_le16(n + 8));
                return 0;
        case DP_MESSAGING << 8 | DP_MSG_NVME:
                if (len != 16)
                        return -EBADMSG;
                fprintf(f, "NVMe(0x%X,", get_le32(n + 4));
                print_hex(f, n + 8, 8);
                fputc(')', f);
                return 0;
        case DP_MESSAGING << 8 | DP_MSG_MAC:
                if (len != 37)
                        return -EBADMSG;
                fputs("MAC(", f);
                print_hex(f, n + 4, 6);
                fprintf(f, ",0x%X)", n[36]);
                return 0;
        case DP_MESSAGING << 8 | DP_MSG_VENDOR:
                return print_vendor(f, "VenMsg", n, len);
        case DP_MESSAGING << 8 | DP_MSG_UART: {
                static const char parity[] = "DNEOMS";

                if (len != 19)
                        return -EBADMSG;
                /* 0 means "the device's default" for every field. */
                fprintf(f, "Uart(%llu,%u,%c,%u)", (unsigned long long) get_le64(n + 8), n[16],
                        n[17] < sizeof(parity) - 1 ? parity[n[17]] : '?', n[18]);
                return 0;
        }
        case DP_MESSAGING << 8 | DP_MSG_USB_CLASS:
                if (len != 11)
                        return -EBADMSG;
                fprintf(f, "UsbClass(0x%X,0x%X,0x%X,0x%X,0x%X)", get_le16(n + 4), get_le16(n + 6), n[8], n[9], n[10]);
                return 0;
        case DP_MEDIA << 8 | DP_MEDIA_HD:
                return print_hd(f, n, len);
        case DP_MEDIA << 8 | DP_MEDIA_CDROM:
                if (len != 24)
                        return -EBADMSG;
                fprintf(f, "CDROM(0x%X,0x%llX,0x%llX)", get_le32(n + 4),
                        (unsigned long long) get_le64(n + 8), (unsigned long long) get_le64(n + 16));
                return 0;
        case DP_MEDIA << 8 | DP_MEDIA_VENDOR:
                return print_vendor(f, "VenMedia", n, len);
        case DP_MEDIA << 8 | DP_MEDIA_FILE:
                return print_file(f, n, len);
        case DP_MEDIA << 8 | DP_MEDIA_FV_FILE:
        case DP_MEDIA << 8 | DP_MEDIA_FV:
                if (len != 20)
                        return -EBADMSG;
                fputs(sub == DP_MEDIA_FV ? "Fv(" : "FvFile(", f);
                print_guid_at(f, n + 4);
                fputc(')', f);
                return 0;
        case DP_MEDIA << 8 | DP_MEDIA_OFFSET:
                if (len != 24)
                        return -EBADMSG;
                fprintf(f, "Offset(0x%llX,0x%llX)", (unsigned long long) get_le64(n + 8),
                        (unsigned long long) get_le64(n + 16));
                return 0;
        default:
                /* The generic form of the UEFI text notation. */
                fprintf(f, "Path(%u,%u", type, sub);
                if (len > 4) {
                        fputc(',', f);
                        print_hex(f, n + 4, len - 4);
                }
                fputc(')', f);
                return 0;
        }
}

static int format_nodes(FILE *f, const uint8_t *p, size_t size, const char **reason)
{
        bool first = true;
        size_t off = 0;

        while (true) {
                size_t len;
                int r;

                if (size - off < 4) {
                        *reason = "device path runs past its end without an End node";
                        return -EBADMSG;
                }
                len = get_le16(p + off + 2);
                if (len < 4 || len > size - off) {
                        *reason = "device path node with a bad length";
                        return -EBADMSG;
                }
                if (p[off] == DP_END) {
                        if (p[off + 1] == DP_END_ENTIRE)
                                return 0;
                        fputc(',', f);  /* end of one instance: another follows */
                        first = true;
                        off += len;
                        continue;
                }
                if (!first)
                        fputc('/', f);
                r = print_node(f, p + off, len);
                if (r < 0) {
                        *reason = "device path node too short or malformed for its type";
                        return r;
                }
                first = false;
                off += len;
        }
}

/* Runs fn over the bytes with a memory stream and hands back the text. */
static int with_memstream(int (*fn)(FILE *f, const uint8_t *p, size_t size, const char **reason),
                          const uint8_t *p, size_t size, char **ret, const char **reason)
{
        char *text = NULL;
        size_t len = 0;
        FILE *f;
        int r;

        f = open_memstream(&text, &len);
        if (!f)
                return -ENOMEM;
        r = fn(f, p, size, reason);
        if (fclose(f) != 0 && r >= 0)
                r = -ENOMEM;
        if (r < 0) {
                free(text);
                return r;
        }
        *ret = text;
        return 0;
}

int devpath_format(const void *buf, size_t size, char **ret, const char **reason)
{
        static const char *ignored;

        return with_memstream(format_nodes, buf, size, ret, reason ?: &ignored);
}

static int format_loadopt(FILE *f, const uint8_t *p, size_t size, const char **reason)
{
        _cleanup_free_ char *desc = NULL;
        size_t desc_size, dp_len;
        int r;

        if (size < 6) {
                *reason = "shorter than a load option header";
                return -EBADMSG;
        }
        dp_len = get_le16(p + 4);
        r = ucs2_to_utf8(p + 6, size - 6, &desc, &desc_size);
        if (r == -EBADMSG)
                *reason = "description not NUL-terminated";
        if (r < 0)
                return r;
        if (dp_len > size - 6 - desc_size) {
                *reason = "file path list runs past the end of the option";
                return -EBADMSG;
        }
        fprintf(f, "%c %s  ", get_le32(p) & LOAD_OPTION_ACTIVE ? '*' : ' ', desc);
        r = format_nodes(f, p + 6 + desc_size, dp_len, reason);
        if (r < 0)
                return r;
        if (size - 6 - desc_size - dp_len > 0)
                fprintf(f, " +%zu bytes optional data", size - 6 - desc_size - dp_len);
        return 0;
}

int loadopt_format(const void *buf, size_t size, char **ret, const char **reason)
{
        static const char *ignored;

        return with_memstream(format_loadopt, buf, size, ret, reason ?: &ignored);
}

int boot_entry_vars(const struct boot_entry *e, struct efi_var **ret, size_t *ret_n)
{
        _cleanup_free_ void *option = NULL;
        struct efi_var *vars = NULL;
        uint8_t order[2] = { 0, 0 }, timeout[2];
        size_t option_size, n = 0;
        int r;

        if (e->timeout >= 0xffff)
                return log_error(-EINVAL, "boot entry: timeout %u s is too large (at most 65534)", e->timeout);
        r = loadopt_build(e->description, e->partno, &e->part_uuid, e->start_lba, e->size_lba, e->loader,
                          &option, &option_size);
        if (r == -EINVAL)
                return log_error(r, "boot entry: the description and loader path must be non-empty UCS-2 text, the partition number not 0");
        if (r < 0)
                return log_error_errno(r, "cannot build the boot entry");
        put_le16(timeout, (uint16_t) e->timeout);

        r = efi_vars_append(&vars, &n, "Boot0000", &efi_global_variable_guid, EFI_VARIABLE_NV_BS_RT, option, option_size);
        if (r >= 0)
                r = efi_vars_append(&vars, &n, "BootOrder", &efi_global_variable_guid, EFI_VARIABLE_NV_BS_RT, order, 2);
        if (r >= 0)
                r = efi_vars_append(&vars, &n, "Timeout", &efi_global_variable_guid, EFI_VARIABLE_NV_BS_RT, timeout, 2);
        if (r < 0) {
                efi_vars_free(vars, n);
                return log_error_errno(r, "cannot build the boot variables");
        }
        *ret = vars;
        *ret_n = n;
        return 0;
}
