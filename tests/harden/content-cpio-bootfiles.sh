#!/usr/bin/env bash
# The boot chain from a cpio newc ROOTFS whose kernel is a hard link group
# (boot/vmlinuz-VERSION and usr/lib/modules/VERSION/vmlinuz, as Debian and
# Fedora ship it): newc stores the data with the group's last name, which
# the boot chain does not look at. The kernel on the ESP and in the root
# must be the real one: the ESP the same bytes as from the directory (with
# a seed), the root's kernel equal to the file (debugfs dump, cmp).
. "$TESTS_DIR/bootchain/lib.sh"
need_tools cpio cmp debugfs
build_guest aa64
export SOURCE_DATE_EPOCH=1700000000

tree=$WORK/tree
cp -a "$GUEST/rootfs" "$tree"
kernel=$(cd "$tree/boot" && ls vmlinuz-* | head -n 1)
version=${kernel#vmlinuz-}
mkdir -p "$tree/usr/lib/modules/$version"
ln "$tree/boot/$kernel" "$tree/usr/lib/modules/$version/vmlinuz"
(cd "$tree" && find . | LC_ALL=C sort | cpio -o -H newc --quiet --owner 0:0) >"$WORK/rootfs.cpio"
# The archive is as described: the first name empty, the last one with the data.
cpio -itv --quiet <"$WORK/rootfs.cpio" | grep " boot/$kernel\$" | awk '{ exit $5 != 0 }' ||
        fail "newc: boot/$kernel is expected to have size 0 in the archive"

"$MKVMIMAGE" -q --arch aa64 --seed "$SEED" --owner root "$tree" -o "$WORK/dir.img" || fail "directory: mkvmimage failed"
"$MKVMIMAGE" -q --arch aa64 --seed "$SEED" "$WORK/rootfs.cpio" -o "$WORK/cpio.img" || fail "newc: mkvmimage failed"
esp_bytes() { dd if="$1" bs=1M skip=1 count=256 status=none | sha256sum; }
[ "$(esp_bytes "$WORK/dir.img")" = "$(esp_bytes "$WORK/cpio.img")" ] ||
        fail "newc ROOTFS: the ESP differs from the directory's (kernel taken from the empty name?)"
echo "ok: newc with a hard-linked kernel: the same ESP as from the directory"

start=$(sfdisk --json "$WORK/cpio.img" | jq -r '.partitiontable.partitions[1].start')
spec="$WORK/cpio.img?offset=$((start * 512))"
e2fsck -fn "$spec" >"$WORK/fsck.log" 2>&1 || { cat "$WORK/fsck.log" >&2; fail "e2fsck: errors in the root"; }
for p in "boot/$kernel" "usr/lib/modules/$version/vmlinuz"; do
        rm -f "$WORK/k"
        debugfs -R "dump /$p $WORK/k" "$spec" >/dev/null 2>&1
        cmp -s "$WORK/k" "$tree/boot/$kernel" || fail "root: /$p is not the kernel"
done
debugfs -R "stat /boot/$kernel" "$spec" 2>/dev/null | grep -q "Links: 2 " || fail "root: /boot/$kernel does not have 2 links"
echo "ok: root: both names hold the kernel, 2 links, e2fsck clean"
