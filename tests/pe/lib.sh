# Shared by the tests/pe/*.sh scripts: fixtures and small assertions.
# Sourced after `set -euo pipefail`; $1 of the test is the pecheck binary.
. "$(dirname "${BASH_SOURCE[0]}")/../common.sh"

for v in SOURCE_DIR FIXTURE_CACHE; do
        [ -n "${!v:-}" ] || fail "$v is not set (run through ctest)"
done
FETCH=$SOURCE_DIR/tests/fixtures/fetch-debian-packages

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# efi_fixture ARCH FILE: path of FILE from Debian's systemd-boot-efi for ARCH.
# A fetch failure fails the test: a check that cannot run has not passed.
efi_fixture() {
        local arch=$1 name=$2 dir
        dir=$("$FETCH" "$arch" systemd-boot-efi) || fail "cannot fetch systemd-boot-efi ($arch)"
        [ -f "$dir/usr/lib/systemd/boot/efi/$name" ] || fail "systemd-boot-efi ($arch) has no $name"
        echo "$dir/usr/lib/systemd/boot/efi/$name"
}

# pe_offset FILE: e_lfanew, from the DOS header.
pe_offset() {
        local v
        v=$(od -An -tu4 -j60 -N4 "$1" | tr -d ' ')
        [ -n "$v" ] || fail "cannot read e_lfanew of $1"
        echo "$v"
}

# patch_le16 FILE OFFSET VALUE: overwrite two bytes in place.
patch_le16() {
        local file=$1 off=$2 v=$3
        printf "\\x$(printf %02x $((v & 0xff)))\\x$(printf %02x $((v >> 8 & 0xff)))" |
                dd of="$file" bs=1 seek="$off" conv=notrunc status=none
}
patch_le32() {
        local file=$1 off=$2 v=$3
        patch_le16 "$file" "$off" $((v & 0xffff))
        patch_le16 "$file" $((off + 2)) $((v >> 16 & 0xffff))
}
