/* SPDX-License-Identifier: MIT */
#include "bundle/bundle.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <libgen.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/gpt-read.h"
#include "base/file.h"
#include "base/log.h"
#include "base/output.h"
#include "base/spawn.h"
#include "base/util.h"
#include "firmware/descriptor.h"
#include "firmware/edk2-vars.h"
#include "firmware/efivar.h"
#include "firmware/loadopt.h"
#include "firmware/varstore.h"
#include "platform/cells.h"
#include "platform/qemu-argv.h"

#define BUFFER_SIZE (1u * 1024 * 1024)
/* Zero detection granularity: the file-system block, so holes land where the extractor can punch them. */
#define ZERO_BLOCK 4096u
#define NAME_MAX_LEN 64u
#define DEFAULT_MEMORY_MIB 1024u
#define DEFAULT_CPUS 2u

#define FILE_DISK "disk.img"
#define FILE_CODE "efi-code.fd"
#define FILE_VARS "efi-vars.fd"
#define FILE_DESCRIPTOR "firmware.json"
#define FILE_LIBVIRT "libvirt.xml"
#define FILE_RUN "run"
#define FILE_MANIFEST "MANIFEST"

enum output_kind {
        OUTPUT_DIRECTORY,
        OUTPUT_TAR,
        OUTPUT_TAR_GZIP,
        OUTPUT_TAR_XZ,
        OUTPUT_TAR_ZSTD,
};

/* A run of bytes worth storing; everything between runs reads as zeros. */
struct extent {
        uint64_t offset, length;
};

struct manifest_line {
        char name[32];
        char sha256[65];
};

struct firmware {
        char *code;                /* the CODE flash the descriptor names */
        char *descriptor;          /* which descriptor, for the manifest */
        json_object *features;     /* copied into the bundle's descriptor */
        char *package_version;
};

struct bundle {
        const struct bundle_request *req;
        /* The machine it runs on: the architecture's reference EDK2 cell, as the harness boots it. */
        struct platform cell;
        char *name;
        char *install_dir;
        uint64_t mtime;
        unsigned memory_mib, cpus;
        enum output_kind kind;

        int image_fd;
        struct gpt_partition esp;
        bool have_varstore;
        struct gpt_partition varstore;
        struct firmware fw;

        /* The output being written, in a run directory beside req->output
         * (out.fd: the temporary file for tar, the temporary directory). */
        struct output out;
        struct archive *archive;   /* tar kinds */
        int entry_fd;              /* directory: the file being written */
        uint64_t entry_pos;        /* tar: logical bytes of the entry fed so far */

        uint8_t *buf;
        uint8_t *zeros;
        struct manifest_line lines[8];
        size_t n_lines;
};

/* ---- the request ----------------------------------------------------------- */

static bool name_is_valid(const char *s)
{
        size_t n = strlen(s);

        if (n == 0 || n > NAME_MAX_LEN || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') ||
                                            (s[0] >= '0' && s[0] <= '9')))
                return false;
        return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+-") == n;
}

/* "images/My Disk.img" -> "My-Disk": what is left of the file name, safe in XML, JSON and paths. */
static char *name_from_image(const char *image)
{
        const char *base = strrchr(image, '/') ? strrchr(image, '/') + 1 : image;
        const char *dot = strrchr(base, '.');
        size_t n = dot && dot != base ? (size_t) (dot - base) : strlen(base);
        char *name;

        if (n > NAME_MAX_LEN)
                n = NAME_MAX_LEN;
        name = strndup(base, n);
        if (!name)
                return NULL;
        for (char *p = name; *p; p++)
                if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+-", *p))
                        *p = '-';
        if (!name_is_valid(name)) {
                free(name);
                name = strdup("appliance");
        }
        return name;
}

static int mtime_from_environment(uint64_t *ret)
{
        const char *s = getenv("SOURCE_DATE_EPOCH");
        unsigned long long v;
        char *end;

        if (!s || !*s) {
                *ret = (uint64_t) time(NULL);
                return 0;
        }
        errno = 0;
        v = strtoull(s, &end, 10);
        if (errno != 0 || *end != '\0' || s[0] == '-' || v > INT64_MAX)
                return log_error(-EINVAL, "SOURCE_DATE_EPOCH='%s' is not a number of seconds", s);
        *ret = v;
        return 0;
}

static bool has_suffix(const char *s, const char *suffix)
{
        size_t n = strlen(s), m = strlen(suffix);

        return n > m && strcmp(s + n - m, suffix) == 0;
}

static int output_kind_of(const char *output, enum output_kind *ret)
{
        static const struct {
                const char *suffix;
                enum output_kind kind;
        } suffixes[] = {
                { ".tar", OUTPUT_TAR },
                { ".tar.gz", OUTPUT_TAR_GZIP }, { ".tgz", OUTPUT_TAR_GZIP },
                { ".tar.xz", OUTPUT_TAR_XZ }, { ".txz", OUTPUT_TAR_XZ },
                { ".tar.zst", OUTPUT_TAR_ZSTD }, { ".tzst", OUTPUT_TAR_ZSTD },
        };
        struct stat st;

        if (has_suffix(output, "/") || (stat(output, &st) == 0 && S_ISDIR(st.st_mode))) {
                *ret = OUTPUT_DIRECTORY;
                return 0;
        }
        for (size_t i = 0; i < ELEMENTSOF(suffixes); i++)
                if (has_suffix(output, suffixes[i].suffix)) {
                        *ret = suffixes[i].kind;
                        return 0;
                }
        return log_error(-EINVAL, "%s: cannot tell the bundle format from the name (use .tar, .tar.gz, .tar.xz, .tar.zst, or DIR/)",
                         output);
}

/* ---- the image ------------------------------------------------------------- */

