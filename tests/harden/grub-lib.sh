# Shared by tests/harden/grub-*.sh (sourced): a small aa64 root file system
# with what the boot chain needs and nothing else. The "kernel" is the test
# EFI application (any aa64 EFI application passes the kernel's EFI-stub
# check); systemd-boot and GRUB's modules come from Debian's packages,
# cached in $FIXTURE_CACHE. Images are not booted: they are read with
# sfdisk, mtools and grep.
set -euo pipefail
. "$TESTS_DIR/common.sh"
for v in MKVMIMAGE BUILD_DIR SOURCE_DIR FIXTURE_CACHE; do
        [ -n "${!v:-}" ] || fail "$v is not set (run through ctest)"
done
need_tools sfdisk jq mtype mdir tar timeout
FETCH=$SOURCE_DIR/tests/fixtures/fetch-debian-packages
KERNEL_EFI=$BUILD_DIR/qemu-test/efi-hello-aa64.efi
[ -f "$KERNEL_EFI" ] || fail "$KERNEL_EFI not built"
VERSION=6.1.0-99-arm64
SEED=6d6b766d-6861-7264-656e-677275620000

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

fetch() { "$FETCH" arm64 "$1" || fail "cannot fetch $1"; }
SDBOOT_PKG=$(fetch systemd-boot-efi)
GRUB_PKG=$(fetch grub-efi-arm64-bin)
GRUB_DIR=usr/lib/grub/arm64-efi

# make_root DIR [grub]: kernel /boot/vmlinuz-$VERSION, systemd-boot (or,
# with grub, GRUB's modules and no systemd-boot), /etc/os-release.
make_root() {
        local dir=$1
        rm -rf "$dir"
        mkdir -p "$dir/boot" "$dir/etc" "$dir/usr/lib/systemd/boot/efi"
        cp "$KERNEL_EFI" "$dir/boot/vmlinuz-$VERSION"
        printf 'PRETTY_NAME="Test Linux"\nID=testos\n' > "$dir/etc/os-release"
        if [ "${2:-}" = grub ]; then
                mkdir -p "$dir/usr/lib/grub"
                cp -a "$GRUB_PKG/$GRUB_DIR" "$dir/usr/lib/grub/"
        else
                cp "$SDBOOT_PKG/usr/lib/systemd/boot/efi/systemd-bootaa64.efi" "$dir/usr/lib/systemd/boot/efi/"
        fi
}

mk() { "$MKVMIMAGE" --seed "$SEED" --arch aa64 "$@"; }

# esp_offset IMG: byte offset of partition 1 (the ESP).
esp_offset() { echo $(( $(sfdisk --json "$1" | jq -r '.partitiontable.partitions[0].start') * 512 )); }
# esp_cat IMG PATH: a file of the ESP, read by mtools.
esp_cat() { mtype -i "$1@@$(esp_offset "$1")" "::/$2"; }
esp_ls() { mdir -/ -b -i "$1@@$(esp_offset "$1")" ::/; }

# refused WHAT PATTERN OUTDIR CMD...: CMD fails, its message matches PATTERN
# (grep -E), OUTDIR is left empty.
refused() {
        local what=$1 pattern=$2 out=$3 rc=0
        shift 3
        rm -rf "$out" && mkdir -p "$out"
        "$@" >"$WORK/out.txt" 2>"$WORK/err.txt" || rc=$?
        [ $rc -ne 0 ] || fail "$what: exit status 0"
        [ $rc -lt 124 ] || fail "$what: exit status $rc (timeout or signal): $(tail -n 3 "$WORK/err.txt")"
        grep -Eq -- "$pattern" "$WORK/err.txt" || fail "$what: message does not match /$pattern/: $(cat "$WORK/err.txt")"
        [ -z "$(ls -A "$out")" ] || fail "$what: left $(ls -A "$out")"
        echo "ok: $what: $(grep -E -- "$pattern" "$WORK/err.txt" | head -n 1)"
}
