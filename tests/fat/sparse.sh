#!/bin/bash
# Zero runs in the input are not written: the image stays sparse, and the
# file still reads back identical (the skipped clusters read as zero).
. "$TESTS_DIR/fat/lib.sh"

mib=300
src=$WORK/src
mkdir -p "$src"
# 64 MiB: 1 MiB of data, 62 MiB of zeros, 1 MiB of data.
head -c $((1024 * 1024)) /dev/urandom >"$src/holes.bin"
head -c $((62 * 1024 * 1024)) /dev/zero >>"$src/holes.bin"
head -c $((1024 * 1024)) /dev/urandom >>"$src/holes.bin"
# 64 MiB of nothing but zeros, with a last partial cluster.
head -c $((64 * 1024 * 1024 + 100)) /dev/zero >"$src/zeros.bin"
echo small >"$src/small.txt"

img=$WORK/disk.img
make_esp "$img" $mib 8
before=$(du -k "$img" | cut -f1)
fill "$img" $mib "$src" --order=reverse >/dev/null || fail "fatfill failed"
after=$(du -k "$img" | cut -f1)
check_fsck "$img" $mib
check_readback "$img" "$src"

# 128 MiB of file data went in; about 2 MiB of it is not zero.
grew=$((after - before))
echo "image grew by $grew KiB"
[ "$grew" -lt $((8 * 1024)) ] || fail "image grew by $grew KiB: zero runs were written"
[ "$grew" -ge 2048 ] || fail "image grew by only $grew KiB: data missing?"

# The FAT still gives each file its clusters: mdir's free space counts them.
free=$(mdir -i "$img@@$OFFSET" ::/ | awk '/bytes free/ { gsub(/[^0-9]/, ""); print }')
total=$(( (mib * 1024 * 1024) ))
[ "$free" -lt $((total - 128 * 1024 * 1024)) ] || fail "free space $free: holes were not allocated"

# A source that ends early: the add fails, leaves no entry, and its clusters
# (now holding 0xAB bytes) return to the free space. The files added next
# reuse them, so their zero clusters must really be written as zeros there.
rm -rf "$src"
mkdir -p "$src/d"
head -c $((2 * 1024 * 1024)) /dev/zero >"$src/d/a-zeros.bin"
echo after >"$src/d/b.txt"
make_esp "$img" $mib 8
fill "$img" $mib "$src" --short=d/a-short --short=d/zz-short --short=top-short >/dev/null ||
        fail "fatfill with failing sources failed"
check_fsck "$img" $mib
check_readback "$img" "$src"
mdir -i "$img@@$OFFSET" ::/d | grep >/dev/null short && fail "a failed add left an entry behind"
echo "sparse: ok"
