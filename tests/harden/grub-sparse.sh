#!/usr/bin/env bash
# Issue 11, item 11: the boot files are copied bounded. A 10 KB tar holding
# a 100 GiB sparse file under boot/ (one byte at its end, so that a reader
# fills the holes with zeros) must not fill the disk: a file the boot chain
# cannot use is not copied, holes stay holes, and a boot file larger than
# FAT32's largest file (4 GiB - 1) is refused, naming it. Every run is
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
