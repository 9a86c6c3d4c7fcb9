#!/usr/bin/env bash
# Hard links in cpio newc and crc archives (the initramfs format): the data
# of a group is stored with its last name only, the names before it have
# size 0. Every name must read back the data GNU cpio extracts (debugfs
# dump + cmp), with the link count it has (debugfs stat), e2fsck clean.
# Old cpio (odc, data with every name) and GNU tar hard links too.
. "$(dirname "$0")/content-lib.sh"

tree=$WORK/tree
mkdir -p "$tree/bin" "$tree/sbin" "$tree/etc" "$tree/lib/deep/er" "$tree/empty"
# 6 MiB: more than the filler's 4 MiB data window.
head -c 6000000 /dev/urandom >"$tree/bin/busybox"
ln "$tree/bin/busybox" "$tree/bin/sh"
ln "$tree/bin/busybox" "$tree/sbin/init"
ln "$tree/bin/busybox" "$tree/lib/deep/er/busybox"
printf 'small text, two names\n' >"$tree/etc/motd"
ln "$tree/etc/motd" "$tree/etc/motd.link"
: >"$tree/empty/a"
ln "$tree/empty/a" "$tree/empty/b"
printf 'alone\n' >"$tree/etc/hostname"
head -c 70000 /dev/urandom >"$tree/lib/blob"

check_archive() {   # check_archive NAME ARCHIVE EXTRACT-COMMAND...
        local name=$1 archive=$2 x=$WORK/x-$1
        shift 2
        build "$archive" "$WORK/$name.img" || fail "$name: mkvmimage failed"
        fsck_clean "$WORK/$name.img"
        rm -rf "$x"
        mkdir -p "$x"
        (cd "$x" && "$@" <"$archive") >/dev/null 2>&1 || fail "$name: extraction failed"
        [ "$(stat -c %s "$x/bin/sh")" -eq 6000000 ] || fail "$name: the extraction itself lost the data"
        compare_extracted "$x" "$WORK/$name.img"
        pass "$name: every name has the extracted data and link count, e2fsck clean"
}

for fmt in newc crc odc; do
        (cd "$tree" && find . | LC_ALL=C sort | cpio -o -H "$fmt" --quiet) >"$WORK/$fmt.cpio"
        check_archive "$fmt" "$WORK/$fmt.cpio" cpio -idm --quiet
done
# Compressed, as initramfs images are.
gzip -c "$WORK/newc.cpio" >"$WORK/newc.cpio.gz"
check_archive newc-gz "$WORK/newc.cpio.gz" sh -c 'gzip -dc | cpio -idm --quiet'
tar -C "$tree" -cf "$WORK/tree.tar" .
check_archive tar "$WORK/tree.tar" tar -xf -
