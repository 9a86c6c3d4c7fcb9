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

expect_failure "sizes that don't fit the disk" "need a disk of at least 257 MiB.*100 MiB" \
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

(PATH=$WORK/empty-path; expect_failure "mkfs.fat missing" "mkfs.fat not found in PATH: install the Debian package dosfstools" \
        "$MKVMIMAGE" -q --arch aa64 --bootloader "$aa64" -o "$out")

# Disk full while writing: a 2 MiB tmpfs in a private mount namespace.
mkdir -p "$WORK/full"
rc=0
unshare --map-root-user --mount bash -c '
        mount -t tmpfs -o size=2m tmpfs "$1" || exit 99
        "$2" -q --arch aa64 --bootloader "$3" -o "$1/disk.img" 2>"$1/../full.err"; rc=$?
        ls -A "$1" > "$1/../full.ls"
        exit $rc' _ "$WORK/full" "$MKVMIMAGE" "$aa64" || rc=$?
[ $rc -ne 99 ] || fail "disk full: cannot mount a tmpfs in a user namespace here"
[ $rc -ne 0 ] || fail "disk full: exit status 0"
grep -Eq "No space left on device|space" "$WORK/full.err" || fail "disk full: message: $(cat "$WORK/full.err")"
[ ! -s "$WORK/full.ls" ] || fail "disk full: left $(cat "$WORK/full.ls")"
pass "disk full: $(head -n 1 "$WORK/full.err")"
