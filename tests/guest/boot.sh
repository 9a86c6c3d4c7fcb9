# The Linux guest boots from a mkvmimage image on EDK2 and on U-Boot: the
# image is the vmspec layout, its root filled from the guest's root tree,
# its ESP a systemd-boot tree (make-esp-tree) naming the root partition by
# the PARTUUID mkvmimage planned; QEMU + the firmware boot it, and the guest
# reports from inside (root mounted by PARTUUID, ESP, UEFI, RTC, console,
# device tree or ACPI) through the rootfs's own /sbin/init.
#
# boot.sh ARCH PLATFORM...   (cells of mkvmimage-boot --list)
. "$TESTS_DIR/guest/lib.sh"
arch=${1:?usage: boot.sh aa64|arm PLATFORM...}
shift
[ $# -gt 0 ] || fail "name the platforms to boot on"
need_tools jq sfdisk mtype mdir
build_guest "$arch"
img=$WORK/guest-$arch.img
make_guest_image "$arch" "$img" "$GUEST/rootfs"

boot_to_root_init "$img" "$arch" "$@"
