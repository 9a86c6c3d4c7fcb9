#!/usr/bin/env bash
# An image with a varstore partition starts with its own boot entry: the
# EDK2 store in the partition and ubootefi.var on the ESP hold Boot0000 for
# the ESP's removable-media bootloader, named for the image ("vs" for
# vs.img). EDK2 starts Boot0000 first and keeps
# the store (a store it dislikes it would silently wipe); U-Boot loads
# ubootefi.var; variables written by the guest persist in the image across
# boots on both GIC versions; with no bootloader the store stays blank.
#   varstore.sh ARCH EDK2-PLATFORM EDK2-PLATFORM-OTHER-GIC UBOOT-PLATFORM
. "$TESTS_DIR/cli/lib.sh"
arch=$1 edk2=$2 edk2_other=$3 uboot=$4
BOOT=$MKVMIMAGE_BOOT
hello=$BUILD_DIR/qemu-test/efi-hello-$arch.efi
declare -A REMOVABLE=([aa64]=BOOTAA64.EFI [arm]=BOOTARM.EFI)

img=$WORK/vs.img
"$MKVMIMAGE" -q --arch "$arch" --layout vmspec-varstore --bootloader "$hello" -o "$img"
esp_uuid=$(part_field "$img" 1 uuid)
[ "$(part_field "$img" 2 type)" = "$VARSTORE_TYPE" ] || fail "partition 2 is not the varstore"

"$MKVMIMAGE" vars list "$img" > "$WORK/list" || fail "vars list failed"
cat "$WORK/list"
grep -q "Boot0000\* vs  HD(1,GPT,$esp_uuid,0x800,0x80000)/File(\\\\EFI\\\\BOOT\\\\${REMOVABLE[$arch]})" "$WORK/list" ||
        fail "Boot0000 does not point at the ESP's removable-media path"
grep -q "BootOrder: 0000" "$WORK/list" || fail "no BootOrder 0000"
# The same entry for U-Boot, read back from the ESP with mtools.
mcopy -n -i "$img@@$(part_offset "$img" 1)" ::ubootefi.var "$WORK/ubootefi.var" || fail "no ubootefi.var on the ESP"
"$MKVMIMAGE" vars list "$WORK/ubootefi.var" | grep >/dev/null "Boot0000\* vs  HD(1,GPT,$esp_uuid" || fail "ubootefi.var lacks Boot0000"
pass "store and ubootefi.var hold Boot0000 -> ESP $esp_uuid"

boot() {   # boot NAME PLATFORM ARGS...
        local name=$1 platform=$2
        shift 2
        "$BOOT" "$img" --arch "$arch" --platform "$platform" --log-dir "$WORK/logs-$name" "$@" \
                >"$WORK/$name.out" 2>&1 || fail "$name: $(cat "$WORK/$name.out")"
        LOG=$WORK/logs-$name/$platform.log
}
count() { tr -d '\r' <"$LOG" | sed -n 's/.*MKVMIMAGE-BOOT-COUNT: \(0x[0-9a-f]*\).*/\1/p' | head -n 1; }

sum_before=$(sha256sum < "$img")
boot edk2 "$edk2" --expect-boot-option Boot0000
grep -q 'started boot option Boot0000 "vs"' "$WORK/edk2.out" || fail "EDK2 did not start Boot0000: $(cat "$WORK/edk2.out")"
pass "EDK2 starts the seeded Boot0000 first"

boot uboot "$uboot"
! grep -aq "Unable to read file ubootefi.var\|Failed to load EFI variables" "$LOG" || fail "U-Boot did not load ubootefi.var"
grep -aq 'Booting: vs' "$LOG" || fail "U-Boot did not boot the seeded entry"
[ "$(sha256sum < "$img")" = "$sum_before" ] || fail "a boot without --persist changed the image"
pass "U-Boot loads ubootefi.var and boots its entry; the image is unchanged"

boot persist1 "$edk2" --persist --expect-boot-option Boot0000
[ "$(count)" = 0x00000001 ] || fail "first persistent boot: count $(count)"
boot persist2 "$edk2_other" --persist --expect-boot-option Boot0000
[ "$(count)" = 0x00000002 ] || fail "second boot ($edk2_other): count $(count): the variable did not persist"
"$MKVMIMAGE" vars list "$img" | grep >/dev/null "^Boot0000 " || fail "the firmware wiped the seeded store"
pass "a variable written on $edk2 is read back on $edk2_other; Boot0000 survives"

# No bootloader to point at: a blank store, and the removable-media rule boots.
mkdir -p "$WORK/esp/EFI/BOOT"
cp "$hello" "$WORK/esp/EFI/BOOT/${REMOVABLE[$arch]}"
img=$WORK/blank.img
"$MKVMIMAGE" -q --arch "$arch" --layout vmspec-varstore --esp-dir "$WORK/esp" -o "$img"
"$MKVMIMAGE" vars list "$img" | grep >/dev/null "blank" || fail "store not blank: $("$MKVMIMAGE" vars list "$img")"
boot blank "$edk2"
pass "a blank store still boots by the removable-media rule"
