#!/usr/bin/env bash
# With the same inputs, --seed and SOURCE_DATE_EPOCH, two runs write
# byte-identical images; a different seed changes every GUID; no seed gives
# fresh GUIDs. The images are sparse.
. "$TESTS_DIR/cli/lib.sh"
loader=$(systemd_boot arm64)
seed=3f0c1a2e-5b6d-4e7f-8a9b-0c1d2e3f4a5b
tree=$WORK/tree
mkdir -p "$tree/x"
echo one > "$tree/x/one.txt"
echo two > "$tree/Two Words.txt"

build() {
        SOURCE_DATE_EPOCH=1700000000 "$MKVMIMAGE" -q --arch aa64 --layout vmspec-varstore \
                --bootloader "$loader" --esp-dir "$tree" "$@"
}

# The same output name in two directories: the image's name is the boot
# entry's description in the varstore.
mkdir -p "$WORK/1" "$WORK/2"
build --seed "$seed" -o "$WORK/1/disk.img"
touch "$tree/x/one.txt"   # a newer mtime is clamped to SOURCE_DATE_EPOCH
sleep 2                   # FAT times have 2-second steps: "now" must not leak in
build --seed "$seed" -o "$WORK/2/disk.img"
a=$(sha256sum < "$WORK/1/disk.img"); b=$(sha256sum < "$WORK/2/disk.img")
[ "$a" = "$b" ] || fail "two seeded runs differ: $(cmp "$WORK/1/disk.img" "$WORK/2/disk.img" | head -1)"
mv "$WORK/1/disk.img" "$WORK/a.img"
pass "two seeded runs identical"

build --seed 00000000-0000-4000-8000-000000000001 -o "$WORK/c.img"
for n in 1 2 3; do
        [ "$(part_field "$WORK/a.img" $n uuid)" != "$(part_field "$WORK/c.img" $n uuid)" ] ||
                fail "partition $n GUID did not change with the seed"
done
[ "$(sfdisk --json "$WORK/a.img" | jq -r .partitiontable.id)" != "$(sfdisk --json "$WORK/c.img" | jq -r .partitiontable.id)" ] ||
        fail "disk GUID did not change with the seed"
pass "another seed, other GUIDs"

build -o "$WORK/d.img"
build -o "$WORK/e.img"
[ "$(part_field "$WORK/d.img" 1 uuid)" != "$(part_field "$WORK/e.img" 1 uuid)" ] || fail "unseeded runs share a GUID"
pass "no seed, fresh GUIDs"

# FAT volume id from the seed, documented as derived: stable across runs.
v1=$(blkid -p -O 1048576 -s UUID -o value "$WORK/a.img")
v2=$(blkid -p -O 1048576 -s UUID -o value "$WORK/c.img")
[ "$v1" != "$v2" ] || fail "FAT volume id did not change with the seed"

alloc=$(du -k "$WORK/a.img" | cut -f1)
[ "$alloc" -lt 20000 ] || fail "image not sparse: $alloc KiB allocated of $(du -k --apparent-size "$WORK/a.img" | cut -f1)"
pass "sparse: $alloc KiB allocated"
