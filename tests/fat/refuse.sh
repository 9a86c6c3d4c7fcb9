#!/bin/bash
# fat_open() refuses anything but an empty FAT32: FAT16, FAT12, random bytes,
# a "FAT32" below 65525 clusters, a file system larger than the partition
# given, and a root directory that already holds files.
. "$TESTS_DIR/fat/lib.sh"

src=$WORK/src
mkdir -p "$src"
echo x >"$src/x.txt"
img=$WORK/disk.img

expect_refusal() {
        local what=$1 mib=$2 expect=$3 out
        if out=$(fill "$img" "$mib" "$src" 2>&1); then
                fail "$what: accepted"
        fi
        echo "$out" | grep -qF -- "$expect" || { echo "$out" >&2; fail "$what: message lacks '$expect'"; }
        echo "$what: $out"
}

# FAT16 and FAT12 made by mkfs.fat.
rm -f "$img"; truncate -s 80M "$img"
mkfs.fat -F 16 --offset=2048 "$img" $((64 * 1024)) >/dev/null 2>&1 || fail "mkfs.fat -F 16"
expect_refusal "FAT16" 64 "not FAT32"
rm -f "$img"; truncate -s 80M "$img"
mkfs.fat -F 12 --offset=2048 "$img" $((8 * 1024)) >/dev/null 2>&1 || fail "mkfs.fat -F 12"
expect_refusal "FAT12" 8 "not FAT32"

# Random bytes, with and without a boot signature.
rm -f "$img"; truncate -s 80M "$img"
head -c $((4 * 1024 * 1024)) /dev/urandom | dd of="$img" bs=1M seek=1 conv=notrunc status=none
expect_refusal "random bytes" 64 "no boot sector signature"
printf '\x55\xaa' | dd of="$img" bs=1 seek=$((OFFSET + 510)) conv=notrunc status=none
expect_refusal "random bytes with 55AA" 64 "expected an empty FAT32"

# Nothing at all (zeros).
rm -f "$img"; truncate -s 80M "$img"
expect_refusal "zeros" 64 "no boot sector signature"

# FAT32 with too few clusters (mkfs.fat warns but writes it).
rm -f "$img"; truncate -s 80M "$img"
mkfs.fat -F 32 -s 8 --offset=2048 "$img" $((64 * 1024)) >/dev/null 2>&1 || fail "mkfs.fat small FAT32"
expect_refusal "FAT32 below 65525 clusters" 64 "fewer than 65525 clusters"

# A good FAT32, but the partition given is smaller than the file system.
make_esp "$img" 64 1
expect_refusal "partition too small" 32 "larger than its partition"

# Filled once already: the root is not empty.
make_esp "$img" 64 1
fill "$img" 64 "$src" >/dev/null || fail "first fill failed"
expect_refusal "second fill" 64 "root directory is not empty"

# Broken fields one at a time in a good boot sector.
poke() {  # poke BYTE_OFFSET HEX_BYTES...
        local at=$1; shift
        make_esp "$img" 64 1
        printf "$(printf '\\x%s' "$@")" | dd of="$img" bs=1 seek=$((OFFSET + at)) conv=notrunc status=none
}
poke 11 00 03; expect_refusal "bytes per sector 768" 64 "bytes per sector"
poke 13 03;    expect_refusal "sectors per cluster 3" 64 "sectors per cluster"
poke 16 00;    expect_refusal "no FATs" 64 "FAT count"
poke 44 ff ff ff 0f; expect_refusal "root cluster out of range" 64 "root cluster"
poke 48 00 00; expect_refusal "no FSInfo" 64 "FSInfo"
poke 36 ff ff ff 00; expect_refusal "huge FAT" 64 "FATs do not fit"
poke 512 00;   expect_refusal "FSInfo signature" 64 "FSInfo"
echo "refuse: ok"
