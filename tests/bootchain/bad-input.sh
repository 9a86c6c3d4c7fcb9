#!/usr/bin/env bash
# Boot-chain inputs that cannot boot get a clear error, a non-zero exit and
# no output file.
. "$TESTS_DIR/bootchain/lib.sh"
build_guest aa64
aa64_guest=$GUEST
build_guest arm
arm_guest=$GUEST

out=$WORK/out
check() {   # check WHAT PATTERN ARGS...
        local what=$1 pattern=$2 rc=0
        shift 2
        rm -rf "$out" && mkdir -p "$out"
        "$@" -o "$out/disk.img" 2>"$WORK/err" >/dev/null || rc=$?
        [ $rc -ne 0 ] || fail "$what: exit status 0"
        grep -Eq -- "$pattern" "$WORK/err" || fail "$what: message does not match /$pattern/: $(cat "$WORK/err")"
        [ -z "$(ls -A "$out")" ] || fail "$what: left $(ls -A "$out")"
        echo "ok: $what: $(grep -v '^boot chain' "$WORK/err" | tail -n 1)"
}
mk() { "$MKVMIMAGE" -q --seed "$SEED" "$@"; }
copy() { rm -rf "$WORK/$2"; cp -a "$1/rootfs" "$WORK/$2"; echo "$WORK/$2"; }

r=$(copy "$aa64_guest" nokernel); rm -f "$r"/boot/vmlinuz*
check "no kernel" "no kernel in the root file system: looked for boot/vmlinuz and boot/vmlinuz-VERSION" mk --arch aa64 "$r"

r=$(copy "$aa64_guest" nostub); rm -f "$r"/boot/vmlinuz*; echo "not a kernel" > "$r/boot/vmlinuz-9.9"
check "kernel without EFI stub" "has no EFI stub for aa64: it cannot boot from UEFI" mk --arch aa64 "$r"

r=$(copy "$arm_guest" wrongarch); cp "$aa64_guest/rootfs/usr/lib/systemd/boot/efi/systemd-bootaa64.efi" "$r/usr/lib/systemd/boot/efi/systemd-bootarm.efi"
check "bootloader of the wrong arch" "PE machine is 0xAA64 \(AArch64\), expected 0x01C2" mk --arch arm "$r"

check "arm kernel for aa64" "kernel .* has no EFI stub for aa64|PE machine" mk --arch aa64 "$arm_guest/rootfs"

r=$(copy "$aa64_guest" nostubfile); rm -f "$r"/usr/lib/systemd/boot/efi/linux*.efi.stub
check "--uki without a stub" "--uki needs systemd's EFI stub: no /usr/lib/systemd/boot/efi/linuxaa64.efi.stub" mk --arch aa64 --uki "$r"

check "--bootloader grub without modules" "GRUB: no /usr/lib/grub/arm64-efi in the root file system \(install grub-efi-arm64-bin in it\)" \
        mk --arch aa64 --bootloader grub "$aa64_guest/rootfs"

GUEST=$aa64_guest rootfs_with_grub aa64 "$WORK/grub"
check "grub-mkimage missing" "grub-mkimage.*grub-common" env PATH="$WORK/empty" "$MKVMIMAGE" -q --arch aa64 --bootloader grub "$WORK/grub"

check "ESP too small for kernel + initrd" "partition 'ESP' is 33 MiB but its content needs [0-9.]+ MiB: make it larger \(--esp-size\)" \
        mk --arch aa64 --esp-size 33MiB "$aa64_guest/rootfs"

check "--kernel not in the rootfs" "--kernel /boot/nope: not a file in the root file system" \
        mk --arch aa64 --kernel /boot/nope "$aa64_guest/rootfs"

# A symlink in the tree pointing out of it is resolved inside the tree, never on the host.
# Followed on the host, this link would find a valid aa64 EFI application.
r=$(copy "$aa64_guest" escape); rm -f "$r"/boot/vmlinuz*; ln -s "$BUILD_DIR/qemu-test/efi-hello-aa64.efi" "$r/boot/vmlinuz"
check "kernel symlink out of the tree" "no kernel in the root file system" mk --arch aa64 "$r"
