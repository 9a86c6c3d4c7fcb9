# Refusals, each with one clear message and exit 1 (2 for usage), never a
# crash, and never anything left at the output path.
. "$TESTS_DIR/bundle/lib.sh"
good=$WORK/good.img
make_image aa64 "$good"

# expect_refusal STATUS PATTERN ARGS...: mkvmimage bundle exits STATUS, says PATTERN.
expect_refusal() {
        local status=$1 pattern=$2 rc=0
        shift 2
        SOURCE_DATE_EPOCH=$EPOCH "$MKVMIMAGE" bundle "$@" >"$WORK/out" 2>&1 || rc=$?
        sed 's/^/    | /' "$WORK/out"
        [ $rc -eq "$status" ] || fail "mkvmimage bundle $* exited $rc, expected $status"
        grep -q -e "$pattern" "$WORK/out" || fail "mkvmimage bundle $* did not say \"$pattern\""
}

# expect_nothing_at PATH: no output and no temporary beside it.
expect_nothing_at() {
        [ ! -e "$1" ] || fail "$1 was left behind"
        [ -z "$(find "$(dirname "$1")" -maxdepth 1 -name ".$(basename "$1").*")" ] || fail "a temporary for $1 was left behind"
}

# An image without an ESP: the ESP's type changed to Linux data.
noesp=$WORK/noesp.img
cp --sparse=always "$good" "$noesp"
sfdisk -q --part-type "$noesp" 1 0FC63DAF-8483-4772-8E79-3D69D8477DE4 || fail "sfdisk could not retype the ESP"
expect_refusal 1 "no ESP" --arch aa64 "$noesp" -o "$WORK/noesp.tar.gz"
expect_nothing_at "$WORK/noesp.tar.gz"
pass "an image without an ESP is refused"

expect_refusal 1 "cannot open image $WORK/missing.img" --arch aa64 "$WORK/missing.img" -o "$WORK/m.tar"
expect_nothing_at "$WORK/m.tar"
head -c 1048576 /dev/urandom >"$WORK/noise.img"
expect_refusal 1 "noise.img" --arch aa64 "$WORK/noise.img" -o "$WORK/n.tar"
expect_nothing_at "$WORK/n.tar"
truncate -s 0 "$WORK/empty.img"
expect_refusal 1 "empty.img" --arch aa64 "$WORK/empty.img" -o "$WORK/e.tar"
expect_refusal 1 "not a regular file" --arch aa64 "$WORK" -o "$WORK/d.tar"
pass "missing image, random bytes, empty file, a directory: refused"

# Unwritable outputs.
expect_refusal 1 "cannot create" --arch aa64 "$good" -o "$WORK/no/such/dir/app.tar.gz"
expect_refusal 1 "cannot create" --arch aa64 "$good" -o /proc/app.tar.gz
mkdir -p "$WORK/full"
touch "$WORK/full/keep"
expect_refusal 1 "not empty" --arch aa64 "$good" -o "$WORK/full/"
[ "$(ls -A "$WORK/full")" = keep ] || fail "the non-empty bundle directory was touched: $(ls -A "$WORK/full")"
touch "$WORK/file"
expect_refusal 1 "not a directory" --arch aa64 "$good" -o "$WORK/file/"
expect_refusal 1 "cannot tell the bundle format" --arch aa64 "$good" -o "$WORK/app.zip"
pass "unwritable or unusable outputs are refused"

# A failure while writing leaves the previous bundle alone: a full file
# system (a 4 MiB tmpfs cannot hold the plain tar).
if mkdir -p "$WORK/small" && mount -t tmpfs -o size=4m tmpfs "$WORK/small" 2>/dev/null; then
        trap 'umount "$WORK/small" 2>/dev/null || true; rm -rf "$WORK"' EXIT
        echo old >"$WORK/small/app.tar"
        dd if=/dev/urandom of="$WORK/big.img" bs=1M count=8 status=none
        cp --sparse=always "$good" "$WORK/dense.img"
        dd if="$WORK/big.img" of="$WORK/dense.img" bs=1M seek=100 conv=notrunc status=none
        expect_refusal 1 "app.tar" --arch aa64 --force "$WORK/dense.img" -o "$WORK/small/app.tar"
        [ "$(cat "$WORK/small/app.tar")" = old ] || fail "the old bundle was overwritten by a failed one"
        [ "$(ls -A "$WORK/small")" = app.tar ] || fail "a temporary was left on the full file system"
        umount "$WORK/small"
        trap 'rm -rf "$WORK"' EXIT
        pass "a full file system: error, old bundle kept, no temporary left"
else
        fail "cannot mount a small tmpfs to test a full file system (run as root)"
fi

# Firmware: no fitting descriptor names the package; a package not installed is named.
mkdir -p "$WORK/nofw"
expect_refusal 1 "install the Debian package qemu-efi-aarch64" --arch aa64 "$good" --firmware-dir "$WORK/nofw" -o "$WORK/f.tar"
expect_nothing_at "$WORK/f.tar"
echo '{ broken' >"$WORK/nofw/10-broken.json"
expect_refusal 1 "10-broken.json does not parse" --arch aa64 "$good" --firmware-dir "$WORK/nofw" -o "$WORK/f.tar"
mkdir -p "$WORK/bin"
printf '#!/bin/sh\necho "dpkg-query: no packages found matching $4" >&2\nexit 1\n' >"$WORK/bin/dpkg-query"
chmod +x "$WORK/bin/dpkg-query"
PATH=$WORK/bin:$PATH expect_refusal 1 "firmware package qemu-efi-arm is not installed" --arch arm "$good" -o "$WORK/g.tar"
expect_nothing_at "$WORK/g.tar"
pass "missing firmware: the message names qemu-efi-aarch64 / qemu-efi-arm"

# Usage errors.
expect_refusal 2 "unknown architecture" --arch x86 "$good" -o "$WORK/u.tar"
expect_refusal 2 "arch is required" "$good" -o "$WORK/u.tar"
expect_refusal 2 "-o OUTPUT is required" --arch aa64 "$good"
expect_refusal 2 "exactly one disk image" --arch aa64 -o "$WORK/u.tar"
expect_refusal 1 "bundle name" --arch aa64 "$good" --name "../evil" -o "$WORK/u.tar"
expect_refusal 1 "install directory" --arch aa64 "$good" --install-dir relative/dir -o "$WORK/u.tar"
expect_nothing_at "$WORK/u.tar"
pass "usage errors"