static int inspect_image(struct bundle *b)
{
        const char *image = b->req->image;
        struct stat st;
        int r;

        b->image_fd = open_regular_file(image, O_RDONLY, "image");
        if (b->image_fd < 0)
                return b->image_fd;
        if (fstat(b->image_fd, &st) < 0)
                return log_error_errno(-errno, "cannot stat image %s", image);
        if (!S_ISREG(st.st_mode))
                return log_error(-EINVAL, "image %s is not a regular file", image);

        r = gpt_find_partition(b->image_fd, image, &gpt_esp_type, &b->esp);
        if (r < 0)
                return r;
        if (r == 0)
                return log_error(-EBADMSG, "image %s: no ESP (no partition of type %s in the GPT): the firmware would find nothing to boot",
                                 image, GPT_ESP_TYPE_STR);

        r = gpt_find_partition(b->image_fd, image, &gpt_varstore_type, &b->varstore);
        if (r < 0)
                return r;
        if (r > 0) {
                if (b->varstore.size != EDK2_VARS_SIZE)
                        return log_error(-EINVAL, "image %s: varstore partition %u is %" PRIu64 " bytes; QEMU maps only a 64 MiB flash",
                                         image, b->varstore.partno, b->varstore.size);
                b->have_varstore = true;
        }
        return 0;
}

/* ---- the firmware (QEMU firmware descriptors, as libvirt and the harness read them) -- */

static int find_firmware(const struct platform_firmware *fw, const char *only_dir, struct firmware *ret)
{
        struct edk2_descriptor d = {};
        int r;

        r = edk2_descriptor_find(&(const struct edk2_descriptor_query) {
                                         .arch = fw->descriptor_arch,
                                         .only_dir = only_dir,
                                         .package = fw->package,
                                 }, &d);
        if (r < 0)
                return r;
        /* The bundle copies CODE and starts from its own VARS: the template is not needed. */
        ret->code = d.code;
        ret->descriptor = d.path;
        ret->features = d.features;
        d.code = d.path = NULL;
        d.features = NULL;
        edk2_descriptor_done(&d);
        if (access(ret->code, R_OK) < 0)
                return log_error_errno(-errno, "EDK2 firmware %s (from %s) is not readable (install the Debian package %s)",
                                       ret->code, ret->descriptor, fw->package);
        return 0;
}

static void firmware_done(struct firmware *f)
{
        free(f->code);
        free(f->descriptor);
        free(f->package_version);
        json_object_put(f->features);
        *f = (struct firmware) {};
}

