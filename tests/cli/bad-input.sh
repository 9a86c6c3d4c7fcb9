#!/usr/bin/env bash
# Every bad input gets a clear message, a non-zero exit, and no output file
# (nor a temporary one) at the output path.
. "$TESTS_DIR/cli/lib.sh"
aa64=$(systemd_boot arm64)
armhf=$(systemd_boot armhf)
x64=$(systemd_boot amd64)
out=$WORK/out/disk.img
mk() { "$MKVMIMAGE" -q "$@"; }

expect_failure "unknown arch" "unknown architecture 'x86'.*aa64" \
        mk --arch x86 --bootloader "$aa64" -o "$out"
expect_failure "no arch" "--arch is required" \
        mk --bootloader "$aa64" -o "$out"
expect_failure "missing bootloader" "bootloader $WORK/nope.efi: No such file" \
        mk --arch aa64 --bootloader "$WORK/nope.efi" -o "$out"
expect_failure "x86-64 bootloader" "0x8664.*x86-64.*expected 0xAA64" \
        mk --arch aa64 --bootloader "$x64" -o "$out"
expect_failure "aa64 bootloader for arm" "0xAA64.*expected 0x01C2" \
        mk --arch arm --bootloader "$aa64" -o "$out"
cp "$armhf" "$WORK/armnt.efi"
off=$(( $(od -An -t u4 -j 60 -N 4 "$WORK/armnt.efi") + 4 ))
printf '\xc4\x01' | dd of="$WORK/armnt.efi" bs=1 seek="$off" conv=notrunc status=none
expect_failure "ARMNT bootloader" "0x01C4.*ARMNT" \
        mk --arch arm --bootloader "$WORK/armnt.efi" -o "$out"
echo "not a PE file" > "$WORK/text.efi"
expect_failure "not PE" "not a PE file" \
        mk --arch aa64 --bootloader "$WORK/text.efi" -o "$out"

printf '[partition ESP]\ntype = esp\nsize 256MiB\n' > "$WORK/syntax.conf"
expect_failure "layout syntax error" "syntax.conf:3: syntax error" \
        mk --arch aa64 --layout "$WORK/syntax.conf" -o "$out"
printf '[partition ESP]\ntype = esp\ncolour = blue\n' > "$WORK/key.conf"
expect_failure "layout unknown key" "key.conf:3: unknown key 'colour'" \
        mk --arch aa64 --layout "$WORK/key.conf" -o "$out"
printf '[partition ESP]\ntype = esp\n\n[partitions root]\n' > "$WORK/section.conf"
expect_failure "layout unknown section" "section.conf:4: unknown section" \
        mk --arch aa64 --layout "$WORK/section.conf" -o "$out"
printf '[partition ESP]\ntype = esp\nsize = lots\n' > "$WORK/size.conf"
expect_failure "layout bad size" "size.conf:3: size: 'lots'" \
        mk --arch aa64 --layout "$WORK/size.conf" -o "$out"
expect_failure "layout missing" "layout 'nosuch'" \
        mk --arch aa64 --layout nosuch -o "$out"

# Sizes never wrap: 2^64 - 256 MiB used to round up to 0 and make a 2 MiB
# disk. Refused with the layout line, whether writing or only planning; and
# sizes that fit one by one but not added up.
printf '[partition ESP]\ntype = esp\n\n[partition data]\ntype = linux\nsize = 18446744073441116160\n' > "$WORK/huge.conf"
expect_failure "layout size near 2^64" "huge.conf:6: partition 'data': size 18446744073441116160 is too large" \
        mk --arch aa64 --bootloader "$aa64" --layout "$WORK/huge.conf" -o "$out"
expect_failure "layout size near 2^64, --print-plan" "huge.conf:6: partition 'data': size 18446744073441116160 is too large" \
        mk --arch aa64 --bootloader "$aa64" --layout "$WORK/huge.conf" --print-plan -o "$out"
printf '[partition ESP]\ntype = esp\n\n[partition a]\nsize = 4611686018427387904\n\n[partition b]\nsize = 4611686018427387904\n' > "$WORK/eib.conf"
expect_failure "layout sizes adding up past 8 EiB" "eib.conf:7: partition 'b': size is too large" \
        mk --arch aa64 --bootloader "$aa64" --layout "$WORK/eib.conf" --print-plan -o "$out"
expect_failure "--size near 2^64" "--size: 18446744073709551615 is too large" \
        mk --arch aa64 --bootloader "$aa64" --size 18446744073709551615 -o "$out"

expect_failure "sizes that don't fit the disk" "need a disk of at least 258 MiB.*100 MiB" \
        mk --arch aa64 --bootloader "$aa64" --size 100MiB -o "$out"
