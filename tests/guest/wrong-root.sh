# The guest's verdict can fail: an image whose loader entry names a
# PARTUUID that is not on the disk boots Linux, but the initramfs gives up
# after its bounded wait, reports root-mounted: FAIL, prints no marker, and
# mkvmimage-boot reports FAIL for the platform.
#
# wrong-root.sh ARCH PLATFORM
. "$TESTS_DIR/guest/lib.sh"
arch=${1:?usage: wrong-root.sh ARCH PLATFORM}
platform=${2:?usage: wrong-root.sh ARCH PLATFORM}
need_tools jq sfdisk mtype mdir
build_guest "$arch"
[ -x "$BOOT" ] || fail "$BOOT not built (the qemu-test harness is part of the build)"

esp=$WORK/esp
absent=0badc0de-0000-4000-8000-00000000f00d
"$GUEST_SCRIPTS/make-esp-tree" "$arch" "$GUEST" "$absent" "$esp" vmimage.rootwait=3 || fail "make-esp-tree failed"
img=$WORK/wrong-root.img
"$MKVMIMAGE" --arch "$arch" --layout vmspec --seed "$SEED" --bootloader none --esp-dir "$esp" -q -f -o "$img" --owner root "$GUEST/rootfs" ||
        fail "mkvmimage failed"
sfdisk --json "$img" | jq -e --arg u "${absent^^}" '[.partitiontable.partitions[].uuid] | index($u) == null' >/dev/null ||
        fail "the image has a partition $absent after all"

if "$BOOT" "$img" --arch "$arch" --platform "$platform" --log-dir "$WORK/logs" >"$WORK/boot.out"; then
        cat "$WORK/boot.out"
        fail "mkvmimage-boot passed an image whose root cannot be found"
fi
cat "$WORK/boot.out"
log=$WORK/logs/$platform.log
grep -a 'VMIMAGE-' "$log" | tr -d '\r'
grep -aq "VMIMAGE-CHECK root-mounted: FAIL (no partition with PARTUUID=$absent after 3 s" "$log" ||
        fail "the guest did not report root-mounted: FAIL for the missing PARTUUID"
grep -aq 'VMIMAGE-CHECK esp-visible: PASS' "$log" || fail "the ESP should still be found on the disk"
! grep -aq MKVMIMAGE-BOOT-OK "$log" || fail "the guest printed the marker although a check failed"
grep -q "^FAIL $platform" "$WORK/boot.out" || fail "mkvmimage-boot did not report FAIL for $platform"
