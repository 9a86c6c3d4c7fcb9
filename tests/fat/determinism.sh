#!/bin/bash
# The same tree added in different orders (sorted, reverse, shuffled,
# through fat_add_buffer, through fat_add_stream) gives byte-identical images.
. "$TESTS_DIR/fat/lib.sh"

mib=64
src=$WORK/src
mkdir -p "$src/EFI/BOOT" "$src/b dir/c" "$src/collide"
head -c 700000 /dev/urandom >"$src/EFI/BOOT/BOOTAA64.EFI"
head -c 300000 /dev/urandom >"$src/b dir/c/kernel"
head -c 2000000 /dev/zero >"$src/b dir/zeros"
head -c 100000 /dev/urandom >>"$src/b dir/zeros"
for i in $(seq 1 30); do echo "$i" >"$src/collide/Long File Name $i.txt"; done
for i in $(seq 1 50); do head -c $((i * 997)) /dev/urandom >"$src/file$i.bin"; done
: >"$src/empty"
# Different times on directories and files: implicit parents must still agree.
touch -d '2020-05-06 07:08:10' "$src/b dir/c/kernel"
touch -d '2022-01-01 00:00:00' "$src/b dir/c" "$src/b dir"

sums=()
for how in --order=sorted --order=reverse --order=shuffle "--order=shuffle --buffer" "--order=reverse --stream"; do
        img=$WORK/disk.img
        make_esp "$img" $mib 1
        # shellcheck disable=SC2086
        fill "$img" $mib "$src" $how >/dev/null || fail "fatfill $how failed"
        check_fsck "$img" $mib
        sum=$(sha256sum "$img" | cut -d' ' -f1)
        echo "$how: $sum"
        sums+=("$sum")
done
check_readback "$img" "$src"
[ "$(printf '%s\n' "${sums[@]}" | sort -u | wc -l)" = 1 ] || fail "add order changed the image"
echo "determinism: ok"
