# An arm image whose BOOTARM.EFI is really the aa64 application: FAIL saying
# the bootloader is for another architecture; booted anyway, EDK2's
# "Unsupported" and U-Boot's "Machine type ... is not supported" are recognised.
source "$TESTS_DIR/boot/lib.sh"

img=$WORK/disk.img
make_esp_image "$img"
esp_put "$img" "$EFI_HELLO_AA64" BOOTARM.EFI

rc=0
run_boot "$WORK/out" "$img" --arch arm || rc=$?
expect_status 1 $rc "wrong-arch bootloader"
[ "$(grep -c '^FAIL .*BOOTARM.EFI is a PE for aa64 (machine 0xAA64), not arm: bootloader is for another architecture' "$WORK/out")" -eq 2 ] ||
        fail "expected both default platforms to FAIL naming the architecture"

rc=0
run_boot "$WORK/out2" "$img" --arch arm --boot-anyway --log-dir "$WORK/logs" || rc=$?
expect_status 1 $rc "wrong-arch bootloader, booted anyway"
expect_grep '^FAIL arm-edk2-gicv2-pci: EDK2 could not load the boot option: Unsupported (bootloader for another architecture?)' "$WORK/out2"
expect_grep '^FAIL arm-uboot-gicv2-pci: U-Boot refused the bootloader: bootloader is for another architecture ("Machine type 0xaa64 is not supported")' "$WORK/out2"

# The other way round: an aa64 image holding only BOOTARM.EFI.
make_esp_image "$img"
esp_put "$img" "$EFI_HELLO_ARM" BOOTARM.EFI
rc=0
run_boot "$WORK/out3" "$img" --arch aa64 || rc=$?
expect_status 1 $rc "aa64 image with only BOOTARM.EFI"
expect_grep 'no \\EFI\\BOOT\\BOOTAA64.EFI in the ESP, only \\EFI\\BOOT\\BOOTARM.EFI: bootloader is for another architecture (arm)' "$WORK/out3"
echo "ok: wrong-arch bootloader is FAIL with the reason"
