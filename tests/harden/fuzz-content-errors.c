/* SPDX-License-Identifier: MIT */
/*
 * content/content.c: the messages for archives libarchive cannot read. For
 * a cpio file whose data is cut short libarchive fails without a reason
 * (archive_error_string() is NULL); the message must still name the entry
 * and say what is wrong, not print "(null)". Found by
 * fuzz/fuzz-archive-ext4.
 */
#include <errno.h>
#include <fcntl.h>

#include "content/content.h"
#include "unit.h"

#define BLOCK 512

/*
 * A cpio (newc) archive holding "data.bin" of 4096 bytes, cut after 512
 * bytes of its data: libarchive's cpio reader then fails without a reason.
 */
static void write_cut_cpio(char *path)
{
        static const char name[] = "data.bin";
        char buf[BLOCK * 2] = { 0 };
        int fd = mkstemp(path);
        int n;

        /* magic, ino, mode, uid, gid, nlink, mtime, filesize, dev major and
         * minor, rdev major and minor, namesize, check; then the name, padded
         * to 4 bytes with the 110-byte header */
        n = snprintf(buf, sizeof(buf), "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08zX%08X%s",
                     1, 0100644, 0, 0, 1, 0, 4096, 0, 0, 0, 0, sizeof(name), 0, name);
        n = (n + 1 + 3) / 4 * 4;
        memset(buf + n, 'x', BLOCK);
        CHECK(fd >= 0);
        CHECK(write(fd, buf, (size_t) n + BLOCK) == n + BLOCK);
        close(fd);
}

/* Reads the file's data with content_read_block() or content_read(); what
 * was logged goes to *log (stderr captured). Returns the read's result. */
static int read_cut_file(bool by_block, char *log, size_t log_size)
{
        const char *tmp = getenv("TMPDIR") ?: "/tmp";
        char path[4096], name[4096];   /* the archive, the captured stderr */
        const struct content_entry *e;
        struct content *c = NULL;
        int saved = dup(STDERR_FILENO), logfd, r;
        ssize_t n;

        snprintf(path, sizeof(path), "%s/test-content-errors.XXXXXX", tmp);
        snprintf(name, sizeof(name), "%s/test-content-errors-log.XXXXXX", tmp);
        logfd = mkstemp(name);
        write_cut_cpio(path);
        CHECK(saved >= 0 && logfd >= 0);
        fflush(stderr);
        dup2(logfd, STDERR_FILENO);
        r = content_open(path, &c);
        if (r == 0 && content_next(c, &e) == 1) {
                if (by_block) {
                        const void *buf;
                        size_t len;
                        int64_t off;

                        while ((r = content_read_block(c, &buf, &len, &off)) > 0)
                                ;
                } else {
                        char buf[BLOCK];
                        ssize_t got;

                        while ((got = content_read(c, buf, sizeof(buf))) > 0)
                                ;
                        r = (int) got;
                }
        }
        fflush(stderr);
        dup2(saved, STDERR_FILENO);
        close(saved);
        content_free(c);
        n = pread(logfd, log, log_size - 1, 0);
        log[n > 0 ? n : 0] = 0;
        close(logfd);
        unlink(name);
        unlink(path);
        return r;
}

TEST(cut_data_by_block)
{
        char log[4096];
        int r = read_cut_file(true, log, sizeof(log));

        CHECK(r < 0);
        CHECK(strstr(log, "data.bin") != NULL);
        CHECK(strstr(log, "(null)") == NULL);
        fputs(log, stderr);
}

TEST(cut_data_sequential)
{
        char log[4096];
        int r = read_cut_file(false, log, sizeof(log));

        CHECK(r < 0);
        CHECK(strstr(log, "data.bin") != NULL);
        CHECK(strstr(log, "(null)") == NULL);
        fputs(log, stderr);
}

int main(void)
{
        RUN(cut_data_by_block);
        RUN(cut_data_sequential);
        return unit_exit();
}
