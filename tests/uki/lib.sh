# Shared by tests/uki/*.sh (sourced after `set -euo pipefail`): fixtures
# from Debian and readers of PE files that we did not write (llvm-readobj,
# llvm-objdump, file, od, dd).
fail() { echo "FAIL: $*" >&2; exit 1; }

for v in SOURCE_DIR FIXTURE_CACHE; do
        [ -n "${!v:-}" ] || fail "$v is not set (run through ctest)"
done
FETCH=$SOURCE_DIR/tests/fixtures/fetch-debian-packages

need_tools() {
        local t
        for t in "$@"; do
                command -v "$t" >/dev/null || fail "$t not found: run scripts/setup-deps"
        done
}

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

# sections FILE: one line per section, from llvm-readobj:
# "NAME VIRTUAL_ADDRESS VIRTUAL_SIZE POINTER_TO_RAW_DATA RAW_SIZE CHARACTERISTICS" (decimal).
sections() {
        llvm-readobj --sections "$1" | awk '
                function num(s,   i, v) {
                        if (s !~ /^0x/) return s + 0
                        v = 0
                        for (i = 3; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", tolower(substr(s, i, 1))) - 1
                        return v
                }
                $1 == "Name:" { name = $2 }
                $1 == "VirtualSize:" { vs = num($2) }
                $1 == "VirtualAddress:" { va = num($2) }
                $1 == "RawDataSize:" { rs = num($2) }
                $1 == "PointerToRawData:" { rp = num($2) }
                $1 == "Characteristics" { c = $3; gsub(/[()]/, "", c); printf "%s %.0f %.0f %.0f %.0f %.0f\n", name, va, vs, rp, rs, num(c) }'
}

# header FILE FIELD: a field of llvm-readobj --file-headers, in decimal.
header() {
        local v
        v=$(llvm-readobj --file-headers "$1" | awk -v f="$2:" '$1 == f { print $2; exit }')
        [ -n "$v" ] || fail "llvm-readobj shows no $2 in $1"
        echo $((v))
}

# le32 FILE OFFSET: a little-endian 32-bit field read with od.
le32() {
        local v
        v=$(od -An -tu4 -j"$2" -N4 "$1" | tr -d ' ')
        [ -n "$v" ] || fail "cannot read 4 bytes at $2 of $1"
        echo "$v"
}

# extract FILE OFFSET SIZE OUT: cut bytes out with dd.
extract() {
        dd if="$1" of="$4" iflag=skip_bytes,count_bytes skip="$2" count="$3" status=none ||
                fail "dd cannot read $3 bytes at $2 of $1"
}