/* "installed 2022.11-6+deb12u2" from dpkg-query: the version goes in the manifest. */
static int package_version(const char *package, char **ret)
{
        _cleanup_free_ char *dpkg_query = find_program("dpkg-query");
        char out[256];
        size_t len = 0;
        int pipefd[2], status;
        const char *version;
        pid_t pid;
        ssize_t k;

        if (!dpkg_query)
                return log_error(-ENOENT, "dpkg-query not found: cannot tell the version of the firmware package %s", package);
        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return log_error_errno(-errno, "cannot run dpkg-query");
        pid = fork();
        if (pid < 0) {
                close(pipefd[0]);
                close(pipefd[1]);
                return log_error_errno(-errno, "cannot run dpkg-query");
        }
        if (pid == 0) {
                int null_fd = open("/dev/null", O_RDWR);

                if (null_fd < 0 || dup2(pipefd[1], STDOUT_FILENO) < 0 || dup2(null_fd, STDERR_FILENO) < 0 ||
                    dup2(null_fd, STDIN_FILENO) < 0)
                        _exit(127);
                execl(dpkg_query, "dpkg-query", "-W", "-f=${db:Status-Status} ${Version}", package, (char *) NULL);
                _exit(127);
        }
        close(pipefd[1]);
        while ((k = read(pipefd[0], out + len, sizeof(out) - 1 - len)) != 0) {
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        break;
                len += (size_t) k;
                if (len == sizeof(out) - 1)
                        break;
        }
        close(pipefd[0]);
        out[len] = '\0';
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return log_error_errno(-errno, "cannot wait for dpkg-query");

        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || strncmp(out, "installed ", 10) != 0)
                return log_error(-ENOENT, "the firmware package %s is not installed (apt-get install %s)", package, package);
        version = out + 10;
        if (!*version || strspn(version, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.+-~:") != strlen(version))
                return log_error(-EBADMSG, "dpkg-query printed an odd version for %s: \"%s\"", package, version);
        *ret = strdup(version);
        return *ret ? 0 : log_error_errno(-ENOMEM, "cannot read the version of %s", package);
}

/* ---- the output: a tar archive or a directory ------------------------------ */

static int archive_failed(struct bundle *b, const char *what)
{
        int err = archive_errno(b->archive);

        if (err > 0)
                return log_error_errno(-err, "cannot write %s: %s: %s", b->req->output, what,
                                       archive_error_string(b->archive) ?: "libarchive error");
        return log_error(-EIO, "cannot write %s: %s: %s", b->req->output, what,
                         archive_error_string(b->archive) ?: "unknown libarchive error");
}

static int open_archive(struct bundle *b)
{
        struct archive *a = archive_write_new();
        int k = ARCHIVE_OK;

        if (!a)
                return log_error_errno(-ENOMEM, "cannot write %s", b->req->output);
        b->archive = a;
        /* pax: sparse entries (GNU sparse 1.0 attributes), long names, exact sizes. */
        if (archive_write_set_format_pax(a) != ARCHIVE_OK)
                return archive_failed(b, "pax format");
        switch (b->kind) {
        case OUTPUT_TAR_GZIP:
                k = archive_write_add_filter_gzip(a);
                /* gzip stores the current time in its header unless told not to. */
                if (k == ARCHIVE_OK)
                        k = archive_write_set_filter_option(a, "gzip", "timestamp", NULL);
                break;
        case OUTPUT_TAR_XZ:
                k = archive_write_add_filter_xz(a);
                break;
        case OUTPUT_TAR_ZSTD:
                k = archive_write_add_filter_zstd(a);
                break;
        default:
                break;
        }
        if (k != ARCHIVE_OK)
                return archive_failed(b, "compression");
        if (archive_write_open_fd(a, b->out.fd) != ARCHIVE_OK)
                return archive_failed(b, "open");
        return 0;
}

static struct archive_entry *new_entry(struct bundle *b, const char *name, mode_t type, mode_t perm, uint64_t size)
{
        struct archive_entry *e = archive_entry_new();
        _cleanup_free_ char *path = NULL;

        if (!e)
                return NULL;
        if (asprintf(&path, "%s/%s", b->name, name) < 0) {
                archive_entry_free(e);
                return NULL;
        }
        archive_entry_copy_pathname(e, path);
        archive_entry_set_filetype(e, type);
        archive_entry_set_perm(e, perm);
        archive_entry_set_size(e, (la_int64_t) size);
        archive_entry_set_mtime(e, (time_t) b->mtime, 0);
        archive_entry_set_uid(e, 0);
        archive_entry_set_gid(e, 0);
        archive_entry_copy_uname(e, "root");
        archive_entry_copy_gname(e, "root");
        return e;
}

static int begin_entry(struct bundle *b, const char *name, mode_t perm, uint64_t size,
                       const struct extent *runs, size_t n_runs)
{
        if (b->archive) {
                struct archive_entry *e = new_entry(b, name, AE_IFREG, perm, size);
                bool whole = n_runs == 1 && runs[0].offset == 0 && runs[0].length == size;
                int k;

                if (!e)
                        return log_error_errno(-ENOMEM, "cannot write %s", b->req->output);
                if (!whole && size > 0) {
                        for (size_t i = 0; i < n_runs; i++)
                                archive_entry_sparse_add_entry(e, (la_int64_t) runs[i].offset, (la_int64_t) runs[i].length);
                        /* All zeros: an empty run at the end still makes it a sparse entry. */
                        if (n_runs == 0)
                                archive_entry_sparse_add_entry(e, (la_int64_t) size, 0);
                }
                k = archive_write_header(b->archive, e);
                archive_entry_free(e);
                if (k != ARCHIVE_OK)
                        return archive_failed(b, name);
                b->entry_pos = 0;
                return 0;
        }

        b->entry_fd = openat(b->out.fd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (b->entry_fd < 0)
                return log_error_errno(-errno, "cannot create %s/%s", b->out.tmp_path, name);
        if (fchmod(b->entry_fd, perm) < 0)
                return log_error_errno(-errno, "cannot write %s/%s", b->out.tmp_path, name);
        return 0;
}

/* libarchive wants every byte of a sparse entry in order; it drops the ones in holes. */
static int feed_archive(struct bundle *b, const void *buf, size_t len, const char *name)
{
        const uint8_t *p = buf;

        while (len > 0) {
                la_ssize_t k = archive_write_data(b->archive, p, len);

                if (k <= 0)
                        return archive_failed(b, name);
                p += k;
                len -= (size_t) k;
                b->entry_pos += (uint64_t) k;
        }
        return 0;
}

static int write_entry_data(struct bundle *b, const char *name, uint64_t offset, const void *buf, size_t len)
{
        int r;

        if (!b->archive) {
                r = pwrite_all(b->entry_fd, buf, len, offset);
                return r < 0 ? log_error_errno(r, "cannot write %s/%s", b->out.tmp_path, name) : 0;
        }
        while (b->entry_pos < offset) {
                uint64_t gap = offset - b->entry_pos;

                r = feed_archive(b, b->zeros, gap < BUFFER_SIZE ? (size_t) gap : BUFFER_SIZE, name);
                if (r < 0)
                        return r;
        }
        return feed_archive(b, buf, len, name);
}

static int end_entry(struct bundle *b, const char *name, uint64_t size)
{
        struct timespec times[2] = { { .tv_sec = (time_t) b->mtime }, { .tv_sec = (time_t) b->mtime } };
        int r = 0;

        if (b->archive)
                /* libarchive pads the rest (zeros after the last run) itself. */
                return archive_write_finish_entry(b->archive) == ARCHIVE_OK ? 0 : archive_failed(b, name);

        /* A trailing hole is a size, not data. */
        if (ftruncate(b->entry_fd, (off_t) size) < 0 || futimens(b->entry_fd, times) < 0 || fsync(b->entry_fd) < 0)
                r = log_error_errno(-errno, "cannot write %s/%s", b->out.tmp_path, name);
        close(b->entry_fd);
        b->entry_fd = -1;
        return r;
}

/* ---- file contents, hashed on the way ------------------------------------- */

static bool is_zero(const uint8_t *p, size_t n)
{
        return n == 0 || (p[0] == 0 && memcmp(p, p + 1, n - 1) == 0);
}

static int add_extent(struct extent **runs, size_t *n, uint64_t offset, uint64_t length)
{
        struct extent *grown;

        if (*n > 0 && (*runs)[*n - 1].offset + (*runs)[*n - 1].length == offset) {
                (*runs)[*n - 1].length += length;
                return 0;
        }
        grown = realloc(*runs, (*n + 1) * sizeof(**runs));
        if (!grown)
                return -ENOMEM;
        *runs = grown;
        grown[(*n)++] = (struct extent) { offset, length };
        return 0;
}

/* Scans [offset, offset+length) of fd block by block and keeps the blocks that are not all zero. */
static int scan_for_data(struct bundle *b, int fd, const char *what, uint64_t offset, uint64_t length,
                         struct extent **runs, size_t *n)
{
        while (length > 0) {
                size_t chunk = length < BUFFER_SIZE ? (size_t) length : BUFFER_SIZE;
                int r = pread_all(fd, b->buf, chunk, offset);

                if (r < 0)
                        return log_error_errno(r, "cannot read %s", what);
                for (size_t i = 0; i < chunk; i += ZERO_BLOCK) {
                        size_t block = chunk - i < ZERO_BLOCK ? chunk - i : ZERO_BLOCK;

                        if (!is_zero(b->buf + i, block) && add_extent(runs, n, offset + i, block) < 0)
                                return log_error_errno(-ENOMEM, "cannot read %s", what);
                }
                offset += chunk;
                length -= chunk;
        }
        return 0;
}

/*
 * Where the data of fd is: the file system's extents (SEEK_DATA/SEEK_HOLE,
 * so a mostly empty image is not read through), minus the zero blocks in
 * them (firmware flash files are 64 MiB of mostly zeros, stored as data).
 */
static int map_data(struct bundle *b, int fd, const char *what, uint64_t size, struct extent **ret, size_t *ret_n)
{
        struct extent *runs = NULL;
        uint64_t pos = 0;
        size_t n = 0;
        int r = 0;

        while (pos < size && r == 0) {
                off_t data = lseek(fd, (off_t) pos, SEEK_DATA), hole;

                if (data < 0 && errno == ENXIO)
                        break;              /* only a hole is left */
                if (data < 0 && errno == EINVAL) {
                        data = (off_t) pos; /* no hole support: all of it is data */
                        hole = (off_t) size;
                } else if (data < 0) {
                        r = log_error_errno(-errno, "cannot read %s", what);
                        break;
                } else {
                        hole = lseek(fd, data, SEEK_HOLE);
                        if (hole < 0) {
                                r = log_error_errno(-errno, "cannot read %s", what);
                                break;
                        }
                }
                if ((uint64_t) hole > size)
                        hole = (off_t) size;
                if ((uint64_t) data >= size)
                        break;
                r = scan_for_data(b, fd, what, (uint64_t) data, (uint64_t) (hole - data), &runs, &n);
                pos = (uint64_t) hole;
        }
        if (r < 0) {
                free(runs);
                return r;
        }
        *ret = runs;
        *ret_n = n;
        return 0;
}

static int hash_zeros(struct bundle *b, EVP_MD_CTX *md, uint64_t n)
{
        while (n > 0) {
                size_t chunk = n < BUFFER_SIZE ? (size_t) n : BUFFER_SIZE;

                if (EVP_DigestUpdate(md, b->zeros, chunk) != 1)
                        return -EIO;
                n -= chunk;
        }
        return 0;
}

static int record_hash(struct bundle *b, const char *name, EVP_MD_CTX *md)
{
        unsigned char digest[EVP_MAX_MD_SIZE];
        unsigned len = 0;
        struct manifest_line *l;

        if (b->n_lines >= ELEMENTSOF(b->lines) || EVP_DigestFinal_ex(md, digest, &len) != 1 || len != 32)
                return log_error(-EIO, "cannot compute the SHA-256 of %s", name);
        l = &b->lines[b->n_lines++];
        snprintf(l->name, sizeof(l->name), "%s", name);
        for (unsigned i = 0; i < len; i++)
                sprintf(l->sha256 + 2 * i, "%02x", digest[i]);
        return 0;
}

static void md_freep(EVP_MD_CTX **md)
{
        EVP_MD_CTX_free(*md);
}

/* Copies fd (what names it in messages) into the bundle as name: only its data runs, hashed whole. */
static int add_file(struct bundle *b, const char *name, mode_t perm, int fd, const char *what)
{
        _cleanup_(md_freep) EVP_MD_CTX *md = EVP_MD_CTX_new();
        _cleanup_free_ struct extent *runs = NULL;
        uint64_t pos = 0, size;
        struct stat st;
        size_t n = 0;
        int r;

        if (!md || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1)
                return log_error(-ENOMEM, "cannot compute the SHA-256 of %s", what);
        if (fstat(fd, &st) < 0)
                return log_error_errno(-errno, "cannot stat %s", what);
        size = (uint64_t) st.st_size;
        r = map_data(b, fd, what, size, &runs, &n);
        if (r < 0)
                return r;
        r = begin_entry(b, name, perm, size, runs, n);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                uint64_t off = runs[i].offset, end = runs[i].offset + runs[i].length;

                if (hash_zeros(b, md, off - pos) < 0)
                        return log_error(-EIO, "cannot compute the SHA-256 of %s", what);
                while (off < end) {
                        size_t chunk = end - off < BUFFER_SIZE ? (size_t) (end - off) : BUFFER_SIZE;

                        r = pread_all(fd, b->buf, chunk, off);
                        if (r < 0)
                                return log_error_errno(r, "cannot read %s (did it change while being bundled?)", what);
                        if (EVP_DigestUpdate(md, b->buf, chunk) != 1)
                                return log_error(-EIO, "cannot compute the SHA-256 of %s", what);
                        r = write_entry_data(b, name, off, b->buf, chunk);
                        if (r < 0)
                                return r;
                        off += chunk;
                }
                pos = end;
        }
        if (hash_zeros(b, md, size - pos) < 0)
                return log_error(-EIO, "cannot compute the SHA-256 of %s", what);
        r = end_entry(b, name, size);
        if (r < 0)
                return r;
        return record_hash(b, name, md);
}

static int add_text(struct bundle *b, const char *name, mode_t perm, const char *text, bool in_manifest)
{
        _cleanup_(md_freep) EVP_MD_CTX *md = EVP_MD_CTX_new();
        size_t len = strlen(text);
        struct extent all = { 0, len };
        int r;

        r = begin_entry(b, name, perm, len, &all, len > 0);
        if (r >= 0 && len > 0)
                r = write_entry_data(b, name, 0, text, len);
        if (r >= 0)
                r = end_entry(b, name, len);
        if (r < 0 || !in_manifest)
                return r;
        if (!md || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1 || EVP_DigestUpdate(md, text, len) != 1)
                return log_error(-ENOMEM, "cannot compute the SHA-256 of %s", name);
        return record_hash(b, name, md);
}

/* ---- the generated files --------------------------------------------------- */

static int add_vars(struct bundle *b)
{
        _cleanup_close_ int fd = memfd_create("efi-vars", MFD_CLOEXEC);
        _cleanup_free_ char *loader = NULL;
        struct efi_var *vars = NULL;
        size_t n = 0;
        int r;

        if (fd < 0)
                return log_error_errno(-errno, "cannot create the variable store");
        if (asprintf(&loader, "\\EFI\\BOOT\\%s", b->req->arch->removable_file) < 0) {
                loader = NULL;
                return log_error_errno(-ENOMEM, "cannot build the boot entry");
        }
        r = boot_entry_vars(&(struct boot_entry) {
                        .description = b->name,
                        .partno = b->esp.partno,
                        .part_uuid = b->esp.uuid,
                        .start_lba = b->esp.offset / 512,
                        .size_lba = b->esp.size / 512,
                        .loader = loader,
                        /* An appliance boots straight away; QEMU's -boot menu=on still offers the menu. */
                        .timeout = 0,
                }, &vars, &n);
        if (r < 0)
                return r;
        r = edk2_vars_write(fd, 0, vars, n);
        efi_vars_free(vars, n);
        if (r < 0)
                return r;
        return add_file(b, FILE_VARS, 0644, fd, "the seeded variable store");
}

static char *strdup_printf(const char *fmt, ...) _printf_(1, 2);
static char *strdup_printf(const char *fmt, ...)
{
        va_list ap;
        char *s;
        int k;

        va_start(ap, fmt);
        k = vasprintf(&s, fmt, ap);
        va_end(ap);
        return k < 0 ? NULL : s;
}

/* A QEMU firmware descriptor (docs/interop/firmware.json) for the bundle's own firmware files. */
static char *descriptor_json(struct bundle *b)
{
        const struct platform_firmware *fw = b->cell.firmware;
        json_object *root = json_object_new_object(), *mapping = json_object_new_object();
        json_object *code = json_object_new_object(), *targets = json_object_new_array();
        json_object *target = json_object_new_object(), *machines = json_object_new_array();
        _cleanup_free_ char *description = NULL, *machine_glob = NULL, *code_path = NULL, *vars_path = NULL;
        char *text = NULL;

        description = b->have_varstore
                ? strdup_printf("EDK2 for the appliance %s (%s %s); its variables live in the disk image's varstore partition %u",
                                b->name, fw->package, b->fw.package_version, b->varstore.partno)
                : strdup_printf("EDK2 for the appliance %s (%s %s), variables seeded to boot its ESP",
                                b->name, fw->package, b->fw.package_version);
        machine_glob = strdup_printf("%s-*", b->cell.machine->machine);
        code_path = strdup_printf("%s/%s", b->install_dir, FILE_CODE);
        vars_path = strdup_printf("%s/%s", b->install_dir, FILE_VARS);
        if (!root || !mapping || !code || !targets || !target || !machines || !description || !machine_glob || !code_path || !vars_path)
                goto out;

        json_object_object_add(root, "description", json_object_new_string(description));
        json_object_object_add(root, "interface-types", json_object_new_array());
        json_object_array_add(json_object_object_get(root, "interface-types"), json_object_new_string("uefi"));
        json_object_object_add(mapping, "device", json_object_new_string("flash"));
        /* Without a VARS file the flash is "stateless" to libvirt: the run script brings the partition. */
        json_object_object_add(mapping, "mode", json_object_new_string(b->have_varstore ? "stateless" : "split"));
        json_object_object_add(code, "filename", json_object_new_string(code_path));
        json_object_object_add(code, "format", json_object_new_string("raw"));
        json_object_object_add(mapping, "executable", code);
        code = NULL;
        if (!b->have_varstore) {
                json_object *vars = json_object_new_object();

                if (!vars)
                        goto out;
                json_object_object_add(vars, "filename", json_object_new_string(vars_path));
                json_object_object_add(vars, "format", json_object_new_string("raw"));
                json_object_object_add(mapping, "nvram-template", vars);
        }
        json_object_object_add(root, "mapping", mapping);
        mapping = NULL;
        json_object_object_add(target, "architecture", json_object_new_string(fw->descriptor_arch));
        json_object_array_add(machines, json_object_new_string(machine_glob));
        json_object_object_add(target, "machines", machines);
        machines = NULL;
        json_object_array_add(targets, target);
        target = NULL;
        json_object_object_add(root, "targets", targets);
        targets = NULL;
        json_object_object_add(root, "features", b->fw.features ? json_object_get(b->fw.features) : json_object_new_array());
        json_object_object_add(root, "tags", json_object_new_array());

        text = strdup_printf("%s\n", json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
                                                                                JSON_C_TO_STRING_NOSLASHESCAPE));
out:
        json_object_put(root);
        json_object_put(mapping);
        json_object_put(code);
        json_object_put(targets);
        json_object_put(target);
        json_object_put(machines);
        return text;
}

