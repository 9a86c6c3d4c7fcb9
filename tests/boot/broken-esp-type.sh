# The FAT partition holding the bootloader has the Linux data type instead of
# the ESP type. Both firmwares would boot it anyway (they look at any FAT
# partition), so only the pre-flight check can catch it: FAIL, naming the type.
source "$TESTS_DIR/boot/lib.sh"

img=$WORK/disk.img
make_esp_image "$img" "$LINUX_DATA_TYPE"
esp_put "$img" "$EFI_HELLO_AA64" BOOTAA64.EFI
sgdisk -i 1 "$img" | grep >/dev/null "$LINUX_DATA_TYPE" || fail "sgdisk does not see the Linux data type"

rc=0
run_boot "$WORK/out" "$img" --arch aa64 || rc=$?
expect_status 1 $rc "ESP with the wrong type GUID"
[ "$(grep -c "^FAIL .*no EFI System Partition (type $ESP_TYPE) in the GPT (partitions 1: $LINUX_DATA_TYPE)" "$WORK/out")" -eq 2 ] ||
        fail "expected both default platforms to FAIL with \"no EFI System Partition\""
echo "ok: wrong ESP type is FAIL with the reason"
