# A store written by mkvmimage-vars with Boot0000 for the image's own ESP is
# accepted by EDK2 (AAVMF / AAVMF32): the firmware starts Boot0000 first, and
# after the boot the store still holds the seeded entries next to the ones
# the firmware added (EDK2 silently wipes a store it dislikes: this catches
# it), with its firmware-volume and store headers intact.
source "$TESTS_DIR/firmware/lib.sh"
arch=$1
cell=$(edk2_cell "$arch")
img=$WORK/disk.img
store=$WORK/VARS.fd

efi_hello_image "$img" "$arch"
read -r num start size uuid < <(part_of_type "$img" "$ESP_TYPE")
seed_for_image edk2 "$store" "$img" "$arch" "seeded $arch"
[ "$(stat -c %s "$store")" -eq $((64 * 1024 * 1024)) ] || fail "store is not 64 MiB"
expect_store_headers "$store"
pass "seeded store: 64 MiB, headers as EDK2 formats them"

rc=0
run_boot "$WORK/out" "$img" --arch "$arch" --platform "$cell" --vars "$store" \
        --expect-boot-option Boot0000 --log-dir "$WORK/logs" || rc=$?
[ $rc -eq 0 ] || fail "boot with the seeded store: exit status $rc"
log=$WORK/logs/$cell.log
[ "$(first_started "$log")" = "Boot0000 \"seeded $arch\"" ] ||
        fail "EDK2 started '$(first_started "$log")' first, expected Boot0000 \"seeded $arch\""
grep -a -q "BdsDxe: starting Boot0000 \"seeded $arch\" from HD($num,GPT,$uuid," "$log" ||
        fail "Boot0000 not started from the ESP's HD() path"
grep -a -q MKVMIMAGE-BOOT-OK "$log" || fail "efi-hello did not run"
pass "$cell started Boot0000 first and booted"

# After the boot: still a store EDK2 accepts, the seeded entries kept, and
# the firmware's own additions there too (it really used this file).
expect_store_headers "$store"
"$VARS" list "$store" >"$WORK/list" || fail "vars list after the boot: $(cat "$WORK/list")"
sed 's/^/    | /' "$WORK/list"
grep -q "^    Boot0000\* seeded $arch  HD($num,GPT,$uuid,0x$(printf %X "$start"),0x$(printf %X "$size"))/File(\\\\EFI\\\\BOOT\\\\$(removable "$arch"))$" "$WORK/list" ||
        fail "Boot0000 lost or changed after the boot"
grep -q "^    BootOrder: 0000" "$WORK/list" || fail "BootOrder no longer starts with 0000"
grep -q '^PlatformLang ' "$WORK/list" || fail "the firmware did not write its own variables into the store"
grep -q 'cannot decode' "$WORK/list" && fail "an entry could not be decoded"
pass "store after the boot: headers intact, Boot0000 and BootOrder kept, firmware variables added"

# A second boot from the same (now firmware-updated) store still starts Boot0000.
rc=0
run_boot "$WORK/out2" "$img" --arch "$arch" --platform "$cell" --vars "$store" \
        --expect-boot-option Boot0000 --log-dir "$WORK/logs2" || rc=$?
[ $rc -eq 0 ] || fail "second boot with the store: exit status $rc"
pass "second boot from the same store starts Boot0000 again"

# Control: the same store with one FV header byte changed (checksum now
# wrong) is silently wiped by the firmware. The harness names it, and the
# re-read store has lost Boot0000: the checks above can fail.
seed_for_image edk2 "$WORK/bad.fd" "$img" "$arch" "seeded $arch"
printf '\x37' | dd of="$WORK/bad.fd" bs=1 seek=$((0x2c)) conv=notrunc status=none
rc=0
run_boot "$WORK/out3" "$img" --arch "$arch" --platform "$cell" --vars "$WORK/bad.fd" \
        --expect-boot-option Boot0000 --log-dir "$WORK/logs3" || rc=$?
[ $rc -eq 1 ] || fail "control: a store with a broken checksum passed (exit status $rc)"
grep -q "FAIL $cell: EDK2 started Boot0001 \"UEFI Misc Device\" first, not Boot0000" "$WORK/out3" ||
        fail "control: harness did not name the wrong boot option"
"$VARS" list "$WORK/bad.fd" >"$WORK/list3" || fail "control: the firmware's reformatted store does not list"
grep -q "seeded $arch" "$WORK/list3" && fail "control: the seeded entry survived a broken checksum?"
pass "control: a store with a broken FV checksum is wiped by EDK2, and that is caught"