/* For XML attribute values and text; the name is restricted, install_dir is not. */
static char *xml_escape(const char *s)
{
        size_t n = 0;
        char *out, *p;

        for (const char *q = s; *q; q++)
                n += strchr("&<>'\"", *q) ? 6 : 1;
        out = malloc(n + 1);
        if (!out)
                return NULL;
        p = out;
        for (const char *q = s; *q; q++)
                switch (*q) {
                case '&': p = stpcpy(p, "&amp;"); break;
                case '<': p = stpcpy(p, "&lt;"); break;
                case '>': p = stpcpy(p, "&gt;"); break;
                case '\'': p = stpcpy(p, "&apos;"); break;
                case '"': p = stpcpy(p, "&quot;"); break;
                default: *p++ = *q;
                }
        *p = '\0';
        return out;
}

/*
 * The bundle's machine as one boot of its cell with the bundle's files in
 * dir: what the run script and the libvirt domain both describe.
 */
struct bundle_machine {
        struct machine_config config;
        char *disk, *code, *vars;
};

static void bundle_machine_done(struct bundle_machine *m)
{
        free(m->disk);
        free(m->code);
        free(m->vars);
}

static int bundle_machine_init(struct bundle *b, const char *dir, const char *qemu, struct bundle_machine *ret)
{
        *ret = (struct bundle_machine) {
                .disk = strdup_printf("%s/%s", dir, FILE_DISK),
                .code = strdup_printf("%s/%s", dir, FILE_CODE),
                .vars = strdup_printf("%s/%s", dir, FILE_VARS),
        };
        if (!ret->disk || !ret->code || !ret->vars)
                return -ENOMEM;
        ret->config = (struct machine_config) {
                .cell = &b->cell,
                .qemu = qemu,
                .memory_mib = b->memory_mib,
                .cpus = b->cpus,
                .console = QEMU_CONSOLE_TERMINAL,
                .disk = ret->disk,
                .code = ret->code,
                /* With a varstore partition, that window of disk.img is the flash (as the harness's --persist). */
                .vars = b->have_varstore ? NULL : ret->vars,
                .vars_offset = b->have_varstore ? b->varstore.offset : 0,
                .vars_size = b->have_varstore ? b->varstore.size : 0,
        };
        return 0;
}

