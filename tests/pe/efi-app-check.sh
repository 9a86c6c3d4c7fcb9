# pe_check_efi_app() on Debian's systemd-boot for arm64, armhf and amd64, and
# on damaged copies: the right file for the right arch is accepted, anything
# else is refused with a message naming what was found. `file` and
# llvm-readobj confirm independently what each fixture (and patch) is.
set -euo pipefail
PECHECK=$1
. "$TESTS_DIR/pe/lib.sh"

aa64=$(efi_fixture arm64 systemd-bootaa64.efi)
arm=$(efi_fixture armhf systemd-bootarm.efi)
x64=$(efi_fixture amd64 systemd-bootx64.efi)

# expect_file FILE PATTERN: `file` (libmagic) agrees on what FILE is.
expect_file() {
        local out
        out=$(file -b "$1")
        grep -qE "$2" <<<"$out" || fail "file says '$out' for $1, expected /$2/"
}
expect_file "$aa64" '^PE32\+ executable \(EFI application\) Aarch64'
expect_file "$arm" '^PE32 executable \(EFI application\) ARM Thumb'
expect_file "$x64" '^PE32\+ executable \(EFI application\) x86-64'

# readobj_field FILE FIELD: a header field as llvm-readobj prints it.
readobj_field() {
        llvm-readobj --file-headers "$1" | sed -n "s/^ *$2: //p" | head -n1
}

expect_accept() {
        local file=$1 arch=$2 err
        if ! err=$("$PECHECK" "$file" "$arch" 2>&1); then
                fail "$file refused as $arch: $err"
        fi
        [ -z "$err" ] || fail "accepting $file as $arch printed: $err"
        echo "ok: accepted $(basename "$file") as $arch"
}

# expect_reject FILE ARCH TEXT...: refused, and the message holds every TEXT.
expect_reject() {
        local file=$1 arch=$2 err rc=0 t
        shift 2
        err=$("$PECHECK" "$file" "$arch" 2>&1) || rc=$?
        [ $rc = 1 ] || fail "$file as $arch: exit status $rc, expected 1 (output: $err)"
        for t in "$@"; do
                grep -qF -- "$t" <<<"$err" || fail "$file as $arch: message '$err' lacks '$t'"
        done
        [ "$(wc -l <<<"$err")" = 1 ] || fail "$file as $arch: expected one message line, got: $err"
        echo "ok: refused $(basename "$file") as $arch: $err"
}

expect_accept "$aa64" aa64
expect_accept "$arm" arm
expect_accept "$x64" x64

expect_reject "$x64" aa64 "PE machine is 0x8664 (x86-64), expected 0xAA64 (AArch64)"
expect_reject "$x64" arm "PE machine is 0x8664 (x86-64), expected 0x01C2 (ARM Thumb mixed)"
expect_reject "$aa64" arm "PE machine is 0xAA64 (AArch64), expected 0x01C2 (ARM Thumb mixed)" "$aa64"
expect_reject "$arm" aa64 "PE machine is 0x01C2 (ARM Thumb mixed), expected 0xAA64 (AArch64)"

off=$(pe_offset "$arm")

# What clang + lld-link write for thumbv7-windows, and AAVMF32 refuses.
cp "$arm" "$work/armnt.efi"
patch_le16 "$work/armnt.efi" $((off + 4)) 0x01c4
[ "$(readobj_field "$work/armnt.efi" Machine)" = "IMAGE_FILE_MACHINE_ARMNT (0x1C4)" ] ||
        fail "the machine patch did not land: $(readobj_field "$work/armnt.efi" Machine)"
expect_reject "$work/armnt.efi" arm \
        "PE machine is 0x01C4 (ARMNT), expected 0x01C2 (ARM Thumb mixed); EDK2 only loads 0x01C2 for 32-bit ARM"

