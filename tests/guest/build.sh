# build-linux-guest ARCH: the guest's kernel, initramfs and root tree are
# what they claim to be, checked with file, cpio, modinfo and the tree
# itself; a second run reuses the output.
. "$TESTS_DIR/guest/lib.sh"
arch=${1:?usage: build.sh aa64|arm}
need_tools file cpio gzip modinfo jq
build_guest "$arch"
version=$(cat "$GUEST/version")
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+-[0-9]+-(arm64|armmp)$ ]] || fail "odd kernel version '$version'"

# The kernel: an EFI-stub kernel of the arch (file(1) names the boot format;
# the PE header is what UEFI loads).
case $arch in
aa64) file -b "$GUEST/vmlinuz" | grep >/dev/null 'ARM64 boot executable Image' || fail "vmlinuz is not an arm64 Image: $(file -b "$GUEST/vmlinuz")" ;;
arm) file -b "$GUEST/vmlinuz" | grep >/dev/null 'ARM boot executable zImage' || fail "vmlinuz is not an ARM zImage: $(file -b "$GUEST/vmlinuz")" ;;
esac
[ "$(head -c 2 "$GUEST/vmlinuz")" = MZ ] || fail "vmlinuz has no MZ header: no EFI stub"

# The initramfs: newc cpio, gzip, with init, busybox, modules.dep naming
# every module the root needs, and the modules themselves.
gzip -t "$GUEST/initrd.img" || fail "initrd.img is not gzip"
mkdir "$WORK/ird"
(cd "$WORK/ird" && gzip -dc "$GUEST/initrd.img" | cpio --quiet -i -d -H newc) || fail "initrd.img is not a newc cpio archive"
[ -x "$WORK/ird/init" ] || fail "initramfs has no executable /init"
[ -x "$WORK/ird/bin/busybox" ] && [ -L "$WORK/ird/sbin/switch_root" ] && [ -L "$WORK/ird/bin/sh" ] ||
        fail "initramfs lacks busybox or its links"
[ -f "$WORK/ird/lib/vmimage/checks.sh" ] || fail "initramfs lacks lib/vmimage/checks.sh"
dep=$WORK/ird/lib/modules/$version/modules.dep
[ -s "$dep" ] || fail "initramfs has no modules.dep for $version"
for m in virtio_pci virtio_mmio virtio_blk ext4 jbd2 mbcache crc16 crc32c_generic vfat fat nls_cp437 nls_ascii efivarfs; do
        path=$(grep -o "^[^:]*/${m//_/[_-]}\.ko:" "$dep" | tr -d :) || fail "module $m is not in modules.dep"
        f=$WORK/ird/lib/modules/$version/$path
        [ -f "$f" ] || fail "modules.dep names $path but the initramfs lacks it"
        [ "$(modinfo -F vermagic "$f" | cut -d' ' -f1)" = "$version" ] || fail "$path is not built for $version"
        # every dependency modinfo names is in the initramfs too
        for d in $(modinfo -F depends "$f" | tr , ' '); do
                grep -q "/${d//_/[_-]}\.ko:" "$dep" || fail "$m needs $d, which the initramfs lacks"
        done
done
grep -q '^kernel/fs/ext4/ext4.ko:.*jbd2.ko' "$dep" || fail "modules.dep does not give ext4's dependency on jbd2"

# The root tree.
r=$GUEST/rootfs
[ -x "$r/sbin/init" ] && head -n 1 "$r/sbin/init" | grep >/dev/null '^#!/bin/sh' || fail "rootfs has no /sbin/init script"
[ -x "$r/bin/busybox" ] && [ "$(readlink "$r/bin/sh")" = busybox ] && [ -e "$r/sbin/poweroff" ] || fail "rootfs lacks busybox links"
cmp -s "$r/boot/vmlinuz-$version" "$GUEST/vmlinuz" || fail "rootfs /boot/vmlinuz-$version differs from vmlinuz"
cmp -s "$r/boot/initrd.img-$version" "$GUEST/initrd.img" || fail "rootfs /boot/initrd.img-$version differs"
[ "$(readlink "$r/boot/vmlinuz")" = "vmlinuz-$version" ] && [ "$(readlink "$r/boot/initrd.img")" = "initrd.img-$version" ] ||
        fail "rootfs /boot links are wrong"
efi=$arch   # systemd-boot names its files by the EFI arch name: aa64, arm
for f in "systemd-boot$efi.efi" "linux$efi.efi.stub"; do
        file -b "$r/usr/lib/systemd/boot/efi/$f" | grep >/dev/null 'PE32.*EFI application' ||
                fail "rootfs usr/lib/systemd/boot/efi/$f is not an EFI application: $(file -b "$r/usr/lib/systemd/boot/efi/$f" 2>&1)"
done
[ -s "$r/lib/modules/$version/modules.dep" ] || fail "rootfs has no modules.dep"
grep -q '^ID=' "$r/etc/os-release" || fail "rootfs has no /etc/os-release"

# Cached: a second run does nothing and says so.
out=$("$GUEST_SCRIPTS/build-linux-guest" "$arch" "$GUEST" 2>&1) || fail "second run failed: $out"
grep -q 'up to date' <<<"$out" || fail "second run rebuilt the guest: $out"

# Reproducible: a fresh build elsewhere gives the same initramfs bytes.
"$GUEST_SCRIPTS/build-linux-guest" "$arch" "$WORK/again" 2>/dev/null || fail "second build failed"
cmp "$GUEST/initrd.img" "$WORK/again/initrd.img" || fail "initrd.img differs between two builds"

# Bad input.
if "$GUEST_SCRIPTS/build-linux-guest" x86 "$WORK/bad" 2>"$WORK/err"; then fail "arch x86 accepted"; fi
grep -q "unknown arch" "$WORK/err" || fail "no clear error for a bad arch: $(cat "$WORK/err")"
if "$GUEST_SCRIPTS/make-esp-tree" "$arch" "$GUEST" not-a-guid "$WORK/esp" 2>"$WORK/err"; then fail "make-esp-tree accepted a bad PARTUUID"; fi
grep -q "not a partition GUID" "$WORK/err" || fail "no clear error for a bad PARTUUID: $(cat "$WORK/err")"
echo "guest $arch: kernel $version, initrd $(stat -c %s "$GUEST/initrd.img") bytes"