/*
 * <loader> and <nvram> for the bundle's pflash firmware (pick_cell() chose
 * the EDK2 cell: the bundle ships its CODE and VARS flashes), named in m.
 */
static void put_libvirt_firmware(FILE *f, struct bundle *b, const struct bundle_machine *m,
                                 const char *code, const char *vars)
{
        if (m->config.vars_size > 0)
                /*
                 * libvirt cannot name a window of a file as the variable
                 * flash: the loader is stateless to it, and QEMU gets the
                 * varstore partition from <qemu:commandline>.
                 */
                fprintf(f, "    <loader readonly='yes' type='pflash' stateless='yes'>%s</loader>\n", code);
        else
                fprintf(f, "    <loader readonly='yes' type='pflash'>%s</loader>\n"
                        "    <nvram template='%s'>/var/lib/libvirt/qemu/nvram/%s_VARS.fd</nvram>\n",
                        code, vars, b->name);
}

/*
 * The libvirt domain for the same machine the run script starts: machine,
 * CPU, firmware, interrupt controller and disk bus all come from the cell,
 * the varstore window's QEMU arguments from the same argv builder.
 */
static char *libvirt_xml(struct bundle *b)
{
        const struct platform *p = &b->cell;
        _cleanup_(bundle_machine_done) struct bundle_machine m = {};
        _cleanup_strv_free_ char **window = NULL;
        _cleanup_free_ char *dir = NULL, *code = NULL, *vars = NULL, *disk = NULL;
        const char *accel = p->machine->accel;
        bool failed = false;
        char *text = NULL;
        size_t len;
        FILE *f;

        if (bundle_machine_init(b, b->install_dir, NULL, &m) < 0)
                return NULL;
        dir = xml_escape(b->install_dir);
        code = xml_escape(m.config.code);
        vars = xml_escape(m.vars);
        disk = xml_escape(m.config.disk);
        if (!dir || !code || !vars || !disk)
                return NULL;
        /* libvirt's own node names must not clash with ours. */
        if (m.config.vars_size > 0 && platform_qemu_vars_window_argv(&m.config, "mkvm-", &window) < 0)
                return NULL;

        f = open_memstream(&text, &len);
        if (!f)
                return NULL;
        fprintf(f, "<!-- libvirt domain for the appliance %s, written by mkvmimage: unpack the bundle in %s -->\n",
                b->name, dir);
        /* libvirt's type 'qemu' is TCG, QEMU's default accelerator. */
        fprintf(f, "<domain type='%s'%s>\n", !accel || strcmp(accel, "tcg") == 0 ? "qemu" : accel,
                window ? " xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'" : "");
        fprintf(f, "  <name>%s</name>\n"
                "  <memory unit='MiB'>%u</memory>\n"
                "  <vcpu>%u</vcpu>\n"
                "  <os>\n"
                "    <type arch='%s' machine='%s'>hvm</type>\n",
                b->name, m.config.memory_mib, m.config.cpus, p->machine->libvirt_arch, p->machine->machine);
        put_libvirt_firmware(f, b, &m, code, vars);
        fputs("  </os>\n"
              "  <features>\n", f);
        if (p->acpi)
                fputs("    <acpi/>\n", f);
        if (p->irqchip)
                fprintf(f, "    <gic version='%u'/>\n", p->irqchip->gic_version);
        fprintf(f, "  </features>\n"
                "  <cpu mode='custom' match='exact'>\n"
                "    <model fallback='forbid'>%s</model>\n"
                "  </cpu>\n"
                "  <clock offset='utc'/>\n"
                "  <on_poweroff>destroy</on_poweroff>\n"
                "  <on_reboot>restart</on_reboot>\n"
                "  <on_crash>destroy</on_crash>\n"
                "  <devices>\n"
                "    <emulator>/usr/bin/%s</emulator>\n"
                "    <disk type='file' device='disk'>\n"
                "      <driver name='qemu' type='raw'/>\n"
                "      <source file='%s'/>\n"
                "      <target dev='vda' bus='virtio'/>\n",
                p->cpu, p->machine->qemu, disk);
        if (p->bus->libvirt_address)
                fprintf(f, "      <address type='%s'/>\n", p->bus->libvirt_address);
        fputs("    </disk>\n"
              "    <serial type='pty'>\n"
              "      <target port='0'/>\n"
              "    </serial>\n"
              "    <console type='pty'>\n"
              "      <target type='serial' port='0'/>\n"
              "    </console>\n"
              "  </devices>\n", f);
        if (window) {
                fputs("  <qemu:commandline>\n", f);
                for (char **a = window; *a && !failed; a++) {
                        _cleanup_free_ char *value = xml_escape(*a);

                        if (value)
                                fprintf(f, "    <qemu:arg value='%s'/>\n", value);
                        failed = !value;
                }
                fputs("  </qemu:commandline>\n", f);
        }
        fputs("</domain>\n", f);
        if (fclose(f) != 0 || failed) {
                free(text);
                return NULL;
        }
        return text;
}

