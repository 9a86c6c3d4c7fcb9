#!/usr/bin/env bash
# A relocatable install: `cmake --install` of this build into a new prefix,
# then, from an unrelated directory with the source and build trees hidden
# (tmpfs over both in a private mount namespace), the installed mkvmimage
# builds an image with a shipped layout and the installed efi-hello, the
# installed mkvmimage-boot boots it on one platform, and the installed guest
# builder builds the Linux test guest. The image is read back
# with sfdisk; no installed program may name a path of the build machine
# (strings); the install still works after being moved, and
# MKVMIMAGE_DATA_DIR overrides where the data is looked for.
set -euo pipefail
. "$TESTS_DIR/common.sh"
pass() { echo "ok: $*"; }
AA64_ROOT_TYPE=B921B045-1DF0-41C3-AF44-4C6F280D3FAE

for v in SOURCE_DIR BUILD_DIR; do
        [ -d "${!v:-}" ] || fail "$v is not set (run through ctest)"
done
need_tools cmake unshare strings sfdisk jq file

WORK=$(mktemp -d "${TMPDIR:-/tmp}/mkvm-install-test.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
case $WORK/ in
"$SOURCE_DIR"/* | "$BUILD_DIR"/*) fail "TMPDIR is inside the source or build tree: $WORK" ;;
esac

prefix=$WORK/prefix
cmake --install "$BUILD_DIR" --prefix "$prefix" --strip >"$WORK/install.log" 2>&1 ||
        { cat "$WORK/install.log" >&2; fail "cmake --install failed"; }
data=$prefix/share/mkvmimage
for f in bin/mkvmimage bin/mkvmimage-boot bin/mkvmimage-vars \
         share/mkvmimage/layouts/esp-only.conf share/mkvmimage/layouts/vmspec.conf \
         share/mkvmimage/layouts/vmspec-varstore.conf \
         share/mkvmimage/efi-hello-aa64.efi share/mkvmimage/efi-hello-arm.efi \
         share/mkvmimage/guest/build-linux-guest share/mkvmimage/guest/fetch-debian-packages; do
        [ -e "$prefix/$f" ] || fail "not installed: $f"
done
[ -x "$data/guest/build-linux-guest" ] || fail "guest/build-linux-guest is not executable"
pass "installed: programs, layouts, efi-hello, the guest builder"

for f in "$prefix"/bin/*; do
        strings -a "$f" >"$WORK/all-strings"
        # AddressSanitizer (-DMKVM_SANITIZE=ON) records each instrumented
        # source file's name for its reports; those are never opened.
        if grep -qx '__asan_init' "$WORK/all-strings"; then
                awk -v s="$SOURCE_DIR/" -v b="$BUILD_DIR/" \
                        '!((index($0, s) == 1 || index($0, b) == 1) && /\.[ch]$/)' \
                        "$WORK/all-strings" >"$WORK/all-strings.kept"
                mv "$WORK/all-strings.kept" "$WORK/all-strings"
        fi
        for dir in "$SOURCE_DIR" "$BUILD_DIR"; do
                if grep -F -- "$dir" "$WORK/all-strings" >"$WORK/strings"; then
                        fail "${f##*/} names $dir: $(head -n 3 "$WORK/strings")"
                fi
        done
done
pass "no installed program names $SOURCE_DIR or $BUILD_DIR"

# run_hidden DIR CMD...: CMD in DIR with the source and build trees hidden
# under empty tmpfs mounts, and no MKVMIMAGE_DATA_DIR.
run_hidden() {
        local dir=$1
        shift
        unshare --map-root-user --mount bash -c '
                src=$1 build=$2 dir=$3; shift 3
                mount -t tmpfs tmpfs "$build" && mount -t tmpfs tmpfs "$src" || exit 99
                [ ! -e "$src/layouts" ] || exit 99
                cd "$dir" && exec env -u MKVMIMAGE_DATA_DIR "$@"' _ "$SOURCE_DIR" "$BUILD_DIR" "$dir" "$@"
}

mkdir -p "$WORK/run"
rc=0
run_hidden "$WORK/run" "$prefix/bin/mkvmimage" -q --arch aa64 --layout vmspec-varstore \
        --bootloader "$data/efi-hello-aa64.efi" -o x.img 2>"$WORK/err" || rc=$?
[ $rc -ne 99 ] || fail "cannot hide the source and build trees in a mount namespace here"
[ $rc -eq 0 ] || fail "installed mkvmimage, trees hidden: exit $rc: $(cat "$WORK/err")"
img=$WORK/run/x.img
[ "$(sfdisk --json "$img" | jq -r '.partitiontable.partitions | map(.type) | join(" ")')" = \
  "$ESP_TYPE $VARSTORE_TYPE $AA64_ROOT_TYPE" ] ||
        fail "x.img is not ESP + varstore + root (the vmspec-varstore layout): $(sfdisk --json "$img")"
