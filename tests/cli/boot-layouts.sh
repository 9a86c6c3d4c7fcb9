#!/usr/bin/env bash
# Every kind of image mkvmimage builds boots on the reference platform: each
# shipped layout, for aa64 and arm, with the efi-hello test application as
# the bootloader, booted by mkvmimage-boot on EDK2 and U-Boot. Also an image
# with a ROOTFS and one with --esp-dir.
. "$TESTS_DIR/cli/lib.sh"
BOOT=$MKVMIMAGE_BOOT
for f in "$BOOT" "$BUILD_DIR/qemu-test/efi-hello-aa64.efi" "$BUILD_DIR/qemu-test/efi-hello-arm.efi"; do
        [ -x "$f" ] || [ -f "$f" ] || fail "$f not built"
done

mkdir -p "$WORK/rootfs/etc" "$WORK/esp/loader"
echo vm > "$WORK/rootfs/etc/hostname"
echo "timeout 0" > "$WORK/esp/loader/loader.conf"

n=0
for arch in aa64 arm; do
        hello=$BUILD_DIR/qemu-test/efi-hello-$arch.efi
        mk() { "$MKVMIMAGE" -q --arch "$arch" --bootloader "$hello" "$@"; }
        mk -o "$WORK/$arch-esp-only.img"
        mk --layout vmspec -o "$WORK/$arch-vmspec.img"
        mk --layout vmspec-varstore -o "$WORK/$arch-varstore.img"
        mk --esp-size 40MiB --esp-dir "$WORK/esp" "$WORK/rootfs" -o "$WORK/$arch-rootfs.img"
        for img in "$WORK/$arch"-*.img; do
                "$BOOT" "$img" --arch "$arch" --platform default --log-dir "$WORK/logs-${img##*/}" -q \
                        >"$WORK/boot.out" 2>&1 || fail "${img##*/} did not boot: $(cat "$WORK/boot.out")"
                grep -c '^PASS' "$WORK/boot.out" | grep >/dev/null -x 2 || fail "${img##*/}: $(cat "$WORK/boot.out")"
                pass "${img##*/}: $(tr '\n' ' ' < "$WORK/boot.out")"
                n=$((n + 1))
        done
done
[ "$n" = 8 ] || fail "booted $n images, expected 8"