static char *run_script(struct bundle *b)
{
        const struct platform *p = &b->cell;
        _cleanup_(bundle_machine_done) struct bundle_machine m = {};
        _cleanup_strv_free_ char **argv = NULL;
        _cleanup_free_ char *command = NULL;

        /* The script's own variables: $dir is its directory (commas doubled), $qemu the emulator. */
        if (bundle_machine_init(b, "$dir", "$qemu", &m) < 0 || platform_qemu_argv(&m.config, &argv) < 0 ||
            qemu_argv_to_shell(argv, &command) < 0)
                return NULL;

        return strdup_printf(
                "#!/bin/bash\n"
                "# Boots the appliance %s (%s) on QEMU's %s machine with the %s firmware\n"
                "# beside this script (%s %s). Written by mkvmimage.\n"
                "#\n"
                "#   ./run [QEMU OPTIONS...]     extra options go to QEMU, e.g.\n"
                "#   ./run -snapshot             discard disk writes when QEMU exits\n"
                "#   ./run -nic user,model=virtio-net-pci\n"
                "#\n"
                "# The serial console is this terminal: Ctrl-A X quits, Ctrl-A C is QEMU's monitor.\n"
                "# QEMU=/path/to/%s picks another emulator.\n"
                "%s"
                "set -eu\n"
                "here=$(cd -- \"$(dirname -- \"${BASH_SOURCE[0]}\")\" && pwd)\n"
                "# QEMU separates option keys with commas: a literal one is doubled.\n"
                "dir=${here//,/,,}\n"
                "qemu=${QEMU:-%s}\n"
                "if ! command -v \"$qemu\" >/dev/null; then\n"
                "        echo \"run: $qemu not found (Debian package %s)\" >&2\n"
                "        exit 127\n"
                "fi\n"
                "exec %s \\\n"
                "        \"$@\"\n",
                b->name, b->req->arch->name, p->machine->machine, p->firmware->family->display_name,
                p->firmware->package, b->fw.package_version, p->machine->qemu,
                b->have_varstore ? "#\n# EFI variables live in the disk image itself (its varstore partition).\n" : "",
                p->machine->qemu, p->machine->qemu_package, command);
}

