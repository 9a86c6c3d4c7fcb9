/* SPDX-License-Identifier: MIT */
/*
 * pe-set-machine FILE OLD NEW: rewrite the COFF machine field of a PE file.
 *
 * lld-link marks 32-bit ARM images as ARMNT (0x01C4), the Windows value;
 * UEFI (and EDK2, which refuses anything else) wants ARMTHUMB_MIXED
 * (0x01C2) for the same Thumb-2 code. The field is checked against OLD so a
 * changed linker fails the build instead of producing a wrong image.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/byteorder.h"
#include "base/log.h"
#include "base/util.h"

static int parse_machine(const char *s, uint16_t *ret)
{
        char *end;
        unsigned long v;

        errno = 0;
        v = strtoul(s, &end, 0);
        if (errno != 0 || *end != '\0' || end == s || v > 0xffff)
                return log_error(-EINVAL, "not a PE machine value: %s", s);
        *ret = (uint16_t) v;
        return 0;
}

static int set_machine(const char *path, uint16_t old, uint16_t new)
{
        _cleanup_close_ int fd = -1;
        uint8_t dos[64], pe[6];
        uint32_t lfanew;
        uint16_t machine;
        int r;

        fd = open(path, O_RDWR | O_CLOEXEC);
        if (fd < 0)
                return log_error_errno(-errno, "cannot open %s", path);
        r = pread_all(fd, dos, sizeof(dos), 0);
        if (r < 0)
                return log_error_errno(r, "cannot read %s", path);
        if (dos[0] != 'M' || dos[1] != 'Z')
                return log_error(-EINVAL, "%s: not a PE file (no MZ header)", path);
        lfanew = get_le32(dos + 0x3c);
        r = pread_all(fd, pe, sizeof(pe), lfanew);
        if (r < 0)
                return log_error_errno(r, "%s: cannot read the PE header", path);
        if (memcmp(pe, "PE\0\0", 4) != 0)
                return log_error(-EINVAL, "%s: not a PE file (no PE signature)", path);
        machine = get_le16(pe + 4);
        if (machine == new)
                return 0;
        if (machine != old)
                return log_error(-EINVAL, "%s: PE machine is 0x%04x, expected 0x%04x", path, machine, old);
        put_le16(pe + 4, new);
        r = pwrite_all(fd, pe + 4, 2, (uint64_t) lfanew + 4);
        if (r < 0)
                return log_error_errno(r, "cannot write %s", path);
        return 0;
}

int main(int argc, char **argv)
{
        uint16_t old, new;

        if (argc != 4) {
                fprintf(stderr, "usage: %s FILE OLD-MACHINE NEW-MACHINE\n", argv[0]);
                return 2;
        }
        if (parse_machine(argv[2], &old) < 0 || parse_machine(argv[3], &new) < 0)
                return 2;
        return set_machine(argv[1], old, new) < 0 ? 1 : 0;
}
