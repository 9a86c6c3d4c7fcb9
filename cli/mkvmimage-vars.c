/* SPDX-License-Identifier: MIT */
/*
 * mkvmimage-vars: inspect and seed UEFI variable stores.
 *
 *   mkvmimage-vars list FILE|IMAGE
 *   mkvmimage-vars seed --format edk2|ebbr -o OUT --esp-from IMAGE [--arch aa64] ...
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/arch.h"
#include "base/gpt-read.h"
#include "base/guid.h"
#include "base/file.h"
#include "base/log.h"
#include "base/util.h"
#include "firmware/ebbr-vars.h"
#include "firmware/edk2-vars.h"
#include "firmware/loadopt.h"
#include "firmware/varstore.h"

#define DEFAULT_TIMEOUT_SEC 5u   /* what EDK2 itself writes on first boot */

struct seed_options {
        const char *format;
        const char *output;
        const char *image;          /* write into this image's varstore partition */
        const char *esp_from;       /* take the ESP's number, GUID, start, size from this image */
        const char *description;
        const char *loader;
        const struct arch *arch;
        struct gpt_partition esp;
        bool have_partno, have_uuid, have_start, have_size;
        uint64_t offset;
        bool have_offset;
        unsigned timeout;
};

static void help(void)
{
        printf("Usage: mkvmimage-vars list FILE|IMAGE\n"
               "       mkvmimage-vars seed --format edk2|ebbr (-o FILE | --image IMAGE) [OPTIONS]\n\n"
               "Inspect and write the UEFI variable stores mkvmimage images boot with: what\n"
               "mkvmimage itself writes for a varstore layout, by hand (e.g. a VARS file for\n"
               "an image without a varstore partition). `mkvmimage vars list` is the same list.\n\n"
               "list: print the variables of an EDK2 VARS file (64 MiB), a U-Boot ubootefi.var,\n"
               "      or the varstore partition of a disk image, decoding Boot####, BootOrder, Timeout.\n\n"
               "seed: write a store holding Boot0000 (a load option for the image's bootloader),\n"
               "      BootOrder = 0000 and Timeout.\n"
               "  --format edk2|ebbr       EDK2 ArmVirtQemu VARS (64 MiB) or U-Boot's ubootefi.var\n"
               "  -o, --output FILE        write the store to FILE (replaced)\n"
               "      --offset BYTES       edk2: write into the existing FILE at this offset instead\n"
               "      --image IMAGE        edk2: write into IMAGE's varstore partition (type %s)\n"
               "      --esp-from IMAGE     take the ESP's number, GUID, start and size from IMAGE's GPT\n"
               "      --partition N        ESP partition number (1-based)\n"
               "      --part-uuid GUID     ESP unique partition GUID (PARTUUID)\n"
               "      --start LBA          ESP first sector (512 bytes)\n"
               "      --size SECTORS       ESP size in sectors\n"
               "  -a, --arch ARCH          loader \\EFI\\BOOT\\<removable name for ARCH> (%s)\n"
               "      --loader PATH        loader path in the ESP instead (e.g. \\EFI\\debian\\shimaa64.efi)\n"
               "  -d, --description TEXT   boot entry description (default \"mkvmimage\")\n"
               "  -t, --timeout SECONDS    Timeout variable (default %u)\n"
               "  -q, --quiet\n"
               "  -h, --help\n\n"
               "Example: a VARS file that boots disk.img's removable-media loader first:\n"
               "  mkvmimage-vars seed --format edk2 -o vars.fd --esp-from disk.img --arch aa64\n\n"
               "Exit status: 0 done, 1 error (a message on stderr), 2 no or an unknown command.\n"
               "See docs/mkvmimage.md (mkvmimage-vars).\n",
               GPT_VARSTORE_TYPE_STR, arch_list(), DEFAULT_TIMEOUT_SEC);
}

static int parse_u64(const char *s, const char *what, uint64_t *ret)
{
        char *end;
        unsigned long long v;

        errno = 0;
        v = strtoull(s, &end, 0);
        if (errno != 0 || end == s || *end != '\0' || s[0] == '-')
                return log_error(-EINVAL, "%s: not a valid number: %s", what, s);
        *ret = v;
        return 0;
}

