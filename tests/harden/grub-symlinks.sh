#!/usr/bin/env bash
# Issue 11, item 1: GRUB's module directory in ROOTFS is handed to
# grub-mkimage as regular files only, its symlinks resolved inside ROOTFS.
# A module that is a symlink to a host file, a link climbing out with "..",
# modinfo.sh -> /dev/zero, kernel.img -> a FIFO, a module that is a
# directory: each is an error naming /usr/lib/grub/arm64-efi/NAME, quickly,
# with no output, and the host file's text is in nothing written. A link
# that stays inside ROOTFS still works.
. "$TESTS_DIR/harden/grub-lib.sh"

secret="MKVM-SECRET-$RANDOM$RANDOM-not-for-the-image"
echo "$secret" > "$WORK/secret"
mkfifo "$WORK/fifo"
out=$WORK/out
# extcmd.mod: not one grub.c checks itself, but a dependency (moddep.lst)
# that grub-mkimage reads and puts in the image.
run() { timeout 60 "$MKVMIMAGE" --seed "$SEED" --arch aa64 --bootloader grub "$1" -o "$out/disk.img"; }
no_secret() {
        ! grep -rqaF -- "$secret" "$out" "$WORK/out.txt" "$WORK/err.txt" || fail "$1: the host file's text was written"
}

make_root "$WORK/r1" grub
ln -sf "$WORK/secret" "$WORK/r1/$GRUB_DIR/extcmd.mod"
refused "module -> host file" "/$GRUB_DIR/extcmd.mod: a symlink to nothing the root file system holds" "$out" run "$WORK/r1"
no_secret "module -> host file"

make_root "$WORK/r2" grub
ln -sf "../../../../../../../../../..$WORK/secret" "$WORK/r2/$GRUB_DIR/extcmd.mod"
refused "module -> ../../.. out of the tree" "/$GRUB_DIR/extcmd.mod: a symlink to nothing the root file system holds" "$out" run "$WORK/r2"
no_secret "module -> ../../.."

make_root "$WORK/r3" grub
ln -sf /dev/zero "$WORK/r3/$GRUB_DIR/modinfo.sh"
# Memory capped, so that a reader that does not stop fails instead of
# taking the machine's (not under ASan, which reserves terabytes of shadow).
vlimit=4000000
! grep -qa __asan_init "$MKVMIMAGE" || vlimit=unlimited
refused "modinfo.sh -> /dev/zero" "/$GRUB_DIR/modinfo.sh: a symlink to nothing the root file system holds" "$out" \
        bash -c 'ulimit -v "$0"; exec "$@"' "$vlimit" timeout 60 "$MKVMIMAGE" --seed "$SEED" --arch aa64 --bootloader grub "$WORK/r3" -o "$out/disk.img"

make_root "$WORK/r4" grub
ln -sf "$WORK/fifo" "$WORK/r4/$GRUB_DIR/kernel.img"
refused "kernel.img -> FIFO" "/$GRUB_DIR/kernel.img: a symlink to nothing the root file system holds" "$out" run "$WORK/r4"

# A FIFO inside the tree, too.
make_root "$WORK/r5" grub
mkfifo "$WORK/r5/fifo"
ln -sf /fifo "$WORK/r5/$GRUB_DIR/kernel.img"
refused "kernel.img -> FIFO in the tree" "/$GRUB_DIR/kernel.img: a symlink to nothing the root file system holds" "$out" run "$WORK/r5"

make_root "$WORK/r6" grub
ln -sf "/$GRUB_DIR" "$WORK/r6/$GRUB_DIR/extcmd.mod"
refused "module -> directory" "/$GRUB_DIR/extcmd.mod is not a regular file" "$out" run "$WORK/r6"

# The same from an archive: the stream is the same.
tar -C "$WORK/r1" -cf "$WORK/r1.tar" .
refused "module -> host file, in a tar" "/$GRUB_DIR/extcmd.mod: a symlink to nothing the root file system holds" "$out" run "$WORK/r1.tar"
no_secret "module -> host file, in a tar"

# Links inside the tree resolve inside it: absolute and relative.
make_root "$WORK/ok" grub
mv "$WORK/ok/$GRUB_DIR/extcmd.mod" "$WORK/ok/$GRUB_DIR/extcmd-real.mod"
ln -s "/$GRUB_DIR/extcmd-real.mod" "$WORK/ok/$GRUB_DIR/extcmd.mod"
ln -sf normal.mod "$WORK/ok/$GRUB_DIR/normal-alias.mod"
rm -rf "$out" && mkdir -p "$out"
run "$WORK/ok" 2>"$WORK/err.txt" || fail "links inside the tree: $(cat "$WORK/err.txt")"
esp_cat "$out/disk.img" EFI/BOOT/BOOTAA64.EFI > "$WORK/grub.efi"
cmp -s <(head -c 2 "$WORK/grub.efi") <(printf MZ) || fail "links inside the tree: BOOTAA64.EFI is not a PE file"
[ "$(ls -A "$out")" = disk.img ] || fail "links inside the tree: left $(ls -A "$out")"
echo "ok: links inside the tree"
