# Bad input to mkvmimage-boot: clear messages, exit status 2, nothing booted.
source "$TESTS_DIR/boot/lib.sh"

img=$WORK/disk.img
efi_hello_image "$img" aa64

check() {  # check WANT-STATUS MESSAGE ARGS...
        local want=$1 msg=$2 rc=0
        shift 2
        run_boot "$WORK/out" "$@" || rc=$?
        expect_status "$want" $rc "mkvmimage-boot $*"
        expect_grep "$msg" "$WORK/out"
}

check 2 "cannot open image $WORK/missing.img: No such file or directory" "$WORK/missing.img" --arch aa64
head -c 1M /dev/urandom >"$WORK/random.bin"
check 2 "is not a GPT disk image" "$WORK/random.bin" --arch aa64
echo "hello" >"$WORK/small.txt"
check 2 "is not a disk image" "$WORK/small.txt" --arch aa64
check 2 "is not a disk image (not a regular file)" "$WORK" --arch aa64
# A damaged primary GPT is refused even though the backup is intact: the
# pre-flight reads the GPT with CRCs checked (sfdisk would use the backup).
cp --sparse=always "$img" "$WORK/gptcrc.img"
printf '\x01' | dd of="$WORK/gptcrc.img" bs=1 seek=$((1024 + 40)) conv=notrunc status=none
check 2 "gptcrc.img: the primary GPT is damaged" "$WORK/gptcrc.img" --arch aa64
cp --sparse=always "$img" "$WORK/hdrcrc.img"
printf '\x00\x00\x00\x00' | dd of="$WORK/hdrcrc.img" bs=1 seek=$((512 + 16)) conv=notrunc status=none
check 2 "hdrcrc.img: GPT header CRC is wrong" "$WORK/hdrcrc.img" --arch aa64
check 2 "--arch is required" "$img"
check 2 'unknown architecture "x86"' "$img" --arch x86
check 2 'unknown platform "nonesuch"' "$img" --arch aa64 --platform nonesuch
check 2 "platform arm-edk2-gicv2-pci is for arm, not aa64" "$img" --arch aa64 --platform arm-edk2-gicv2-pci
check 2 "--timeout: not a valid number" "$img" --arch aa64 --timeout soon

# A firmware descriptor that does not parse is an error naming the file.
mkdir "$WORK/fw"
cp /usr/share/qemu/firmware/60-edk2-aarch64.json "$WORK/fw/60-good.json" ||
        fail "no QEMU firmware descriptor: install the Debian package qemu-efi-aarch64"
echo '{ "interface-types": [ "uefi" ' >"$WORK/fw/50-broken.json"
check 2 "firmware descriptor $WORK/fw/50-broken.json does not parse" "$img" --arch aa64 --platform aa64-edk2-gicv3-pci --firmware-dir "$WORK/fw"
# ... and an empty file masks it, as QEMU's descriptor rules say.
: >"$WORK/fw/50-broken.json"
check 0 "PASS aa64-edk2-gicv3-pci" "$img" --arch aa64 --platform aa64-edk2-gicv3-pci --firmware-dir "$WORK/fw"
expect_grep "60-good.json" "$WORK/out"

# Missing firmware or QEMU names the Debian package to install.
mkdir "$WORK/nofw"
check 2 "install the Debian package qemu-efi-aarch64" "$img" --arch aa64 --platform aa64-edk2-gicv3-pci --firmware-dir "$WORK/nofw"
check 2 "install the Debian package u-boot-qemu" "$img" --arch aa64 --platform aa64-uboot-gicv3-pci --uboot "$WORK/no-u-boot.bin"
rc=0
PATH=/nonexistent "$BOOT" "$img" --arch aa64 >"$WORK/out" 2>&1 || rc=$?
cat "$WORK/out"
expect_status 2 $rc "without QEMU in PATH"
expect_grep "qemu-system-aarch64 not found in PATH: install the Debian package qemu-system-arm" "$WORK/out"
echo "ok: CLI errors are clear"