static int parse_seed_options(int argc, char **argv, struct seed_options *o)
{
        enum { OPT_FORMAT = 0x100, OPT_OFFSET, OPT_IMAGE, OPT_ESP_FROM, OPT_PARTITION, OPT_PART_UUID,
               OPT_START, OPT_SIZE, OPT_LOADER };
        static const struct option longopts[] = {
                { "format", required_argument, NULL, OPT_FORMAT },
                { "output", required_argument, NULL, 'o' },
                { "offset", required_argument, NULL, OPT_OFFSET },
                { "image", required_argument, NULL, OPT_IMAGE },
                { "esp-from", required_argument, NULL, OPT_ESP_FROM },
                { "partition", required_argument, NULL, OPT_PARTITION },
                { "part-uuid", required_argument, NULL, OPT_PART_UUID },
                { "start", required_argument, NULL, OPT_START },
                { "size", required_argument, NULL, OPT_SIZE },
                { "arch", required_argument, NULL, 'a' },
                { "loader", required_argument, NULL, OPT_LOADER },
                { "description", required_argument, NULL, 'd' },
                { "timeout", required_argument, NULL, 't' },
                { "quiet", no_argument, NULL, 'q' },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        uint64_t v;
        int c, r;

        o->timeout = DEFAULT_TIMEOUT_SEC;
        o->description = "mkvmimage";
        while ((c = getopt_long(argc, argv, "o:a:d:t:qh", longopts, NULL)) >= 0) {
                switch (c) {
                case OPT_FORMAT: o->format = optarg; break;
                case 'o': o->output = optarg; break;
                case OPT_IMAGE: o->image = optarg; break;
                case OPT_ESP_FROM: o->esp_from = optarg; break;
                case OPT_LOADER: o->loader = optarg; break;
                case 'd': o->description = optarg; break;
                case 'q': log_set_quiet(true); break;
                case 'a':
                        o->arch = arch_find(optarg);
                        if (!o->arch)
                                return log_error(-EINVAL, "unknown architecture \"%s\" (%s)", optarg, arch_list());
                        break;
                case OPT_OFFSET:
                        r = parse_u64(optarg, "--offset", &o->offset);
                        if (r < 0)
                                return r;
                        o->have_offset = true;
                        break;
                case OPT_PARTITION:
                        r = parse_u64(optarg, "--partition", &v);
                        if (r < 0)
                                return r;
                        if (v == 0 || v > 1024)
                                return log_error(-EINVAL, "--partition: %s is not a GPT partition number", optarg);
                        o->esp.partno = (unsigned) v;
                        o->have_partno = true;
                        break;
                case OPT_PART_UUID:
                        if (guid_parse(optarg, &o->esp.uuid) < 0)
                                return log_error(-EINVAL, "--part-uuid: not a GUID: %s", optarg);
                        o->have_uuid = true;
                        break;
                case OPT_START:
                        r = parse_u64(optarg, "--start", &o->esp.offset);
                        if (r < 0)
                                return r;
                        o->have_start = true;
                        break;
                case OPT_SIZE:
                        r = parse_u64(optarg, "--size", &o->esp.size);
                        if (r < 0)
                                return r;
                        o->have_size = true;
                        break;
                case 't':
                        r = parse_u64(optarg, "--timeout", &v);
                        if (r < 0)
                                return r;
                        if (v >= 0xffff)
                                return log_error(-EINVAL, "--timeout: %s is too large (at most 65534 s)", optarg);
                        o->timeout = (unsigned) v;
                        break;
                case 'h':
                        help();
                        exit(EXIT_SUCCESS);
                default:
                        return -EINVAL;
                }
        }
        if (optind != argc)
                return log_error(-EINVAL, "seed: unexpected argument \"%s\" (see --help)", argv[optind]);
        if (!o->format || (strcmp(o->format, "edk2") != 0 && strcmp(o->format, "ebbr") != 0))
                return log_error(-EINVAL, "seed: --format edk2 or --format ebbr is required");
        if (!!o->output + !!o->image != 1)
                return log_error(-EINVAL, "seed: give exactly one of -o FILE and --image IMAGE");
        if (strcmp(o->format, "ebbr") == 0 && (o->image || o->have_offset))
                return log_error(-EINVAL, "seed: --image and --offset are for --format edk2 (ubootefi.var is a file on the ESP)");
        if (o->image && o->have_offset)
                return log_error(-EINVAL, "seed: --image finds the offset itself; drop --offset");
        if (!o->arch == !o->loader)
                return log_error(-EINVAL, "seed: give exactly one of --arch and --loader");
        if (!o->esp_from && !(o->have_partno && o->have_uuid && o->have_start && o->have_size))
                return log_error(-EINVAL, "seed: give --esp-from IMAGE, or all of --partition, --part-uuid, --start, --size");
        return 0;
}

static int esp_from_image(const char *image, struct gpt_partition *ret)
{
        /* A FIFO would hang the GPT read: only files and block devices. */
        _cleanup_close_ int fd = open_regular_file_or_block(image, O_RDONLY, "image");
        int r;

        if (fd < 0)
                return fd;
        r = gpt_find_partition(fd, image, &gpt_esp_type, ret);
        if (r < 0)
                return r;
        if (r == 0)
                return log_error(-ENOENT, "%s: no EFI System Partition (type %s) in the GPT", image, GPT_ESP_TYPE_STR);
        /* Sectors, as the HD() node counts them. */
        ret->offset /= 512;
        ret->size /= 512;
        return 0;
}

static int build_vars(const struct seed_options *o, struct efi_var **vars, size_t *n)
{
        _cleanup_free_ char *loader = NULL;
        struct boot_entry e = {
                .description = o->description,
                .partno = o->esp.partno,
                .part_uuid = o->esp.uuid,
                .start_lba = o->esp.offset,
                .size_lba = o->esp.size,
                .loader = o->loader,
                .timeout = o->timeout,
        };

        if (o->arch) {
                if (asprintf(&loader, "\\EFI\\BOOT\\%s", o->arch->removable_file) < 0)
                        return log_error_errno(-ENOMEM, "cannot build the boot entry");
                e.loader = loader;
        }
        return boot_entry_vars(&e, vars, n);
}

static int write_ebbr(const char *path, const struct efi_var *vars, size_t n)
{
        _cleanup_free_ void *buf = NULL;
        _cleanup_close_ int fd = -1;
        size_t size;
        int r;

        r = ebbr_vars_build(vars, n, &buf, &size);
        if (r < 0)
                return r;
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
                return log_error_errno(-errno, "cannot create %s", path);
        r = pwrite_all(fd, buf, size, 0);
        if (r < 0)
                return log_error_errno(r, "cannot write %s", path);
        return 0;
}

static int write_edk2(const struct seed_options *o, const struct efi_var *vars, size_t n)
{
        const char *path = o->image ?: o->output;
        _cleanup_close_ int fd = -1;
        uint64_t offset = o->offset;
        int r;

        /* Into an existing image or store: a FIFO there would hang the read. */
        if (o->image || o->have_offset) {
                fd = open_regular_file_or_block(path, O_RDWR, o->image ? "image" : "variable store");
                if (fd < 0)
                        return fd;
        } else
                fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
                return log_error_errno(-errno, "cannot open %s", path);
        if (o->image) {
                struct gpt_partition p;

                r = gpt_find_partition(fd, path, &gpt_varstore_type, &p);
                if (r < 0)
                        return r;
                if (r == 0)
                        return log_error(-ENOENT, "%s: no varstore partition (type %s) in the GPT", path, GPT_VARSTORE_TYPE_STR);
                if (p.size != EDK2_VARS_SIZE)
                        return log_error(-EINVAL, "%s: varstore partition %u is %" PRIu64 " bytes, the EDK2 store needs exactly 64 MiB",
                                         path, p.partno, p.size);
                offset = p.offset;
        }
        r = edk2_vars_write(fd, offset, vars, n);
        if (r < 0)
                return r;
        if (fsync(fd) < 0)
                return log_error_errno(-errno, "cannot write %s", path);
        return 0;
}

static int seed(int argc, char **argv)
{
        struct seed_options o = {};
        struct efi_var *vars = NULL;
        size_t n = 0;
        int r;

        r = parse_seed_options(argc, argv, &o);
        if (r < 0)
                return r;
        if (o.esp_from) {
                struct gpt_partition given = o.esp;

                r = esp_from_image(o.esp_from, &o.esp);
                if (r < 0)
                        return r;
                /* Explicit values still win, e.g. to point the entry elsewhere on purpose. */
                if (o.have_partno)
                        o.esp.partno = given.partno;
                if (o.have_uuid)
                        o.esp.uuid = given.uuid;
                if (o.have_start)
                        o.esp.offset = given.offset;
                if (o.have_size)
                        o.esp.size = given.size;
        }
        r = build_vars(&o, &vars, &n);
        if (r >= 0)
                r = strcmp(o.format, "ebbr") == 0 ? write_ebbr(o.output, vars, n) : write_edk2(&o, vars, n);
        efi_vars_free(vars, n);
        return r;
}

int main(int argc, char **argv)
{
        if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
                help();
                return argc < 2 ? 2 : 0;
        }
        if (strcmp(argv[1], "list") == 0) {
                if (argc != 3)
                        return log_error(-EINVAL, "usage: mkvmimage-vars list FILE|IMAGE"), 2;
                return vars_list(argv[2], stdout) < 0 ? 1 : 0;
        }
        if (strcmp(argv[1], "seed") == 0)
                return seed(argc - 1, argv + 1) < 0 ? 1 : 0;
        log_error(-EINVAL, "unknown command \"%s\" (list or seed; see --help)", argv[1]);
        return 2;
}
