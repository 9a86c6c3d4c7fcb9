# The EBBR variable file: an ESP holding `ubootefi.var` (put there with
# --esp-dir) with Boot0000 for that very ESP. U-Boot loads the file (no
# "Unable to read file ubootefi.var", no "Invalid EFI variables file") and
# its boot manager boots the entry ("Booting: <description>"), not the
# removable-media fallback.
source "$TESTS_DIR/firmware/lib.sh"
arch=$1
cell=$(uboot_cell "$arch")
seed=5EED0000-0000-4000-8000-00000000EBB2
tree=$WORK/esp
img=$WORK/disk.img
mkdir -p "$tree/EFI/BOOT"
cp "$(efi_hello "$arch")" "$tree/EFI/BOOT/$(removable "$arch")"

# The entry names the ESP's PARTUUID, which lives outside the ESP: build
# once to learn it (the seed keeps it), then again with the file in place.
"$MKVMIMAGE" -q --arch "$arch" --seed "$seed" --esp-dir "$tree" -o "$img"
read -r num start size uuid < <(part_of_type "$img" "$ESP_TYPE")
seed_for_image ebbr "$tree/ubootefi.var" "$img" "$arch" "ebbr $arch"
"$MKVMIMAGE" -q --arch "$arch" --seed "$seed" --esp-dir "$tree" -o "$img" --force
[ "$(part_of_type "$img" "$ESP_TYPE")" = "$num $start $size $uuid" ] || fail "ESP moved between the two builds"

# The file as mtools reads it back: magic "UbEfiVa" revision 1, our list decodes it.
off=$((start * 512))
mcopy -n -i "$img@@$off" ::/ubootefi.var "$WORK/back.var" || fail "ubootefi.var not in the ESP"
cmp "$tree/ubootefi.var" "$WORK/back.var" || fail "ubootefi.var read back differs"
[ "$(hexbytes "$WORK/back.var" 8 8)" = 5562456669566101 ] || fail "no UbEfiVa magic"
[ "$(od -A n -t u4 -j 16 -N 4 "$WORK/back.var" | tr -d ' ')" -eq "$(stat -c %s "$WORK/back.var")" ] ||
        fail "header length is not the file size"
"$VARS" list "$WORK/back.var" >"$WORK/list" || fail "vars list: $(cat "$WORK/list")"
sed 's/^/    | /' "$WORK/list"
grep -q "^    Boot0000\* ebbr $arch  HD($num,GPT,$uuid," "$WORK/list" || fail "Boot0000 not in the file"
pass "ubootefi.var in the ESP: magic, length, Boot0000"

rc=0
run_boot "$WORK/out" "$img" --arch "$arch" --platform "$cell" --expect "Booting: ebbr $arch" \
        --expect MKVMIMAGE-BOOT-OK --log-dir "$WORK/logs" || rc=$?
[ $rc -eq 0 ] || fail "U-Boot boot: exit status $rc"
log=$WORK/logs/$cell.log
grep -a -q "Unable to read file ubootefi.var" "$log" && fail "U-Boot could not read ubootefi.var"
grep -a -q -e "Invalid EFI variables file" -e "Failed to load EFI variables" "$log" && fail "U-Boot rejected ubootefi.var"
grep -a -qi "MKVMIMAGE-DEVICE: .*HD($num,GPT,$uuid," "$log" || fail "not booted from the ESP"
pass "$cell loaded ubootefi.var and booted Boot0000 \"ebbr $arch\""

# Control: the same image without the file makes U-Boot say it could not read it.
rm "$tree/ubootefi.var"
"$MKVMIMAGE" -q --arch "$arch" --seed "$seed" --esp-dir "$tree" -o "$img" --force
rc=0
run_boot "$WORK/out0" "$img" --arch "$arch" --platform "$cell" --log-dir "$WORK/logs0" || rc=$?
[ $rc -eq 0 ] || fail "U-Boot boot without ubootefi.var: exit status $rc"
grep -a -q "Unable to read file ubootefi.var" "$WORK/logs0/$cell.log" || fail "control: U-Boot did not report the missing file"
grep -a -q "Booting: ebbr" "$WORK/logs0/$cell.log" && fail "control: boot entry used without the file"
pass "control: without the file U-Boot reports it missing and falls back to the removable path"
