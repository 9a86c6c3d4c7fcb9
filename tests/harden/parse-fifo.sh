# Every input that must be a regular file is refused at once, by name, when
# it is a FIFO without a writer (issue 11, item 18): before, open() or the
# first read waited forever. Each command runs under `timeout 10`.
set -euo pipefail
. "${TESTS_DIR:?run through ctest: TESTS_DIR is not set}/harden/parse-lib.sh"

fifo=$WORK/fifo
mkfifo "$fifo"
hello=$BUILD_DIR/qemu-test/efi-hello-aa64.efi
[ -f "$hello" ] || fail "$hello not built"
img=$WORK/disk.img
"$MKVMIMAGE" -q -a aa64 --bootloader "$hello" -o "$img" || fail "mkvmimage could not build $img"

expect_refusal "variable store $fifo is not a regular file (a FIFO)" "$MKVMIMAGE" vars list "$fifo"
expect_refusal "variable store $fifo is not a regular file (a FIFO)" "$MKVMIMAGE_VARS" list "$fifo"
pass "vars list FIFO"

expect_refusal "image $fifo is not a regular file (a FIFO)" \
        "$MKVMIMAGE_VARS" seed --format ebbr -o "$WORK/ubootefi.var" --esp-from "$fifo" --arch aa64
expect_refusal "image $fifo is not a regular file (a FIFO)" \
        "$MKVMIMAGE_VARS" seed --format edk2 --image "$fifo" --esp-from "$img" --arch aa64
expect_refusal "variable store $fifo is not a regular file (a FIFO)" \
        "$MKVMIMAGE_VARS" seed --format edk2 -o "$fifo" --offset 0 --esp-from "$img" --arch aa64
pass "mkvmimage-vars seed: --esp-from, --image, -o with --offset FIFO"

expect_refusal "layout $fifo is not a regular file (a FIFO)" "$MKVMIMAGE" -a aa64 --layout "$fifo" --print-plan -o "$WORK/x.img"
expect_refusal "bootloader $fifo is not a regular file (a FIFO)" "$MKVMIMAGE" -a aa64 --bootloader "$fifo" -o "$WORK/x.img"
[ ! -e "$WORK/x.img" ] || fail "a refused build left $WORK/x.img"
expect_refusal "image $fifo is not a regular file (a FIFO)" "$MKVMIMAGE" bundle -a aa64 "$fifo" -o "$WORK/b.tar"
pass "mkvmimage --layout, --bootloader, bundle IMAGE FIFO"

expect_refusal "$fifo is not a disk image (not a regular file): a FIFO" "$MKVMIMAGE_BOOT" -q "$fifo" --arch aa64
expect_refusal "$fifo is not a regular file (a FIFO)" \
        "$MKVMIMAGE_BOOT" -q "$img" --arch aa64 --edk2-code "$fifo" --edk2-vars "$fifo"
pass "mkvmimage-boot IMAGE, --edk2-code/--edk2-vars FIFO"

# A FIFO among the firmware descriptors, sorting first.
mkdir "$WORK/fw"
mkfifo "$WORK/fw/10-edk2.json"
expect_refusal "firmware descriptor $WORK/fw/10-edk2.json is not a regular file (a FIFO)" \
        "$MKVMIMAGE_BOOT" -q "$img" --arch aa64 --firmware-dir "$WORK/fw"
expect_refusal "firmware descriptor $WORK/fw/10-edk2.json is not a regular file (a FIFO)" \
        "$MKVMIMAGE" bundle -a aa64 "$img" --firmware-dir "$WORK/fw" -o "$WORK/b.tar"
pass "a FIFO firmware descriptor"
