# With an empty root file system (no /sbin/init), the guest's initramfs
# mounts the root by PARTUUID and runs every check itself, then powers off.
# Booted on a virtio-mmio disk, which the rootfs test does not use.
#
# initramfs-checks.sh ARCH PLATFORM
. "$TESTS_DIR/guest/lib.sh"
arch=${1:?usage: initramfs-checks.sh ARCH PLATFORM}
platform=${2:?usage: initramfs-checks.sh ARCH PLATFORM}
need_tools jq sfdisk mtype mdir
build_guest "$arch"
img=$WORK/empty-root-$arch.img
make_guest_image "$arch" "$img" ""
boot_guest "$img" "$arch" "$platform" root-mounted efi root-partuuid esp-visible rtc console devicetree
grep -aq 'VMIMAGE-INFO initramfs: the root has no executable /sbin/init' "$WORK/logs/$platform.log" ||
        fail "$platform: the initramfs did not run the checks itself"
