# uki_build() refuses bad input with a message that names the problem and
# the file, and leaves no output behind: a stub of the wrong arch, a stub
# that is no PE file or is truncated, a stub whose full header area cannot
# be made room in, a missing or empty kernel, an ARM zImage whose size table
# is out of bounds. A signed stub is accepted, its signature left out (with
# a message).
#
# bad-input.sh UKIBUILD
set -euo pipefail
. "$TESTS_DIR/uki/lib.sh"
ukibuild=${1:?usage: bad-input.sh UKIBUILD}
need_tools llvm-readobj od dd cmp truncate

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

aa64_stub=$(stub_fixture aa64)
arm_stub=$(stub_fixture arm)
printf 'not a kernel, but bytes enough\n' >"$work/kernel"

# expect_error NAME PATTERN UKIBUILD-ARGS...: must fail, say PATTERN, leave no output.
expect_error() {
        local name=$1 pattern=$2
        shift 2
        rm -f "$work/out.efi"
        if "$ukibuild" "$@" -o "$work/out.efi" >"$work/stdout" 2>"$work/err"; then
                fail "$name: ukibuild succeeded"
        fi
        grep -Eq -- "$pattern" "$work/err" || { cat "$work/err" >&2; fail "$name: no message matching '$pattern'"; }
        [ ! -e "$work/out.efi" ] || fail "$name: output left behind"
        echo "ok: $name: $(head -n 1 "$work/err")"
}

expect_error "aa64 stub for arm" "PE machine is 0xAA64 \(AArch64\), expected 0x01C2" \
        --arch arm --stub "$aa64_stub" --kernel "$work/kernel"
expect_error "arm stub for aa64" "PE machine is 0x01C2 .*expected 0xAA64" \
        --arch aa64 --stub "$arm_stub" --kernel "$work/kernel"
printf '#!/bin/sh\necho I am no PE file\n' >"$work/script.stub"
expect_error "non-PE stub" "script.stub is not a PE file: no MZ signature" \
        --arch aa64 --stub "$work/script.stub" --kernel "$work/kernel"
head -c 20000 "$aa64_stub" >"$work/short.stub"
expect_error "truncated stub" "short.stub: truncated PE file" \
        --arch aa64 --stub "$work/short.stub" --kernel "$work/kernel"
expect_error "missing stub" "cannot open the UKI stub .*/nonexistent.stub: No such file" \
        --arch aa64 --stub "$work/nonexistent.stub" --kernel "$work/kernel"
expect_error "missing kernel" "UKI kernel: cannot open .*/no-such-vmlinuz: No such file" \
        --arch aa64 --stub "$aa64_stub" --kernel "$work/no-such-vmlinuz"
: >"$work/empty"
expect_error "empty kernel" "UKI kernel .*/empty is empty" \
        --arch aa64 --stub "$aa64_stub" --kernel "$work/empty"
expect_error "missing initrd" "UKI initrd: cannot open .*/no-initrd: No such file" \
        --arch aa64 --stub "$aa64_stub" --kernel "$work/kernel" --initrd "$work/no-initrd"
expect_error "directory as kernel" "is not a regular file" \
        --arch aa64 --stub "$aa64_stub" --kernel "$work"

# Debian's armhf stub has no header room; with a data directory that refers
# to its sections by address they cannot be moved either: a clear error.
pe=$(le32 "$arm_stub" 60)
cp "$arm_stub" "$work/noroom.stub"
# Import table (data directory 1 of PE32's, at optional header + 96 + 8) -> some RVA.
printf '\x00\x02\x00\x00\x10\x00\x00\x00' | dd of="$work/noroom.stub" bs=1 seek=$((pe + 24 + 96 + 8)) conv=notrunc status=none
expect_error "stub without header room" "has no room for 2 more section headers .*cannot be moved: data directory 1" \
        --arch arm --stub "$work/noroom.stub" --kernel "$work/kernel" --cmdline "console=ttyAMA0"

# A stub "signed" by an appended certificate table: the UKI leaves it out and says so.
size=$(stat -c %s "$aa64_stub")
cert_at=$(((size + 7) / 8 * 8))
cp "$aa64_stub" "$work/signed.stub"
truncate -s "$cert_at" "$work/signed.stub"
printf '\x10\x00\x00\x00\x00\x02\x02\x00SIGNATURE' >>"$work/signed.stub"
printf '\x00\x00\x00\x00\x00\x00\x00' >>"$work/signed.stub"
# Security directory: data directory 4 of PE32+'s, at optional header + 112 + 32.
printf "\\x$(printf %02x $((cert_at & 255)))\\x$(printf %02x $((cert_at >> 8 & 255)))\\x$(printf %02x $((cert_at >> 16 & 255)))\\x00\\x10\\x00\\x00\\x00" |
        dd of="$work/signed.stub" bs=1 seek=$(($(le32 "$aa64_stub" 60) + 24 + 112 + 32)) conv=notrunc status=none
llvm-readobj --file-headers "$work/signed.stub" | grep >/dev/null 'CertificateTableSize: 0x10' || fail "could not make a signed stub"
"$ukibuild" --arch aa64 --stub "$work/signed.stub" --kernel "$work/kernel" -o "$work/signed.efi" 2>"$work/err" >/dev/null ||
        { cat "$work/err" >&2; fail "signed stub refused"; }
grep -q "is signed; the signature does not cover the added sections and is left out" "$work/err" ||
        fail "no message about the dropped signature"
llvm-readobj --file-headers "$work/signed.efi" | grep >/dev/null 'CertificateTableSize: 0x0' || fail "the UKI still names a certificate table"
! grep -aq SIGNATURE "$work/signed.efi" || fail "the certificate table was copied into the UKI"
echo "ok: signed stub: $(cat "$work/err")"

# An ARM zImage whose kexec size table lies outside the file: the heap its
# decompressor needs cannot be known, so no UKI.
arm_kernel=$(kernel_fixture arm)
cp "$arm_kernel" "$work/zimage"
printf '\x00\xff\xff\x7f' | dd of="$work/zimage" bs=1 seek=$((0x38)) conv=notrunc status=none
expect_error "zImage size table outside the file" "zimage: its zImage size table \(offset 0x7fffff00\) lies outside the file" \
        --arch arm --stub "$arm_stub" --kernel "$work/zimage"
