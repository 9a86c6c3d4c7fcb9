# A unified kernel image as the image's only bootloader boots the Linux test
# guest: systemd-stub, kernel, initrd and command line (root=PARTUUID of the
# image's root partition) assembled by uki_build() and placed by mkvmimage
# at \EFI\BOOT\BOOT<ARCH>.EFI, with no loader configuration on the ESP.
# QEMU + EDK2 / U-Boot boot it; the guest's own checks (root mounted by the
# PARTUUID from the UKI's .cmdline, ESP, UEFI, RTC, console) are the verdict.
#
# boot.sh UKIBUILD ARCH PLATFORM...   (cells of mkvmimage-boot --list-platforms)
. "$TESTS_DIR/guest/lib.sh"
ukibuild=${1:?usage: boot.sh UKIBUILD ARCH PLATFORM...}
arch=${2:?usage: boot.sh UKIBUILD ARCH PLATFORM...}
shift 2
[ $# -gt 0 ] || fail "name the platforms to boot on"
need_tools jq sfdisk mtype mdir cmp

build_guest "$arch"
uuid=$(root_partuuid "$arch" "$GUEST/rootfs")
stub=$GUEST/rootfs/usr/lib/systemd/boot/efi/linux$arch.efi.stub
[ -f "$stub" ] || fail "the guest's root has no $stub"
"$ukibuild" --arch "$arch" --stub "$stub" --kernel "$GUEST/vmlinuz" --initrd "$GUEST/initrd.img" \
        --cmdline "root=PARTUUID=${uuid,,} rw $(cat "$GUEST/cmdline")" \
        --os-release "$GUEST/rootfs/etc/os-release" --uname "$(cat "$GUEST/version")" \
        -o "$WORK/uki.efi" || fail "ukibuild failed"

img=$WORK/uki-$arch.img
"$MKVMIMAGE" --arch "$arch" --layout vmspec --seed "$SEED" --bootloader "$WORK/uki.efi" \
        --owner root -q -f -o "$img" "$GUEST/rootfs" || fail "mkvmimage failed"
got=$(sfdisk --json "$img" | jq -r '.partitiontable.partitions[1].uuid')
[ "$got" = "$uuid" ] || fail "the root partition is $got, the UKI's command line names $uuid"
off=$(( $(sfdisk --json "$img" | jq -r '.partitiontable.partitions[0].start') * 512 ))
mtype -i "$img@@$off" "::EFI/BOOT/${REMOVABLE[$arch]}" >"$WORK/on-esp" || fail "no \\EFI\\BOOT\\${REMOVABLE[$arch]}"
cmp "$WORK/on-esp" "$WORK/uki.efi" || fail "\\EFI\\BOOT\\${REMOVABLE[$arch]} is not the UKI"
! mdir -i "$img@@$off" ::loader >/dev/null 2>&1 || fail "the ESP has a loader/ directory: the UKI needs none"

boot_to_root_init "$img" "$arch" "$@"