static char *manifest(struct bundle *b)
{
        const struct arch *a = b->req->arch;
        char *text = NULL;
        size_t len;
        FILE *f = open_memstream(&text, &len);

        if (!f)
                return NULL;
        fprintf(f, "# mkvmimage appliance bundle %s (%s)\n", b->name, a->name);
        fprintf(f, "# firmware-package: %s %s\n", b->cell.firmware->package, b->fw.package_version);
        fprintf(f, "# firmware-code: %s\n", b->fw.code);
        fprintf(f, "# firmware-descriptor: %s\n", b->fw.descriptor);
        if (b->have_varstore)
                fprintf(f, "# variables: disk.img partition %u (offset %" PRIu64 ")\n", b->varstore.partno, b->varstore.offset);
        else
                fprintf(f, "# variables: %s (Boot0000 -> ESP partition %u \\EFI\\BOOT\\%s)\n", FILE_VARS, b->esp.partno,
                        a->removable_file);
        fprintf(f, "# check with: sha256sum -c %s\n", FILE_MANIFEST);
        for (size_t i = 0; i < b->n_lines; i++)
                fprintf(f, "%s  %s\n", b->lines[i].sha256, b->lines[i].name);
        if (fclose(f) != 0) {
                free(text);
                return NULL;
        }
        return text;
}

static int add_generated(struct bundle *b, const char *name, mode_t perm, char *text, bool in_manifest)
{
        int r;

        if (!text)
                return log_error_errno(-ENOMEM, "cannot write %s", name);
        r = add_text(b, name, perm, text, in_manifest);
        free(text);
        return r;
}

/* ---- putting it together --------------------------------------------------- */

static int pick_cell(const struct arch *a, struct platform *ret)
{
        _cleanup_(platform_matrix_done) struct platform_matrix m = {};
        const struct platform *p;
        int r;

        r = platform_matrix_generate(&m);
        if (r < 0)
                return r;
        p = platform_reference(&m, a, FIRMWARE_EDK2);
        if (!p)
                return log_error(-EINVAL, "bundle: no EDK2 platform for %s", a->name);
        *ret = *p;
        return 0;
}

static int prepare(struct bundle *b, const struct bundle_request *req)
{
        int r;

        if (!req->image || !req->arch || !req->output)
                return log_error(-EINVAL, "bundle: the image, the architecture and the output are required");
        b->req = req;
        b->image_fd = b->out.fd = b->entry_fd = -1;
        r = pick_cell(req->arch, &b->cell);
        if (r < 0)
                return r;
        b->memory_mib = req->memory_mib ?: DEFAULT_MEMORY_MIB;
        b->cpus = req->cpus ?: DEFAULT_CPUS;
        if (req->name) {
                if (!name_is_valid(req->name))
                        return log_error(-EINVAL, "bundle name \"%s\": use up to %u letters, digits, '.', '_', '+', '-', starting with a letter or digit",
                                         req->name, NAME_MAX_LEN);
                b->name = strdup(req->name);
        } else
                b->name = name_from_image(req->image);
        if (!b->name)
                return log_error_errno(-ENOMEM, "cannot name the bundle");
        if (req->install_dir) {
                if (req->install_dir[0] != '/' || strpbrk(req->install_dir, "\n\r\t") || strlen(req->install_dir) > 1024)
                        return log_error(-EINVAL, "install directory \"%s\": must be an absolute path on one line", req->install_dir);
                b->install_dir = strdup(req->install_dir);
        } else
                b->install_dir = strdup_printf("/var/lib/libvirt/images/%s", b->name);
        if (!b->install_dir)
                return log_error_errno(-ENOMEM, "cannot name the bundle");
        if (req->have_mtime)
                b->mtime = req->mtime;
        else {
                r = mtime_from_environment(&b->mtime);
                if (r < 0)
                        return r;
        }
        r = output_kind_of(req->output, &b->kind);
        if (r < 0)
                return r;
        b->buf = malloc(BUFFER_SIZE);
        b->zeros = calloc(1, BUFFER_SIZE);
        if (!b->buf || !b->zeros)
                return log_error_errno(-ENOMEM, "cannot write %s", req->output);
        return 0;
}

