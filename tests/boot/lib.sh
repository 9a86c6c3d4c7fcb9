# Shared helpers for the boot tests (sourced). Test images are built here with
# independent tools (sgdisk, mkfs.fat, mtools) until mkvmimage can build them.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/../common.sh"

LINUX_DATA_TYPE=0FC63DAF-8483-4772-8E79-3D69D8477DE4

# make_esp_image IMG [TYPE-GUID]: a 48 MiB GPT disk whose partition 1 (1 MiB
# to 41 MiB) is an empty FAT32 file system of partition type TYPE-GUID (the
# ESP type by default). 512-byte clusters keep 40 MiB above the FAT32 minimum
# of 65,525 clusters.
ESP_OFFSET=$((1024 * 1024))
make_esp_image() {
        local img=$1 type=${2:-$ESP_TYPE}
        need_tools sgdisk mkfs.fat mmd mcopy truncate
        rm -f "$img"
        truncate -s 48M "$img"
        sgdisk -n 1:2048:+40M -t "1:$type" -c 1:ESP "$img" >/dev/null
        mkfs.fat -F 32 -s 1 --offset $((ESP_OFFSET / 512)) "$img" $((40 * 1024)) >"$img.mkfs.log" 2>&1 || { cat "$img.mkfs.log" >&2; fail "mkfs.fat failed"; }
        rm -f "$img.mkfs.log"
        mmd -i "$img@@$ESP_OFFSET" ::EFI ::EFI/BOOT
}

# esp_put IMG SOURCE NAME: copy SOURCE to \EFI\BOOT\NAME in the ESP.
esp_put() {
        mcopy -i "$1@@$ESP_OFFSET" "$2" "::EFI/BOOT/$3"
}

EFI_HELLO_AA64=$BUILD_DIR/qemu-test/efi-hello-aa64.efi
EFI_HELLO_ARM=$BUILD_DIR/qemu-test/efi-hello-arm.efi
BOOT=$MKVMIMAGE_BOOT
for f in "$EFI_HELLO_AA64" "$EFI_HELLO_ARM" "$BOOT"; do
        [ -e "$f" ] || fail "$f not built (build the project first)"
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/mkvm-boot-test.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# efi_hello_image IMG ARCH: an image whose ESP holds efi-hello for ARCH.
efi_hello_image() {
        make_esp_image "$1"
        case $2 in
        aa64) esp_put "$1" "$EFI_HELLO_AA64" BOOTAA64.EFI ;;
        arm) esp_put "$1" "$EFI_HELLO_ARM" BOOTARM.EFI ;;
        *) fail "unknown arch $2" ;;
        esac
}

# run_boot OUT ARGS...: run the harness, keep stdout+stderr in OUT, return its status.
run_boot() {
        local out=$1
        shift
        local rc=0
        "$BOOT" "$@" >"$out" 2>&1 || rc=$?
        sed 's/^/    | /' "$out"
        return $rc
}

expect_grep() {
        grep -q -- "$1" "$2" || fail "expected \"$1\" in $2"
}

# expect_status WANT GOT WHAT
expect_status() {
        [ "$2" -eq "$1" ] || fail "$3: exit status $2, expected $1"
}
