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
        grep -qF -- "$expect" <<<"$out" || { echo "$out" >&2; fail "$what: message lacks '$expect'"; }
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

# The root directory's chain in the FAT (cluster 2; the first FAT starts at
# sector 32 as mkfs.fat lays it out here): looping, or broken.
fat_entry2=$((32 * 512 + 8))
poke $fat_entry2 02 00 00 00; expect_refusal "root chain loops" 64 "root directory is larger than FAT allows"
poke $fat_entry2 00 00 00 00; expect_refusal "root chain broken" 64 "broken"

# Random damage to the boot sector, FSInfo, FAT and root directory never
# crashes the filler (ASan/UBSan builds report that with their own codes).
declare -a outcomes
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}exitcode=99"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}exitcode=98:halt_on_error=1"
make_esp "$WORK/good.img" 40 1
fat_sectors=$(od -An -tu4 -j $((OFFSET + 36)) -N4 "$WORK/good.img" | tr -d ' ')
data_start=$(( (32 + 2 * fat_sectors) * 512 ))  # the root directory's cluster
for i in $(seq 1 150); do
        cp --sparse=always "$WORK/good.img" "$img"
        for k in 1 2 3 4; do
                case $((RANDOM % 4)) in
                0) at=$((RANDOM % 90)) ;;                       # BPB fields
                1) at=$((512 + RANDOM % 1024)) ;;               # FSInfo, backup area
                2) at=$((32 * 512 + RANDOM % 16)) ;;            # FAT entries 0-3
                3) at=$((data_start + RANDOM % 96)) ;;          # first root entries
                esac
                printf "$(printf '\\x%02x' $((RANDOM % 256)))" |
                        dd of="$img" bs=1 seek=$((OFFSET + at)) conv=notrunc status=none
        done
        rc=0
        fill "$img" 40 "$src" >/dev/null 2>"$WORK/err" || rc=$?
        outcomes[$rc]=$(( ${outcomes[$rc]:-0} + 1 ))
        if [ $rc -gt 1 ] || grep >/dev/null -E 'AddressSanitizer|runtime error|LeakSanitizer' "$WORK/err"; then
                cat "$WORK/err" >&2
                fail "fatfill crashed on a damaged image (exit $rc, round $i)"
        fi
done
echo "damaged images: ${outcomes[0]:-0} filled, ${outcomes[1]:-0} refused"
echo "refuse: ok"
