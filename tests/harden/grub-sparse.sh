#!/usr/bin/env bash
# Issue 11, item 11: the boot files are copied bounded. A 10 KB tar holding
# a 100 GiB sparse file under boot/ (one byte at its end, so that a reader
# fills the holes with zeros) must not fill the disk: a file the boot chain
# cannot use is not copied, holes stay holes (measured with du while
# grub-mkimage runs), and a boot file larger than FAT32's largest file
# (4 GiB - 1) is refused, naming it. Every run is
# limited to files of 2 GiB (ulimit -f): writing the zeros dies of SIGXFSZ
# instead of filling the host's disk.
. "$TESTS_DIR/harden/grub-lib.sh"

# Fixed sizes: an auto-sized root would be planned for the 100 GiB.
cat > "$WORK/layout.conf" <<'LAYOUT'
[partition ESP]
type = esp
size = 64MiB

[partition root]
type = root
fs = ext4
size = 256MiB
LAYOUT
sparse_100g() {
        truncate -s 100G "$1"
        printf x | dd of="$1" bs=1 seek=$((100 * 1024 * 1024 * 1024 - 1)) conv=notrunc status=none
}
out=$WORK/out
run() { (ulimit -f $((2 * 1024 * 1024)); exec timeout 300 "$MKVMIMAGE" --seed "$SEED" --arch aa64 --layout "$WORK/layout.conf" "$@" -o "$out/disk.img"); }

make_root "$WORK/r"
sparse_100g "$WORK/r/boot/big.img"
tar --sparse -C "$WORK/r" -cf "$WORK/r.tar" .
[ "$(stat -c %s "$WORK/r.tar")" -lt $((1024 * 1024)) ] || fail "the test tar is not small"
for input in "$WORK/r.tar" "$WORK/r"; do
        rm -rf "$out" && mkdir -p "$out"
        rc=0
        run "$input" 2>"$WORK/err.txt" || rc=$?
        [ $rc = 0 ] || fail "100 GiB sparse boot/big.img in $input: exit status $rc: $(tail -n 3 "$WORK/err.txt")"
        [ "$(ls -A "$out")" = disk.img ] || fail "$input: left $(ls -A "$out")"
        used=$(du -sk "$out" | cut -f1)
        [ "$used" -lt $((64 * 1024)) ] || fail "$input: the output directory holds $used KiB"
        esp_cat "$out/disk.img" testos/$VERSION/linux | cmp - "$KERNEL_EFI" || fail "$input: the kernel on the ESP differs"
        echo "ok: 100 GiB sparse boot/big.img in $input: image built, $used KiB used"
done

# A boot file the ESP could not hold: refused by name, before any copy.
make_root "$WORK/huge"
sparse_100g "$WORK/huge/boot/initrd.img-$VERSION"
tar --sparse -C "$WORK/huge" -cf "$WORK/huge.tar" .
refused "100 GiB initrd" "/boot/initrd.img-$VERSION is 100 GiB, more than a boot file can be \(4 GiB - 1" "$out" run "$WORK/huge.tar"
refused "100 GiB initrd, directory" "/boot/initrd.img-$VERSION is 100 GiB, more than a boot file can be" "$out" run "$WORK/huge"

# Holes stay holes: a 1 GiB sparse initrd GRUB uses (it stays in the root).
# A grub-mkimage wrapper measures the directory of extracted boot files
# (its modules directory is in it) while mkvmimage waits for it.
make_root "$WORK/holes" grub
truncate -s 1G "$WORK/holes/boot/initrd.img-$VERSION"
printf x | dd of="$WORK/holes/boot/initrd.img-$VERSION" bs=1 seek=$((1024 * 1024 * 1024 - 1)) conv=notrunc status=none
tar --sparse -C "$WORK/holes" -cf "$WORK/holes.tar" .
mkdir -p "$WORK/bin"
real=$(command -v grub-mkimage) || fail "grub-mkimage not found"
cat > "$WORK/bin/grub-mkimage" <<WRAP
#!/usr/bin/env bash
prev=
for a in "\$@"; do
        [ "\$prev" != --directory ] || dir=\$a
        prev=\$a
done
# Up to the directory holding the extracted boot/.
until [ -e "\$dir/boot/initrd.img-$VERSION" ] || [ -e "\$dir/root/boot/initrd.img-$VERSION" ] || [ "\$dir" = / ]; do
        dir=\$(dirname "\$dir")
done
du -sk --apparent-size "\$dir" | cut -f1 > "$WORK/apparent.txt"
du -sk "\$dir" | cut -f1 > "$WORK/used.txt"
exec "$real" "\$@"
WRAP
chmod +x "$WORK/bin/grub-mkimage"
for input in "$WORK/holes.tar" "$WORK/holes"; do
        rm -rf "$out" "$WORK/used.txt" && mkdir -p "$out"
        PATH=$WORK/bin:$PATH run --bootloader grub "$input" 2>"$WORK/err.txt" ||
                fail "sparse initrd in $input: $(tail -n 3 "$WORK/err.txt")"
        [ -s "$WORK/used.txt" ] || fail "sparse initrd in $input: the grub-mkimage wrapper did not run"
        [ "$(cat "$WORK/apparent.txt")" -ge $((1024 * 1024)) ] || fail "sparse initrd in $input: not extracted ($(cat "$WORK/apparent.txt") KiB)"
        [ "$(cat "$WORK/used.txt")" -lt $((64 * 1024)) ] || fail "sparse initrd in $input: the extracted files use $(cat "$WORK/used.txt") KiB: holes written as zeros"
        echo "ok: sparse 1 GiB initrd in $input: extracted, $(cat "$WORK/used.txt") KiB used"
done
