# Shared helpers for the mkvmimage CLI tests (sourced). Every check reads the
# image with a tool we did not write: sfdisk, sgdisk, blkid, fsck.fat, mtools,
# e2fsck.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/../common.sh"
pass() { echo "ok: $*"; }

[ -x "${MKVMIMAGE:-}" ] || fail "MKVMIMAGE is not set to the built mkvmimage (run through ctest)"
for t in sfdisk sgdisk blkid fsck.fat mdir mtype mcopy e2fsck jq xxd; do
        command -v "$t" >/dev/null || fail "$t not found: run scripts/setup-deps"
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/mkvm-cli-test.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

AA64_ROOT_TYPE=B921B045-1DF0-41C3-AF44-4C6F280D3FAE
ARM_ROOT_TYPE=69DAD710-2CE4-4E3C-B16C-21A1D49ABED3

# systemd_boot ARCH: path of Debian's systemd-boot EFI binary for a Debian
# architecture (arm64, armhf, amd64), fetched into the fixture cache.
systemd_boot() {
        local arch=$1 dir name
        dir=$("$TESTS_DIR/fixtures/fetch-debian-packages" "$arch" systemd-boot-efi) ||
                fail "cannot fetch systemd-boot-efi for $arch"
        case $arch in
        arm64) name=systemd-bootaa64.efi ;;
        armhf) name=systemd-bootarm.efi ;;
        amd64) name=systemd-bootx64.efi ;;
        esac
        [ -f "$dir/usr/lib/systemd/boot/efi/$name" ] || fail "$name not in systemd-boot-efi ($arch)"
        echo "$dir/usr/lib/systemd/boot/efi/$name"
}

# part_field IMG N FIELD: a field (start, size, type, uuid, name) of GPT
# partition N as sfdisk --json reports it.
part_field() {
        sfdisk --json "$1" | jq -r ".partitiontable.partitions[$(($2 - 1))].$3 // empty"
}

# part_offset IMG N: byte offset of partition N.
part_offset() { echo $(( $(part_field "$1" "$2" start) * 512 )); }

