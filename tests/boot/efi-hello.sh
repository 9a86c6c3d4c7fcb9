# efi-hello, placed at the removable-media path of a freshly made ESP, boots on
# the default platforms (EDK2 and U-Boot) of the given arch: the harness says
# PASS, and the console logs show the marker, the firmware vendor and the
# device path the app was loaded from (a GPT partition).
source "$TESTS_DIR/boot/lib.sh"
arch=$1

img=$WORK/disk.img
efi_hello_image "$img" "$arch"
before=$(sha256sum <"$img")

rc=0
run_boot "$WORK/out" "$img" --arch "$arch" --log-dir "$WORK/logs" --junit "$WORK/junit.xml" || rc=$?
expect_status 0 $rc "booting efi-hello for $arch"

for fw in edk2 uboot; do
        cell=$(awk -v p="^$arch-$fw-" '$1 == "PASS" && $2 ~ p { print $2 }' "$WORK/out")
        [ -n "$cell" ] || fail "no PASS line for $arch $fw"
        log=$WORK/logs/$cell.log
        [ -s "$log" ] || fail "no log $log"
        expect_grep MKVMIMAGE-BOOT-OK "$log"
        case $fw in
        edk2) expect_grep "MKVMIMAGE-FIRMWARE: EDK II" "$log" ;;
        uboot) expect_grep "MKVMIMAGE-FIRMWARE: Das U-Boot" "$log" ;;
        esac
        # Loaded from partition 1 of the GPT disk, not from some other device.
        grep -qi "MKVMIMAGE-DEVICE: .*HD(1,GPT," "$log" || fail "$cell: not loaded from GPT partition 1"
        grep -qi "MKVMIMAGE-FILE: .*boot.*$( [ "$arch" = aa64 ] && echo bootaa64 || echo bootarm).efi" "$log" ||
                fail "$cell: not loaded from the removable-media path"
done

[ "$(sha256sum <"$img")" = "$before" ] || fail "the image was modified by booting it"
[ "$(grep -c '<testcase ' "$WORK/junit.xml")" -eq 2 ] || fail "junit: expected 2 testcases"
grep -q '<failure' "$WORK/junit.xml" && fail "junit: unexpected failure"
echo "ok: efi-hello boots on $arch (EDK2, U-Boot)"