# A console program is not an EFI application.
cp "$arm" "$work/console.efi"
patch_le16 "$work/console.efi" $((off + 24 + 68)) 3
expect_file "$work/console.efi" '^PE32 executable \(console\)'
expect_reject "$work/console.efi" arm "subsystem is 3 (Windows console), expected 10 (EFI application)"

# An EFI boot service driver is not an application either.
cp "$aa64" "$work/driver.efi"
patch_le16 "$work/driver.efi" $(($(pe_offset "$aa64") + 24 + 68)) 11
expect_file "$work/driver.efi" 'EFI boot service driver'
expect_reject "$work/driver.efi" aa64 "subsystem is 11 (EFI boot service driver), expected 10"

# Right machine, wrong optional header kind (PE32 where PE32+ is due).
cp "$arm" "$work/pe32-aa64.efi"
patch_le16 "$work/pe32-aa64.efi" $((off + 4)) 0xaa64
expect_reject "$work/pe32-aa64.efi" aa64 "PE optional header magic is 0x10b (PE32), expected 0x20b (PE32+)"

# An optional header magic nobody knows.
cp "$aa64" "$work/rom.efi"
patch_le16 "$work/rom.efi" $(($(pe_offset "$aa64") + 24)) 0x107
expect_reject "$work/rom.efi" aa64 "unknown PE optional header magic 0x107"

# Not PE at all.
printf 'title Debian\nlinux /vmlinuz\n' >"$work/text.efi"
expect_file "$work/text.efi" 'text'
expect_reject "$work/text.efi" aa64 "is not a PE file: no MZ signature"
printf 'M' >"$work/m.efi"
expect_reject "$work/m.efi" aa64 "is not a PE file: no MZ signature"
: >"$work/empty.efi"
expect_file "$work/empty.efi" '^empty$'
expect_reject "$work/empty.efi" aa64 "is not a PE file: the file is empty"
mkdir "$work/dir.efi"
expect_reject "$work/dir.efi" aa64 "not a regular file"
expect_reject "$work/missing.efi" aa64 "cannot open"

# Truncated at several depths: inside the DOS header, inside the optional
# header, inside the section table, inside a section's data.
head -c 40 "$aa64" >"$work/cut40.efi"
expect_reject "$work/cut40.efi" aa64 "truncated DOS header"
head -c 100 "$aa64" >"$work/cut100.efi"
expect_reject "$work/cut100.efi" aa64 "truncated PE optional header"
head -c 300 "$aa64" >"$work/cut300.efi"
expect_reject "$work/cut300.efi" aa64 "truncated PE section table"
head -c 100 "$arm" >"$work/cut100-arm.efi"
expect_reject "$work/cut100-arm.efi" arm "truncated PE optional header"
head -c 70 "$aa64" >"$work/cut70.efi"
expect_reject "$work/cut70.efi" aa64 "truncated PE header"
head -c 5000 "$aa64" >"$work/cut5000.efi"
expect_reject "$work/cut5000.efi" aa64 "truncated PE file: section 0 '.text' ends at offset"

# e_lfanew pointing past the end, and at something that is not "PE\0\0".
cp "$aa64" "$work/far.efi"
patch_le32 "$work/far.efi" 60 0x7ffffff0
expect_reject "$work/far.efi" aa64 "is not a PE file: the PE header offset 0x7ffffff0 lies beyond the end of the file"
cp "$aa64" "$work/lfanew-ff.efi"
patch_le32 "$work/lfanew-ff.efi" 60 0xffffffff
expect_reject "$work/lfanew-ff.efi" aa64 "lies beyond the end of the file"
cp "$aa64" "$work/nosig.efi"
patch_le32 "$work/nosig.efi" 60 0x20
expect_reject "$work/nosig.efi" aa64 "is not a PE file: no PE signature at offset 0x20"

# A section count the file cannot hold.
cp "$aa64" "$work/sections.efi"
patch_le16 "$work/sections.efi" $(($(pe_offset "$aa64") + 6)) 0xffff
expect_reject "$work/sections.efi" aa64 "truncated PE section table"

echo "all PE checks passed"
