#!/usr/bin/env bash
# ext4 holds files of at most 16 TiB - 4 KiB (2^32 - 1 blocks of 4 KiB). A
# larger (sparse) file is refused, naming the file and the limit, with a
# fixed root and with an auto-sized one, at once and leaving nothing (it
# used to give a corrupt ext4, exit 0). The auto-size estimate does not walk
# every block group: content of 16 PiB is planned in well under 10 s.
. "$TESTS_DIR/cli/lib.sh"
need_tools tar timeout truncate

# Sparse files this large need a file system that holds them: tmpfs.
[ -d /dev/shm ] && [ -w /dev/shm ] || fail "/dev/shm (tmpfs) is needed to make sparse files above 16 TiB"
SHM=$(mktemp -d /dev/shm/mkvm-harden-ext4.XXXXXX)
trap 'rm -rf "$WORK" "$SHM"' EXIT

mkvm() { timeout 10 "$MKVMIMAGE" -q --arch aa64 --bootloader none "$@"; }
printf '[partition ESP]\ntype = esp\n\n[partition root]\ntype = root\nsize = 64MiB\n' > "$WORK/fixed.conf"
limit="more than ext4 holds in one file \(16 TiB - 4 KiB, 17592186040320 bytes\)"

# 17 TiB, a few bytes of data: the tree and its tar.
mkdir -p "$SHM/big/etc"
echo host > "$SHM/big/etc/hostname"
truncate -s 17T "$SHM/big/disk.raw"
echo data | dd of="$SHM/big/disk.raw" bs=1 seek=1000000 conv=notrunc status=none
tar -C "$SHM/big" -S --format=pax -cf "$WORK/big.tar" .
listing=$(tar -tvf "$WORK/big.tar")
[[ $listing == *" 18691697672192 "*disk.raw* ]] || fail "could not build a tar with a 17 TiB sparse file: $listing"

expect_failure "17 TiB file in a tar, fixed root" "disk.raw: 18691697672192 bytes is $limit" \
        mkvm --layout "$WORK/fixed.conf" "$WORK/big.tar" -o "$WORK/out/x.img"
expect_failure "17 TiB file in a tree, fixed root" "disk.raw: 18691697672192 bytes is $limit" \
        mkvm --layout "$WORK/fixed.conf" "$SHM/big" -o "$WORK/out/x.img"
expect_failure "17 TiB file, auto root" "disk.raw: 18691697672192 bytes is $limit" \
        mkvm --layout vmspec "$WORK/big.tar" -o "$WORK/out/x.img"

# 2^62 bytes: refused by the estimate at once (it used to run for minutes).
mkdir -p "$SHM/huge"
truncate -s 4611686018427387904 "$SHM/huge/huge.raw"
expect_failure "2^62-byte file, auto root" "huge.raw: 4611686018427387904 bytes is $limit" \
        mkvm --layout vmspec "$SHM/huge" -o "$WORK/out/x.img"

# 1024 files at the limit (16 PiB declared): a plan in well under 10 s,
# with a root at least that large.
mkdir -p "$SHM/many"
(cd "$SHM/many" && truncate -s 17592186040320 $(seq -f 'f%g' 1 1024))
start=$SECONDS
plan=$(mkvm --layout vmspec --print-plan=json "$SHM/many") || fail "no plan for 16 PiB of sparse files within 10 s"
root=$(echo "$plan" | jq -r '.partitions[] | select(.kind == "root") | .size')
[ "$root" -ge $((1024 * 17592186040320)) ] || fail "16 PiB of content planned in a root of $root bytes: $plan"
pass "16 PiB of content estimated in $((SECONDS - start)) s: a partition of $root bytes"
