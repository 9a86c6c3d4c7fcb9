#!/usr/bin/env bash
# --esp-dir copies a whole tree into the ESP: nested directories, long and
# mixed-case names, empty and multi-cluster files, read back byte-identical by
# mtools; a bootloader inside the tree is PE-checked like --bootloader.
. "$TESTS_DIR/cli/lib.sh"
loader=$(systemd_boot arm64)

tree=$WORK/tree
mkdir -p "$tree/EFI/BOOT" "$tree/loader/entries" "$tree/a/b/c/d/e/f/g/h"
cp "$loader" "$tree/EFI/BOOT/BOOTAA64.EFI"
printf 'timeout 3\n' > "$tree/loader/loader.conf"
printf 'title Debian\nlinux /vmlinuz\n' > "$tree/loader/entries/debian.conf"
printf 'deep\n' > "$tree/a/b/c/d/e/f/g/h/deep file.txt"
: > "$tree/empty"
head -c 5000000 /dev/urandom > "$tree/Big Random File.bin"
for i in $(seq 1 40); do echo "$i" > "$tree/a/Long File Name $i.txt"; done
echo UPPER > "$tree/README.TXT"
echo lower > "$tree/lower.txt"

img=$WORK/esp.img
"$MKVMIMAGE" -q --arch aa64 --esp-dir "$tree" -o "$img"
off=$(part_offset "$img" 1)
mcopy -s -n -i "$img@@$off" ::/ "$WORK/back/" 2>/dev/null || { mkdir -p "$WORK/back"; mcopy -s -n -i "$img@@$off" '::*' "$WORK/back/"; }
diff -r "$tree" "$WORK/back" || fail "tree read back by mtools differs"
dd if="$img" of="$WORK/esp.fat" bs=1M skip=1 count=256 status=none
fsck.fat -n "$WORK/esp.fat" >"$WORK/fsck.out" 2>&1 || fail "fsck.fat: $(cat "$WORK/fsck.out")"
mdir -i "$img@@$off" ::/a >/dev/null || fail "mdir"
pass "--esp-dir tree read back identical, fsck.fat clean"

# Entries are written in sorted order, whatever order the tree lists them in.
mdir -b -i "$img@@$off" ::/loader/entries >/dev/null
names=$(mdir -i "$img@@$off" ::/a | awk '/Long File Name/ {sub(/^.* Long/, "Long"); print}')
[ "$names" = "$(printf '%s\n' "$names" | LC_ALL=C sort)" ] || fail "entries not sorted: $names"
pass "directory entries sorted"

# --esp-dir plus --bootloader at the same path is refused.
expect_failure "bootloader twice" "both in --esp-dir and given with --bootloader" \
        "$MKVMIMAGE" -q --arch aa64 --esp-dir "$tree" --bootloader "$loader" -o "$WORK/out/x.img"

# A wrong-arch bootloader inside the tree is refused.
cp "$(systemd_boot armhf)" "$tree/EFI/BOOT/BOOTAA64.EFI"
expect_failure "wrong-arch bootloader in --esp-dir" "0x01C2|0x1C2|expected 0xAA64" \
        "$MKVMIMAGE" -q --arch aa64 --esp-dir "$tree" -o "$WORK/out/x.img"
rm "$tree/EFI/BOOT/BOOTAA64.EFI"

# FAT holds no symlinks: refused, never followed out of the tree.
ln -s /etc/passwd "$tree/link"
expect_failure "symlink in --esp-dir" "not a regular file or directory" \
        "$MKVMIMAGE" -q --arch aa64 --esp-dir "$tree" -o "$WORK/out/x.img"
