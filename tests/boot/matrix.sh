# efi-hello boots on every cell of the platform matrix (--platform all), for
# both architectures: every GIC version, disk transport, ACPI setting and CPU.
source "$TESTS_DIR/boot/lib.sh"

for arch in aa64 arm; do
        img=$WORK/$arch.img
        efi_hello_image "$img" "$arch"
        cells=$("$BOOT" --list-platforms | awk -v a="$arch" '$2 == a' | wc -l)
        [ "$cells" -ge 8 ] || fail "only $cells cells for $arch"
        rc=0
        run_boot "$WORK/out-$arch" "$img" --arch "$arch" --platform all --log-dir "$WORK/logs" || rc=$?
        expect_status 0 $rc "--platform all for $arch"
        [ "$(grep -c '^PASS ' "$WORK/out-$arch")" -eq "$cells" ] || fail "$arch: not every cell passed"
        for log in "$WORK"/logs/$arch-*.log; do
                expect_grep MKVMIMAGE-BOOT-OK "$log"
        done
done
# The mmio cells really used virtio-mmio: EDK2 names the transport in the device path.
grep -q "MKVMIMAGE-DEVICE: VenHw(" "$WORK/logs/aa64-edk2-gicv3-mmio.log" ||
        fail "aa64-edk2-gicv3-mmio: not booted from a virtio-mmio device"
grep -q "MKVMIMAGE-DEVICE: PciRoot(" "$WORK/logs/aa64-edk2-gicv3-pci.log" ||
        fail "aa64-edk2-gicv3-pci: not booted from a PCI device"
echo "ok: the whole matrix boots"
