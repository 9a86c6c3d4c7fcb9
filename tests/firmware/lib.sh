# Shared helpers for the variable-store tests (sourced). Stores are written by
# mkvmimage-vars and judged by what we did not write: the real firmware (EDK2
# keeps or silently wipes a store, U-Boot loads or rejects ubootefi.var),
# sfdisk, mtools, od.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/../common.sh"
pass() { echo "ok: $*"; }

for t in sfdisk jq od cmp mcopy mtype truncate sha256sum; do
        command -v "$t" >/dev/null || fail "$t not found: run scripts/setup-deps"
done
[ -x "${MKVMIMAGE:-}" ] || fail "MKVMIMAGE is not set to the built mkvmimage (run through ctest)"
VARS=$MKVMIMAGE_VARS
BOOT=$MKVMIMAGE_BOOT
for f in "$VARS" "$BOOT" "$BUILD_DIR/qemu-test/efi-hello-aa64.efi" "$BUILD_DIR/qemu-test/efi-hello-arm.efi"; do
        [ -e "$f" ] || fail "$f not built (build the project first)"
done
# A sanitizer report must not look like an ordinary error exit (1).
export ASAN_OPTIONS=exitcode=99:detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:exitcode=98:print_stacktrace=1

WORK=$(mktemp -d "${TMPDIR:-/tmp}/mkvm-firmware-test.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

efi_hello() { echo "$BUILD_DIR/qemu-test/efi-hello-$1.efi"; }
removable() { case $1 in aa64) echo BOOTAA64.EFI ;; arm) echo BOOTARM.EFI ;; esac; }
edk2_cell() { case $1 in aa64) echo aa64-edk2-gicv3-pci ;; arm) echo arm-edk2-gicv2-pci ;; esac; }
uboot_cell() { case $1 in aa64) echo aa64-uboot-gicv3-pci ;; arm) echo arm-uboot-gicv2-pci ;; esac; }

# part_json IMG TYPE: "number start size uuid" of the first partition of TYPE, from sfdisk.
part_of_type() {
        sfdisk --json "$1" | jq -r --arg t "$2" '.partitiontable.partitions | to_entries[]
                | select(.value.type == $t) | "\(.key + 1) \(.value.start) \(.value.size) \(.value.uuid)"' | head -n 1
}

# run_boot OUT ARGS...: run the harness, keep stdout+stderr in OUT, return its status.
run_boot() {
        local out=$1 rc=0
        shift
        "$BOOT" "$@" >"$out" 2>&1 || rc=$?
        sed 's/^/    | /' "$out"
        return $rc
}

# first_started LOG: the first boot option EDK2's boot manager started ("Boot0000 \"debian\"").
first_started() {
        tr -d '\r' <"$1" | sed -n 's/.*BdsDxe: starting \(Boot[0-9A-F]\{4\} "[^"]*"\).*/\1/p' | head -n 1
}

# le16 FILE OFFSET / hexbytes FILE OFFSET COUNT: raw bytes through od, not our reader.
le16() { od -A n -t u2 -j "$2" -N 2 "$1" | tr -d ' '; }
hexbytes() { od -A n -t x1 -j "$2" -N "$3" "$1" | tr -d ' \n'; }

# expect_store_headers FILE [OFFSET]: the firmware-volume and variable-store
# headers are the ones EDK2 accepts (checked byte by byte with od): _FVH,
# the NV-data FV GUID, a zero 16-bit sum, the authenticated-variables store
# GUID, formatted (0x5A) and healthy (0xFE).
expect_store_headers() {
        local f=$1 o=${2:-0} sum=0 w
        [ "$(hexbytes "$f" $((o + 0x28)) 4)" = 5f465648 ] || fail "$f: no _FVH signature at 0x28"
        [ "$(hexbytes "$f" $((o + 0x10)) 16)" = 8d2bf1ff96768b4ca9852747075b4f50 ] || fail "$f: FV file-system GUID changed"
        for w in $(od -A n -t u2 -j "$o" -N 72 "$f"); do sum=$(((sum + w) & 0xffff)); done
        [ "$sum" -eq 0 ] || fail "$f: FV header checksum broken (sum $sum)"
        [ "$(hexbytes "$f" $((o + 0x48)) 16)" = 782cf3aa7b949a43a1802e144ec37792 ] || fail "$f: no authenticated variable store header"
        [ "$(hexbytes "$f" $((o + 0x5c)) 2)" = 5afe ] || fail "$f: store not formatted+healthy"
        [ "$(hexbytes "$f" $((o + 0x40000)) 16)" = 2b29589e687c7d49a0ce6500fd9f1b95 ] || fail "$f: no FTW working block header"
}

# efi_hello_image IMG ARCH [mkvmimage args...]: an ESP-only image booting efi-hello.
efi_hello_image() {
        local img=$1 arch=$2
        shift 2
        "$MKVMIMAGE" -q --arch "$arch" --bootloader "$(efi_hello "$arch")" -o "$img" "$@"
}

# seed_for_image FORMAT OUT IMG ARCH DESCRIPTION: a store whose Boot0000
# points at IMG's ESP, as sfdisk reports it.
seed_for_image() {
        local format=$1 out=$2 img=$3 arch=$4 desc=$5 num start size uuid
        read -r num start size uuid < <(part_of_type "$img" "$ESP_TYPE")
        [ -n "$uuid" ] || fail "$img: sfdisk shows no ESP"
        "$VARS" seed -q --format "$format" -o "$out" --arch "$arch" -d "$desc" --timeout 0 \
                --partition "$num" --part-uuid "$uuid" --start "$start" --size "$size"
}
