#!/usr/bin/env bash
# -f over a symlink writes through it only to a regular file (the link is
# kept); a link to a FIFO or a device, or a dangling link, is never replaced,
# and without -f a dangling link gets an accurate message.
. "$TESTS_DIR/harden/output-lib.sh"
out=$WORK/out
mkdir -p "$out"
mk() { "$MKVMIMAGE" -q --arch aa64 --bootloader "$SB" "$@"; }

# To a regular file: written through, the link stays a link.
echo old > "$WORK/target.img"
ln -s ../target.img "$out/disk.img"
rc=0; mk -o "$out/disk.img" 2>"$WORK/err" || rc=$?
[ $rc -ne 0 ] && grep -q "already exists" "$WORK/err" || fail "symlink without -f: rc=$rc $(cat "$WORK/err")"
[ "$(cat "$WORK/target.img")" = old ] || fail "symlink without -f: target changed"
mk -f -o "$out/disk.img" || fail "-f over a symlink to a regular file failed"
[ -L "$out/disk.img" ] || fail "-f replaced the symlink itself"
sgdisk -v "$WORK/target.img" | grep -q "No problems found" || fail "the link's target is not the image"
only_in "$out" disk.img
pass "-f over a symlink to a regular file: written through, link kept"

# To a FIFO and to a device: refused, both untouched.
mkfifo "$WORK/fifo"
mknod "$WORK/null" c 1 3 || fail "mknod (the tests run as root)"
for t in fifo null; do
        rm -f "$out/disk.img"
        ln -s "$WORK/$t" "$out/disk.img"
        rc=0; timeout 20 "$MKVMIMAGE" -q --arch aa64 --bootloader "$SB" -f -o "$out/disk.img" 2>"$WORK/err" || rc=$?
        [ $rc -ne 0 ] && [ $rc -ne 124 ] || fail "-f over a link to a $t: rc=$rc"
        grep -q "not a regular file" "$WORK/err" || fail "-f over a link to a $t: $(cat "$WORK/err")"
        [ -L "$out/disk.img" ] || fail "-f over a link to a $t: link replaced"
        case $t in fifo) [ -p "$WORK/fifo" ] ;; null) [ -c "$WORK/null" ] ;; esac || fail "$t replaced"
        only_in "$out" disk.img
        pass "-f over a link to a $t: refused ($(tail -n1 "$WORK/err"))"
done

# Dangling: an accurate message with or without -f, the link untouched.
rm -f "$out/disk.img"
ln -s "$WORK/nowhere/x.img" "$out/disk.img"
for force in "" -f; do
        rc=0; mk $force -o "$out/disk.img" 2>"$WORK/err" || rc=$?
        [ $rc -ne 0 ] || fail "dangling link $force: exit 0"
        grep -q "symlink to $WORK/nowhere/x.img, which does not exist" "$WORK/err" ||
                fail "dangling link $force: inaccurate message: $(cat "$WORK/err")"
        [ "$(readlink "$out/disk.img")" = "$WORK/nowhere/x.img" ] || fail "dangling link $force: link changed"
        [ ! -e "$WORK/nowhere" ] || fail "dangling link $force: created its target"
        only_in "$out" disk.img
        pass "dangling link ${force:-without -f}: $(tail -n1 "$WORK/err")"
done