/* The output without trailing slashes ("out/" -> "out"): what gets renamed into place. */
static char *output_path(const char *output)
{
        char *p = strdup(output);
        size_t n;

        if (!p)
                return NULL;
        for (n = strlen(p); n > 1 && p[n - 1] == '/'; n--)
                p[n - 1] = '\0';
        return p;
}

static int check_directory_is_free(const char *path)
{
        struct stat st;
        DIR *d;
        struct dirent *de;
        bool empty = true;

        if (stat(path, &st) < 0)
                return errno == ENOENT ? 0 : log_error_errno(-errno, "cannot use %s as the bundle directory", path);
        if (!S_ISDIR(st.st_mode))
                return log_error(-EEXIST, "%s exists and is not a directory", path);
        d = opendir(path);
        if (!d)
                return log_error_errno(-errno, "cannot read %s", path);
        while ((de = readdir(d)))
                if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
                        empty = false;
        closedir(d);
        return empty ? 0 : log_error(-ENOTEMPTY, "bundle directory %s exists and is not empty", path);
}

/* In a run directory beside the output (base/output.h), so the rename at the end is atomic. */
static int create_output(struct bundle *b)
{
        _cleanup_free_ char *path = output_path(b->req->output);
        int r;

        if (!path)
                return log_error_errno(-ENOMEM, "cannot write %s", b->req->output);
        if (b->kind == OUTPUT_DIRECTORY) {
                r = check_directory_is_free(path);
                if (r >= 0)
                        r = output_begin(&b->out, path, OUTPUT_DIR);
                return r < 0 ? r : output_create_dir(&b->out);
        }
        r = output_begin(&b->out, path, b->req->force ? OUTPUT_FORCE : 0);
        if (r >= 0)
                r = output_create_file(&b->out, 0);
        if (r >= 0)
                r = open_archive(b);
        if (r < 0)
                return r;
        {
                struct archive_entry *e = new_entry(b, "", AE_IFDIR, 0755, 0);

                if (!e)
                        return log_error_errno(-ENOMEM, "cannot write %s", b->req->output);
                r = archive_write_header(b->archive, e) == ARCHIVE_OK ? 0 : archive_failed(b, b->name);
                archive_entry_free(e);
        }
        return r;
}

static void discard_output(struct bundle *b)
{
        if (b->archive) {
                archive_write_free(b->archive);
                b->archive = NULL;
        }
        if (b->entry_fd >= 0)
                close(b->entry_fd);
        b->entry_fd = -1;
        output_abort(&b->out);
}

static int commit_output(struct bundle *b)
{
        if (b->archive) {
                if (archive_write_close(b->archive) != ARCHIVE_OK)
                        return archive_failed(b, "closing");
                archive_write_free(b->archive);
                b->archive = NULL;
        }
        return output_commit(&b->out, b->kind == OUTPUT_DIRECTORY ? 0755 : 0644);
}

static int write_contents(struct bundle *b)
{
        _cleanup_close_ int code_fd = -1;
        int r;

        r = add_file(b, FILE_DISK, 0644, b->image_fd, b->req->image);
        if (r < 0)
                return r;
        code_fd = open_regular_file(b->fw.code, O_RDONLY, "EDK2 firmware");
        if (code_fd < 0)
                return code_fd;
        r = add_file(b, FILE_CODE, 0644, code_fd, b->fw.code);
        if (r < 0)
                return r;
        if (!b->have_varstore) {
                r = add_vars(b);
                if (r < 0)
                        return r;
        }
        r = add_generated(b, FILE_DESCRIPTOR, 0644, descriptor_json(b), true);
        if (r >= 0)
                r = add_generated(b, FILE_LIBVIRT, 0644, libvirt_xml(b), true);
        if (r >= 0)
                r = add_generated(b, FILE_RUN, 0755, run_script(b), true);
        if (r >= 0)
                r = add_generated(b, FILE_MANIFEST, 0644, manifest(b), false);
        return r;
}

int bundle_write(const struct bundle_request *req)
{
        struct bundle b = { .image_fd = -1, .entry_fd = -1, .out = { .fd = -1 } };
        int r;

        r = prepare(&b, req);
        if (r >= 0)
                r = inspect_image(&b);
        if (r >= 0)
                r = find_firmware(b.cell.firmware, req->firmware_dir, &b.fw);
        if (r >= 0)
                r = package_version(b.cell.firmware->package, &b.fw.package_version);
        if (r >= 0)
                r = create_output(&b);
        if (r >= 0)
                r = write_contents(&b);
        if (r >= 0)
                r = commit_output(&b);
        if (r < 0)
                discard_output(&b);
        else
                log_info("%s: appliance %s (%s, %s %s)%s", req->output, b.name, req->arch->name,
                         b.cell.firmware->package, b.fw.package_version,
                         b.have_varstore ? ", variables in the image's varstore partition" : "");

        if (b.archive)
                archive_write_free(b.archive);
        if (b.image_fd >= 0)
                close(b.image_fd);
        firmware_done(&b.fw);
        output_abort(&b.out);
        free(b.name);
        free(b.install_dir);
        free(b.buf);
        free(b.zeros);
        return r;
}
