# An ESP without \EFI\BOOT\BOOTAA64.EFI: FAIL with "no bootloader" before any
# boot, and, booted anyway, both firmwares' own failure is recognised by name
# at once (long before the timeout).
source "$TESTS_DIR/boot/lib.sh"

img=$WORK/disk.img
make_esp_image "$img"

rc=0
run_boot "$WORK/out" "$img" --arch aa64 || rc=$?
expect_status 1 $rc "image without bootloader"
[ "$(grep -c '^FAIL .*no bootloader: \\EFI\\BOOT\\BOOTAA64.EFI is missing' "$WORK/out")" -eq 2 ] ||
        fail "expected both default platforms to FAIL with \"no bootloader\""

rc=0
start=$SECONDS
run_boot "$WORK/out2" "$img" --arch aa64 --boot-anyway --timeout 100 --log-dir "$WORK/logs" || rc=$?
expect_status 1 $rc "image without bootloader, booted anyway"
expect_grep '^FAIL aa64-edk2-gicv3-pci: EDK2 could not load the boot option: Not Found' "$WORK/out2"
expect_grep '^FAIL aa64-uboot-gicv3-pci: U-Boot found nothing to boot ("Cannot load any image"' "$WORK/out2"
[ $((SECONDS - start)) -lt 60 ] || fail "the failures were not recognised before the timeout"
echo "ok: no bootloader is FAIL with the reason"