pass "installed mkvmimage, trees hidden: --layout vmspec-varstore gives ESP + varstore + root"

rc=0
run_hidden "$WORK/run" "$prefix/bin/mkvmimage" --arch aa64 --layout no-such-layout -o y.img \
        2>"$WORK/err" || rc=$?
[ $rc -ne 0 ] || fail "--layout no-such-layout: exit status 0"
grep -qF "no no-such-layout.conf in $data/layouts" "$WORK/err" ||
        fail "--layout no-such-layout does not name $data/layouts: $(cat "$WORK/err")"
grep -q "^mkvmimage: " "$WORK/err" || fail "message without the program's name: $(cat "$WORK/err")"
pass "layouts are looked for in the install: $(tail -n 1 "$WORK/err")"

rc=0
run_hidden "$WORK/run" "$prefix/bin/mkvmimage-boot" x.img --arch aa64 --platform aa64-uboot-gicv3-pci \
        --log-dir "$WORK/run/logs" >"$WORK/boot.out" 2>&1 || rc=$?
sed 's/^/    | /' "$WORK/boot.out"
[ $rc -eq 0 ] || fail "installed mkvmimage-boot, trees hidden: exit $rc"
grep -q "^PASS aa64-uboot-gicv3-pci" "$WORK/boot.out" || fail "no PASS line for aa64-uboot-gicv3-pci"
pass "installed mkvmimage-boot, trees hidden: the image boots on aa64-uboot-gicv3-pci"

# The installed guest builder finds its Debian package fetcher beside it
# (the packages come from FIXTURE_CACHE, outside both trees).
rc=0
run_hidden "$WORK/run" "$data/guest/build-linux-guest" aa64 "$WORK/guest" 2>"$WORK/err" || rc=$?
[ $rc -eq 0 ] || fail "installed build-linux-guest, trees hidden: exit $rc: $(tail -n 5 "$WORK/err")"
for f in vmlinuz initrd.img rootfs/sbin/init; do
        [ -s "$WORK/guest/$f" ] || fail "installed build-linux-guest: no $f"
done
file -L "$WORK/guest/vmlinuz" | grep -q "Linux kernel ARM64 boot executable" || fail "installed build-linux-guest: vmlinuz: $(file -L "$WORK/guest/vmlinuz")"
pass "installed build-linux-guest, trees hidden: $(tail -n 1 "$WORK/err")"

# Moved: the data is found beside the program wherever the prefix went.
mv "$prefix" "$WORK/moved"
rc=0
run_hidden "$WORK/run" "$WORK/moved/bin/mkvmimage" -q --arch aa64 --layout vmspec \
        --bootloader "$WORK/moved/share/mkvmimage/efi-hello-aa64.efi" -o moved.img 2>"$WORK/err" || rc=$?
[ $rc -eq 0 ] || fail "moved install: exit $rc: $(cat "$WORK/err")"
pass "moved install: --layout vmspec found"

# MKVMIMAGE_DATA_DIR wins over the program's own data directory.
mkdir -p "$WORK/data/layouts"
printf '[partition ESP]\ntype = esp\nsize = 40MiB\n' >"$WORK/data/layouts/small.conf"
MKVMIMAGE_DATA_DIR=$WORK/data "$WORK/moved/bin/mkvmimage" -q --arch aa64 --layout small \
        --bootloader "$WORK/moved/share/mkvmimage/efi-hello-aa64.efi" -o "$WORK/small.img" ||
        fail "MKVMIMAGE_DATA_DIR: --layout small not found in $WORK/data/layouts"
[ "$(sfdisk --json "$WORK/small.img" | jq -r '.partitiontable.partitions[0].size')" = $((40 * 2048)) ] ||
        fail "MKVMIMAGE_DATA_DIR: the ESP is not the 40 MiB of small.conf"
rc=0
MKVMIMAGE_DATA_DIR=$WORK/data "$WORK/moved/bin/mkvmimage" -q --arch aa64 --layout vmspec -o "$WORK/v.img" \
        2>"$WORK/err" || rc=$?
[ $rc -ne 0 ] && grep -qF "no vmspec.conf in $WORK/data/layouts" "$WORK/err" ||
        fail "MKVMIMAGE_DATA_DIR: the install's own layouts were still searched: exit $rc: $(cat "$WORK/err")"
pass "MKVMIMAGE_DATA_DIR overrides the install's data directory"
