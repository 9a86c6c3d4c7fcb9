#!/usr/bin/env bash
# A file of a directory ROOTFS that shrinks, grows or is modified while
# mkvmimage reads it is an error naming it (it was stored at its old size,
# padded with zeros, exit 0). Deterministic: an LD_PRELOAD shim changes the
# file right after mkvmimage's first read of it.
. "$(dirname "$0")/content-lib.sh"

cat >"$WORK/shim.c" <<'C'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

/* SHIM_VICTIM: the file's last name; SHIM_ACTION: shrink, grow, modify. */
static int done;

static void change(int fd)
{
        const char *victim = getenv("SHIM_VICTIM"), *action = getenv("SHIM_ACTION");
        char link[64], path[4096];
        ssize_t n;
        int w;

        if (done || !victim || !action)
                return;
        snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
        n = readlink(link, path, sizeof(path) - 1);
        if (n <= 0)
                return;
        path[n] = 0;
        if (!strrchr(path, '/') || strcmp(strrchr(path, '/') + 1, victim) != 0)
                return;
        done = 1;
        w = open(path, O_WRONLY | O_CLOEXEC);
        if (w < 0)
                return;
        if (strcmp(action, "shrink") == 0)
                (void)ftruncate(w, 4096);
        else if (strcmp(action, "grow") == 0)
                (void)pwrite(w, "more", 4, 8 << 20);
        else
                (void)pwrite(w, "X", 1, 0);
        close(w);
}

static ssize_t real_pread(int fd, void *buf, size_t len, off_t off)
{
        static ssize_t (*fn)(int, void *, size_t, off_t);

        if (!fn)
                fn = (ssize_t (*)(int, void *, size_t, off_t))dlsym(RTLD_NEXT, "pread");
        return fn(fd, buf, len, off);
}

ssize_t pread(int fd, void *buf, size_t len, off_t off)
{
        ssize_t n = real_pread(fd, buf, len, off);

        if (n > 0)
                change(fd);
        return n;
}

ssize_t pread64(int fd, void *buf, size_t len, off_t off)
{
        return pread(fd, buf, len, off);
}
C
cc -shared -fPIC -O2 -o "$WORK/shim.so" "$WORK/shim.c" -ldl || fail "cannot build the LD_PRELOAD shim"
# A sanitizer build wants its runtime first; the shim only wraps pread.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"

make_tree() {
        rm -rf "$WORK/tree"
        mkdir -p "$WORK/tree/etc" "$WORK/tree/data"
        printf 'hello\n' >"$WORK/tree/etc/hostname"
        # Several read chunks (1 MiB each), random so that no block is a hole.
        head -c 3000000 /dev/urandom >"$WORK/tree/data/victim"
        # An old mtime: a change made in the same clock tick as the
        # listing still moves it.
        touch -d @1500000000 "$WORK/tree/data/victim"
}

with_shim() {   # with_shim ACTION CMD...
        local action=$1
        shift
        env LD_PRELOAD="$WORK/shim.so" SHIM_VICTIM=victim SHIM_ACTION="$action" "$@"
}

# The shim itself changes nothing unless its victim is read.
make_tree
with_shim shrink env SHIM_VICTIM=nothing "$MKVMIMAGE" -q --arch aa64 --bootloader none "$WORK/tree" \
        -o "$WORK/control.img" 2>"$WORK/control.err" || fail "control run failed: $(cat "$WORK/control.err")"
fsck_clean "$WORK/control.img"
pass "control: the shim alone changes nothing"

for action in shrink grow modify; do
        make_tree
        case $action in
        shrink) how=shrank ;; grow) how=grew ;; modify) how="was modified" ;;
        esac
        expect_failure "root: a file that $how while being read" "data/victim $how while being read" \
                with_shim "$action" "$MKVMIMAGE" -q --arch aa64 --bootloader none "$WORK/tree" -o "$WORK/out/x.img"
done

# The ESP copier (--esp-dir) reads through the same stream.
make_tree
expect_failure "--esp-dir: a file that shrank while being read" "data/victim shrank while being read" \
        with_shim shrink "$MKVMIMAGE" -q --arch aa64 --bootloader none --layout esp-only \
        --esp-dir "$WORK/tree" -o "$WORK/out/x.img"
