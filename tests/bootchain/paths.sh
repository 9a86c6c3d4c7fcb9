#!/usr/bin/env bash
# mkvmimage --arch ARCH ROOTFS alone makes an image that boots ROOTFS's own
# init: for one boot path (systemd-boot, grub or uki), the image is built from
# the guest's root tree with no other boot flag than the path's, checked with
# mtools and llvm-readobj, and booted on EDK2 and U-Boot; the guest confirms
# it mounted the image's root partition (root-partuuid) from the root's init.
#   paths.sh ARCH PATH PLATFORM...
. "$TESTS_DIR/bootchain/lib.sh"
. "$TESTS_DIR/uki/pe-read.sh"
arch=$1 path=$2
shift 2
build_guest "$arch"

rootfs=$GUEST/rootfs
flags=()
case $path in
systemd-boot) ;;                    # what --bootloader auto picks for this tree
grub) rootfs_with_grub "$arch" "$WORK/rootfs"; rootfs=$WORK/rootfs; flags=(--bootloader grub) ;;
uki) flags=(--uki --cmdline "panic=-1") ;;
*) fail "unknown boot path $path" ;;
esac

# A relative output path, as a user types it (the boot files are extracted
# beside the output, and must still be found there).
img=$WORK/$arch-$path.img
(cd "$WORK" && SOURCE_DATE_EPOCH=1700000000 "$MKVMIMAGE" --arch "$arch" --seed "$SEED" --owner root \
        "${flags[@]}" "$rootfs" -o "$arch-$path.img") 2>"$WORK/mk.err" ||
        { cat "$WORK/mk.err" >&2; fail "mkvmimage failed"; }
grep -q "boot chain: " "$WORK/mk.err" || fail "mkvmimage did not say which boot chain it chose: $(cat "$WORK/mk.err")"
cat "$WORK/mk.err"

off=$(esp_offset "$img")
partuuid=$(sfdisk --json "$img" | jq -r '.partitiontable.partitions[1].uuid')
mcopy -n -i "$img@@$off" "::EFI/BOOT/${REMOVABLE[$arch]}" "$WORK/boot.efi" || fail "no removable-media bootloader"
case $path in
systemd-boot)
        cmp "$WORK/boot.efi" "$rootfs/usr/lib/systemd/boot/efi/systemd-boot$arch.efi" ||
                fail "${REMOVABLE[$arch]} is not the rootfs's systemd-boot"
        mdir -b -i "$img@@$off" ::loader/entries > "$WORK/entries"
        [ "$(wc -l < "$WORK/entries")" = 1 ] || fail "expected one loader entry: $(cat "$WORK/entries")"
        mtype -i "$img@@$off" "$(head -n 1 "$WORK/entries")" > "$WORK/entry"
        cat "$WORK/entry"
        grep -q "^options root=PARTUUID=${partuuid,,} rw console=ttyAMA0" "$WORK/entry" || fail "entry's options"
        kpath=$(sed -n 's/^linux //p' "$WORK/entry")
        mtype -i "$img@@$off" "::$kpath" >"$WORK/esp-kernel" || fail "cannot read $kpath from the ESP"
        if [ "$arch" = arm ]; then
                check_zimage_heap "$rootfs/boot/vmlinuz" "$WORK/esp-kernel"
        else
                cmp "$WORK/esp-kernel" "$rootfs/boot/vmlinuz" || fail "the ESP's kernel is not the rootfs's"
        fi
        ;;
grub)
        file "$WORK/boot.efi" | grep >/dev/null "EFI application" || fail "GRUB image: $(file "$WORK/boot.efi")"
        mtype -i "$img@@$off" ::EFI/BOOT/grub.cfg > "$WORK/grub.cfg" || fail "no grub.cfg"
        grep -q "root=PARTUUID=${partuuid,,}" "$WORK/grub.cfg" || { cat "$WORK/grub.cfg"; fail "grub.cfg lacks the root"; }
        ;;
uki)
        llvm-readobj --sections "$WORK/boot.efi" > "$WORK/sections" || fail "llvm-readobj cannot read the UKI"
        for s in .linux .initrd .cmdline .osrel; do
                grep -q "Name: $s " "$WORK/sections" || fail "UKI has no $s section"
        done
        ;;
esac

for platform in "$@"; do
        boot_guest "$img" "$arch" "$platform" root-mounted root-partuuid efi esp-visible
done

# Same inputs, seed and SOURCE_DATE_EPOCH: the same image.
SOURCE_DATE_EPOCH=1700000000 "$MKVMIMAGE" -q --arch "$arch" --seed "$SEED" --owner root "${flags[@]}" \
        "$rootfs" -o "$WORK/again.img"
cmp "$img" "$WORK/again.img" || fail "$path: two seeded builds differ"
echo "ok: $path image reproducible"