expect_failure "ESP too small for FAT32" "too small for FAT32.*at least 33 MiB" \
        mk --arch aa64 --bootloader "$aa64" --esp-size 32MiB -o "$out"
mkdir -p "$WORK/big"
head -c 40M /dev/urandom > "$WORK/big/big.bin"
expect_failure "ESP content larger than the ESP" "ESP|space|full|No space" \
        mk --arch aa64 --esp-dir "$WORK/big" --esp-size 34MiB -o "$out"

expect_failure "output directory missing" "cannot write the output into directory $WORK/out/nodir" \
        mk --arch aa64 --bootloader "$aa64" -o "$WORK/out/nodir/disk.img"
if [ "$(id -u)" = 0 ]; then
        # root writes anywhere: check as an ordinary user.
        chmod 755 "$WORK"
        mkdir -p "$WORK/ro" && chmod 555 "$WORK/ro"
        rc=0
        setpriv --reuid=65534 --regid=65534 --clear-groups "$MKVMIMAGE" -q --arch aa64 -o "$WORK/ro/disk.img" \
                2>"$WORK/stderr" || rc=$?
        [ $rc -ne 0 ] && grep -q "cannot write the output into directory" "$WORK/stderr" ||
                fail "read-only output directory: rc=$rc $(cat "$WORK/stderr")"
        [ -z "$(ls -A "$WORK/ro")" ] || fail "read-only output directory: files left"
        pass "read-only output directory (as nobody)"
else
        mkdir -p "$WORK/ro" && chmod 555 "$WORK/ro"
        expect_failure "read-only output directory" "cannot write the output" \
                mk --arch aa64 -o "$WORK/ro/disk.img"
fi

# mkvmimage looks in /usr/sbin and /sbin after PATH (an ordinary user's PATH
# lacks them), so hide the tool itself in a private mount namespace.
rc=0
unshare --map-root-user --mount bash -c '
        mount --bind /dev/null /usr/sbin/mkfs.fat || exit 99
        "$1" -q --arch aa64 --bootloader "$2" -o "$3" 2>"$4"' _ "$MKVMIMAGE" "$aa64" "$out" "$WORK/stderr" || rc=$?
[ $rc -ne 99 ] || fail "mkfs.fat missing: cannot hide it in a user namespace here"
[ $rc -ne 0 ] || fail "mkfs.fat missing: exit status 0"
grep -q "mkfs.fat not found in PATH: install the Debian package dosfstools" "$WORK/stderr" ||
        fail "mkfs.fat missing: $(cat "$WORK/stderr")"
[ ! -e "$out" ] || fail "mkfs.fat missing: left $out"
pass "mkfs.fat missing: $(tail -n 1 "$WORK/stderr")"
expect_failure "mke2fs missing" "mke2fs not found in PATH: install the Debian package e2fsprogs" \
        unshare --map-root-user --mount bash -c 'mount --bind /dev/null /usr/sbin/mke2fs && exec "$@"' _ \
        "$MKVMIMAGE" -q --arch aa64 --layout vmspec --bootloader "$aa64" -o "$out"

# Disk full while writing, in a private mount namespace: a tmpfs too small
# for mkfs.fat's FATs, and one where mkfs.fat fits but the ESP's content
# does not.
disk_full() {
        local what=$1 size=$2 rc=0
        shift 2
        rm -rf "$WORK/full" && mkdir -p "$WORK/full"
        unshare --map-root-user --mount bash -c '
                dir=$1 size=$2; shift 2
                mount -t tmpfs -o size=$size tmpfs "$dir" || exit 99
                "$@" -o "$dir/disk.img" 2>"$dir/../full.err"; rc=$?
                ls -A "$dir" > "$dir/../full.ls"
                exit $rc' _ "$WORK/full" "$size" "$@" || rc=$?
        [ $rc -ne 99 ] || fail "$what: cannot mount a tmpfs in a user namespace here"
        [ $rc -ne 0 ] || fail "$what: exit status 0"
        grep -q "No space left on device" "$WORK/full.err" || fail "$what: message: $(cat "$WORK/full.err")"
        [ ! -s "$WORK/full.ls" ] || fail "$what: left $(cat "$WORK/full.ls")"
        pass "$what: $(tail -n 1 "$WORK/full.err")"
}
disk_full "disk full in mkfs.fat" 512k "$MKVMIMAGE" -q --arch aa64 --bootloader "$aa64"
mkdir -p "$WORK/payload"
head -c 3M /dev/urandom > "$WORK/payload/data.bin"
disk_full "disk full while filling the ESP" 2m "$MKVMIMAGE" -q --arch aa64 --esp-dir "$WORK/payload"
