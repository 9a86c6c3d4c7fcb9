# Shared by tests/uki/*.sh (sourced after `set -euo pipefail`): fixtures
# from Debian and readers of PE files that we did not write (llvm-readobj,
# llvm-objdump, file, od, dd).
. "$(dirname "${BASH_SOURCE[0]}")/../common.sh"

for v in SOURCE_DIR FIXTURE_CACHE; do
        [ -n "${!v:-}" ] || fail "$v is not set (run through ctest)"
done
FETCH=$SOURCE_DIR/tests/fixtures/fetch-debian-packages

declare -A DEB_ARCH=([aa64]=arm64 [arm]=armhf)
declare -A STUB_NAME=([aa64]=linuxaa64.efi.stub [arm]=linuxarm.efi.stub)
declare -A KERNEL_META=([aa64]=linux-image-arm64 [arm]=linux-image-armmp)
declare -A FILE_SAYS=([aa64]="PE32+ executable (EFI application) Aarch64" [arm]="PE32 executable (EFI application) ARM Thumb")

# stub_fixture ARCH: systemd-stub from Debian's systemd-boot-efi.
stub_fixture() {
        local dir
        dir=$("$FETCH" "${DEB_ARCH[$1]}" systemd-boot-efi) || fail "cannot fetch systemd-boot-efi (${DEB_ARCH[$1]})"
        [ -f "$dir/usr/lib/systemd/boot/efi/${STUB_NAME[$1]}" ] || fail "systemd-boot-efi has no ${STUB_NAME[$1]}"
        echo "$dir/usr/lib/systemd/boot/efi/${STUB_NAME[$1]}"
}

# kernel_fixture ARCH: Debian's current kernel image (boot/vmlinuz-*).
kernel_fixture() {
        local dir k
        dir=$("$FETCH" --resolve-depends "${DEB_ARCH[$1]}" "${KERNEL_META[$1]}") ||
                fail "cannot fetch ${KERNEL_META[$1]} (${DEB_ARCH[$1]})"
        for k in "$dir"/boot/vmlinuz-*; do
                [ -f "$k" ] || fail "${KERNEL_META[$1]} has no boot/vmlinuz-*"
                echo "$k"
                return
        done
}

. "$SOURCE_DIR/tests/uki/pe-read.sh"
