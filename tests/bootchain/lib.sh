# Helpers for the boot-chain tests (sourced): the Linux test guest's root
# tree (qemu-test/guest) is what mkvmimage gets as ROOTFS; it carries the
# kernel, initrd, systemd-boot and systemd's stub, and (added here from
# Debian's package) GRUB's EFI modules.
. "$TESTS_DIR/guest/lib.sh"

declare -A DEBIAN_ARCH=([aa64]=arm64 [arm]=armhf)
declare -A GRUB_PKG=([aa64]=grub-efi-arm64-bin [arm]=grub-efi-arm-bin)
declare -A GRUB_FMT=([aa64]=arm64-efi [arm]=arm-efi)

# rootfs_with_grub ARCH DIR: a copy of the guest's root tree plus GRUB's modules.
rootfs_with_grub() {
        local arch=$1 dir=$2 pkg
        pkg=$("$TESTS_DIR/fixtures/fetch-debian-packages" "${DEBIAN_ARCH[$arch]}" "${GRUB_PKG[$arch]}") ||
                fail "cannot fetch ${GRUB_PKG[$arch]}"
        rm -rf "$dir"
        cp -a "$GUEST/rootfs" "$dir"
        mkdir -p "$dir/usr/lib/grub"
        cp -a "$pkg/usr/lib/grub/${GRUB_FMT[$arch]}" "$dir/usr/lib/grub/"
}

# esp_offset IMG: byte offset of partition 1.
esp_offset() { echo $(( $(sfdisk --json "$1" | jq -r '.partitiontable.partitions[0].start') * 512 )); }
