#!/usr/bin/env bash
# Variables persist inside the image, as the VM spec's persistent-variable
# check asks: an image with a varstore partition (built from the guest's
# root tree by mkvmimage's own boot chain) boots the Linux guest with the
# partition as the firmware's variable flash (--persist); boot 1 writes an
# EFI variable through efivarfs, boot 2, on the other GIC version, reads it
# back. U-Boot has no SetVariable at run time, so this is EDK2's.
#   efivar.sh ARCH PLATFORM-1 PLATFORM-2
. "$TESTS_DIR/guest/lib.sh"
arch=$1 first=$2 second=$3
build_guest "$arch"

img=$WORK/efivar.img
value=persist-$RANDOM$RANDOM
"$MKVMIMAGE" -q --arch "$arch" --layout vmspec-varstore --owner root --cmdline "vmimage.efivar=$value" \
        "$GUEST/rootfs" -o "$img" || fail "mkvmimage failed"
"$MKVMIMAGE" vars list "$img" | grep >/dev/null "^Boot0000 " || fail "the varstore is not seeded"

persist_boot() {   # persist_boot PLATFORM CHECK
        "$BOOT" "$img" --arch "$arch" --platform "$1" --persist --log-dir "$WORK/logs-$1" >"$WORK/boot.out" 2>&1 ||
                { cat "$WORK/boot.out"; tail -n 30 "$WORK/logs-$1/$1.log" >&2 || true; fail "$1 did not pass"; }
        grep -a 'VMIMAGE-CHECK efivar' "$WORK/logs-$1/$1.log" | tr -d '\r'
        grep -aq "VMIMAGE-CHECK $2: PASS" "$WORK/logs-$1/$1.log" || fail "$1: no '$2: PASS'"
}
persist_boot "$first" efivar-written
persist_boot "$second" efivar-persisted
"$MKVMIMAGE" vars list "$img" > "$WORK/list"
grep -q "^MkvmimageTest " "$WORK/list" || fail "the variable is not in the image's store: $(cat "$WORK/list")"
grep -q "^Boot0000 " "$WORK/list" || fail "the firmware wiped the seeded Boot0000"
echo "ok: written on $first, read back on $second, and in the image's store"
