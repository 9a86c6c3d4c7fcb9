#!/usr/bin/env bash
# The output inside ROOTFS (`mkvmimage ... . -o ./disk.img`): the root holds
# neither mkvmimage's temporary files nor the image it replaces.
. "$TESTS_DIR/harden/output-lib.sh"
make_root "$WORK/root"

(cd "$WORK/root" && "$MKVMIMAGE" -q --arch aa64 . -o ./disk.img) || fail "output inside ROOTFS failed"
check_root "$WORK/root/disk.img"
debugfs -R 'ls -p /' "$WORK/root.ext4" 2>/dev/null | awk -F/ '{print $6}' | sed '/^$/d' | sort > "$WORK/names"
[ "$(tr '\n' ' ' < "$WORK/names")" = ". .. boot etc lost+found usr " ] ||
        fail "the root's / holds $(tr '\n' ' ' < "$WORK/names")"
pass "output inside ROOTFS: / holds only the tree"

# Again with -f: the old image is not copied into the new one either.
(cd "$WORK/root" && "$MKVMIMAGE" -q --arch aa64 -f . -o disk.img) || fail "-f inside ROOTFS failed"
check_root "$WORK/root/disk.img"
debugfs -R 'ls -p /' "$WORK/root.ext4" 2>/dev/null | awk -F/ '{print $6}' | sed '/^$/d' | sort > "$WORK/names"
[ "$(tr '\n' ' ' < "$WORK/names")" = ". .. boot etc lost+found usr " ] ||
        fail "with -f, the root's / holds $(tr '\n' ' ' < "$WORK/names")"
only_in "$WORK/root" boot disk.img etc usr
pass "-f inside ROOTFS: the old image is not in the new one"
