# `vars list` decodes every entry of a store the firmware itself wrote: boot
# once with a zero-filled 64 MiB store (EDK2 formats it and adds its boot
# options: UiApp, the disk, the shell), then list it. Also: the header bytes
# mkvmimage-vars writes (FV header, store header, FTW working block header)
# are exactly the ones the firmware wrote when it formatted the store.
source "$TESTS_DIR/firmware/lib.sh"
arch=$1
cell=$(edk2_cell "$arch")
img=$WORK/disk.img
store=$WORK/VARS.fd

efi_hello_image "$img" "$arch"
truncate -s 64M "$store"
rc=0
run_boot "$WORK/out" "$img" --arch "$arch" --platform "$cell" --vars "$store" --log-dir "$WORK/logs" || rc=$?
[ $rc -eq 0 ] || fail "boot with a zero store: exit status $rc"
expect_store_headers "$store"

"$VARS" list "$store" >"$WORK/list" 2>&1 || fail "vars list: $(cat "$WORK/list")"
sed 's/^/    | /' "$WORK/list"
grep -q 'cannot decode' "$WORK/list" && fail "an entry could not be decoded"
# Every Boot#### the firmware made has a decoded line, e.g. "Boot0001* UEFI Misc Device  PciRoot(0x0)/Pci(0x1,0x0)".
n_boot=$(grep -c '^Boot[0-9A-F]\{4\} \[8BE4DF61-93CA-11D2-AA0D-00E098032B8C\]' "$WORK/list" || true)
n_decoded=$(grep -c '^    Boot[0-9A-F]\{4\}[* ] ' "$WORK/list" || true)
[ "$n_boot" -ge 3 ] || fail "expected the firmware's 3 boot options, found $n_boot"
[ "$n_boot" -eq "$n_decoded" ] || fail "$n_boot Boot#### variables but $n_decoded decoded"
grep -q '^    Boot[0-9A-F]\{4\}\* UiApp  Fv(.*)/FvFile(.*)$' "$WORK/list" || fail "UiApp entry not decoded"
grep -q '^    Boot[0-9A-F]\{4\}\* UEFI Misc Device  PciRoot(0x0)/Pci(0x[0-9A-F]*,0x0)' "$WORK/list" || fail "disk entry not decoded"
grep -q '^    BootOrder: [0-9A-F]\{4\}\(,[0-9A-F]\{4\}\)*$' "$WORK/list" || fail "BootOrder not decoded"
grep -q '^    Timeout: [0-9]* s$' "$WORK/list" || fail "Timeout not decoded"
grep -q '^    ConOut: .*Uart(' "$WORK/list" || fail "ConOut device path not decoded"
# Count of variables in the header line matches the entries listed.
n_listed=$(grep -c '^[^ ].* \[[0-9A-F-]\{36\}\] ' "$WORK/list" || true)
grep -q "EDK2 variable store, $n_listed variables$" "$WORK/list" || fail "header count differs from $n_listed listed"
pass "vars list decodes all $n_listed variables ($n_boot boot options) of a store EDK2 wrote"

# Our writer's headers against the firmware's, byte for byte.
read -r num start size uuid < <(part_of_type "$img" "$ESP_TYPE")
"$VARS" seed -q --format edk2 -o "$WORK/ours.fd" --arch "$arch" --partition "$num" --part-uuid "$uuid" --start "$start" --size "$size"
cmp -n $((0x64)) "$store" "$WORK/ours.fd" || fail "FV + store headers differ from the firmware's"
[ "$(hexbytes "$store" $((0x40000)) 32)" = "$(hexbytes "$WORK/ours.fd" $((0x40000)) 32)" ] ||
        fail "FTW working block header differs: firmware $(hexbytes "$store" $((0x40000)) 32), ours $(hexbytes "$WORK/ours.fd" $((0x40000)) 32)"
pass "FV, store and FTW headers byte-identical to the ones $arch EDK2 formatted"
