# The Linux test guest boots through GRUB from a mkvmimage image: the root
# tree (the guest's, plus Debian's GRUB modules in usr/lib/grub/FORMAT as a
# distro root carries them) becomes the ext4 root; GRUB is built from those
# modules with grub_build_image() for the root UUID mkvmimage plans
# (--print-plan=json), placed with --bootloader, and grub_config()'s
# grub.cfg goes to EFI/BOOT/ through --esp-dir. Kernel and initrd stay in
# the root's /boot. The ESP and root are read back with mtools, blkid and
# sfdisk, then QEMU + EDK2 / U-Boot boot it; the guest checks from inside
# that it mounted the planned root, and the kernel's own "Kernel command
# line:" shows GRUB loaded it (BOOT_IMAGE=) with the words as written.
#
# boot.sh GRUBBUILD ARCH PLATFORM...   (cells of mkvmimage-boot --list)
set -euo pipefail
GRUBBUILD=$1
shift
. "$TESTS_DIR/guest/lib.sh"
. "$TESTS_DIR/grub/lib.sh"
arch=${1:?usage: boot.sh GRUBBUILD aa64|arm PLATFORM...}
shift
[ $# -gt 0 ] || fail "name the platforms to boot on"
need_tools jq sfdisk mtype mcopy blkid cmp grub-mkimage
fmt=${GRUB_FORMAT[$arch]}

build_guest "$arch"
version=$(cat "$GUEST/version")
rootfs=$WORK/rootfs
cp -a "$GUEST/rootfs" "$rootfs"
mkdir -p "$rootfs/usr/lib/grub"
cp -a "$(grub_modules "$arch")" "$rootfs/usr/lib/grub/$fmt"

img=$WORK/grub-$arch.img
plan=$("$MKVMIMAGE" --arch "$arch" --layout vmspec --seed "$SEED" --print-plan=json -o "$img" "$rootfs") ||
        fail "mkvmimage --print-plan=json failed"
partuuid=$(jq -r '.partitions[] | select(.kind == "root") | .partuuid' <<<"$plan")
fs_uuid=$(jq -r '.partitions[] | select(.kind == "root") | .fs_uuid' <<<"$plan")
[[ $partuuid =~ ^[0-9A-F-]{36}$ && $fs_uuid =~ ^[0-9A-Fa-f-]{36}$ ]] ||
        fail "no root PARTUUID/fs_uuid in the plan: $plan"

# The guest's options, plus a word GRUB must hand over with its blank.
cmdline="root=PARTUUID=${partuuid,,} rw $(cat "$GUEST/cmdline") vmimage.grub=\"two words\""
start=$(date +%s.%N)
"$GRUBBUILD" image "$rootfs/usr/lib/grub/$fmt" "$fmt" "$fs_uuid" "$WORK/grub.efi" || fail "grub_build_image failed"
esp_path=$("$GRUBBUILD" config "$WORK/grub.cfg" "$fs_uuid" "/boot/vmlinuz-$version" "/boot/initrd.img-$version" \
        "$cmdline" "mkvmimage GRUB test ($arch, it's GRUB)") || fail "grub_config failed"
echo "TIMING grub image + config $arch: $(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f", b - a }') s"
mkdir -p "$WORK/esp/$(dirname "$esp_path")"
cp "$WORK/grub.cfg" "$WORK/esp/$esp_path"

"$MKVMIMAGE" --arch "$arch" --layout vmspec --seed "$SEED" --bootloader "$WORK/grub.efi" --esp-dir "$WORK/esp" \
        -q -f -o "$img" --owner root "$rootfs" || fail "mkvmimage failed"

# Read the image back with tools we did not write.
parts=$(sfdisk --json "$img")
got=$(jq -r '.partitiontable.partitions[1] | "\(.type) \(.uuid)"' <<<"$parts")
[ "$got" = "${ROOT_TYPE[$arch]} $partuuid" ] || fail "partition 2 is '$got', expected ${ROOT_TYPE[$arch]} $partuuid"
esp_off=$(( $(jq -r '.partitiontable.partitions[0].start' <<<"$parts") * 512 ))
root_off=$(( $(jq -r '.partitiontable.partitions[1].start' <<<"$parts") * 512 ))
got=$(blkid -p -O "$root_off" -s UUID -o value "$img")
[ "${got,,}" = "${fs_uuid,,}" ] || fail "the root's ext4 UUID is '$got', GRUB searches $fs_uuid"
mcopy -n -i "$img@@$esp_off" "::EFI/BOOT/${REMOVABLE[$arch]}" "$WORK/esp-boot.efi" || fail "no \\EFI\\BOOT\\${REMOVABLE[$arch]}"
cmp "$WORK/grub.efi" "$WORK/esp-boot.efi" || fail "\\EFI\\BOOT\\${REMOVABLE[$arch]} is not the GRUB image"
mtype -i "$img@@$esp_off" "::$esp_path" >"$WORK/esp-grub.cfg" || fail "no $esp_path on the ESP"
cmp "$WORK/grub.cfg" "$WORK/esp-grub.cfg" || fail "$esp_path on the ESP differs from grub_config()'s text"
debugfs -R "stat /boot/vmlinuz-$version" "$img?offset=$root_off" 2>/dev/null | grep >/dev/null 'Type: regular' ||
        fail "the root has no /boot/vmlinuz-$version"

want="Kernel command line: BOOT_IMAGE=/boot/vmlinuz-$version root=PARTUUID=${partuuid,,} rw $(cat "$GUEST/cmdline") \"vmimage.grub=two words\""
for platform in "$@"; do
        boot_guest "$img" "$arch" "$platform" root-mounted root-partuuid efi esp-visible console
        log=$WORK/logs/$platform.log
        grep -aqF "$want" "$log" ||
                fail "$platform: the kernel did not report '$want' (got: $(grep -a 'Kernel command line' "$log" | tr -d '\r'))"
        grep -aq 'VMIMAGE-INFO init: /sbin/init of the root file system' "$log" ||
                fail "$platform: the guest did not switch to the root's /sbin/init"
        echo "ok: $platform booted through GRUB"
done
