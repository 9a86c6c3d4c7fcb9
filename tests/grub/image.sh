# grub_build_image() on Debian's GRUB modules for aa64 and arm: the result
# is an EFI application for the right machine (file, llvm-readobj,
# pe_check_efi_app), carries the early config that searches the given
# root UUID, and two builds from copies of the modules in different places
# are byte-identical (another UUID gives other bytes).
set -euo pipefail
GRUBBUILD=$1
. "$TESTS_DIR/grub/lib.sh"
command -v grub-mkimage >/dev/null || fail "grub-mkimage not found: run scripts/setup-deps (grub-common)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

declare -A FILE_SAYS=([aa64]='^PE32\+ executable \(EFI application\) Aarch64'
                      [arm]='^PE32 executable \(EFI application\) ARM Thumb')
declare -A READOBJ_MACHINE=([aa64]='IMAGE_FILE_MACHINE_ARM64 (0xAA64)' [arm]='IMAGE_FILE_MACHINE_THUMB (0x1C2)')
declare -A READOBJ_MAGIC=([aa64]=0x20B [arm]=0x10B)

for arch in aa64 arm; do
        mods=$(grub_modules $arch)
        fmt=${GRUB_FORMAT[$arch]}
        img=$work/grub-$arch.efi
        start=$(date +%s.%N)
        "$GRUBBUILD" image "$mods" "$fmt" "${UUID1^^}" "$img" || fail "$arch: grub_build_image failed"
        echo "TIMING grub_build_image $arch: $(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f", b - a }') s, $(stat -c %s "$img") bytes"

        out=$(file -b "$img")
        grep -qE "${FILE_SAYS[$arch]}" <<<"$out" || fail "$arch: file says '$out'"
        ro=$(llvm-readobj --file-headers "$img")
        grep -qF "Machine: ${READOBJ_MACHINE[$arch]}" <<<"$ro" || fail "$arch: llvm-readobj: $(grep Machine <<<"$ro")"
        grep -qE "^ *Magic: ${READOBJ_MAGIC[$arch]}\$" <<<"$ro" || fail "$arch: llvm-readobj: $(grep Magic <<<"$ro")"
        grep -qF 'Subsystem: IMAGE_SUBSYSTEM_EFI_APPLICATION (0xA)' <<<"$ro" || fail "$arch: not an EFI application"
        "$GRUBBUILD" pecheck "$img" $arch || fail "$arch: pe_check_efi_app refused the image"
        other=aa64; [ $arch = aa64 ] && other=arm
        ! "$GRUBBUILD" pecheck "$img" $other 2>/dev/null || fail "$arch: pe_check_efi_app accepted it as $other"

        # The early config is in the image, with the UUID in lower case.
        strings "$img" | grep >/dev/null -xF "search --no-floppy --fs-uuid --set=root $UUID1" ||
                fail "$arch: no early config searching $UUID1 in the image"
        strings "$img" | grep >/dev/null -xF 'configfile $cmdpath/grub.cfg' ||
                fail "$arch: the early config does not load \$cmdpath/grub.cfg"

        # Same inputs elsewhere, at another time: same bytes.
        mkdir -p "$work/elsewhere-$arch"
        cp -a "$mods" "$work/elsewhere-$arch/$fmt"
        touch "$work/elsewhere-$arch/$fmt"/*
        sleep 1
        "$GRUBBUILD" image "$work/elsewhere-$arch/$fmt" "$fmt" "$UUID1" "$work/again-$arch.efi" ||
                fail "$arch: second build failed"
        cmp "$img" "$work/again-$arch.efi" || fail "$arch: two builds from the same inputs differ"
        "$GRUBBUILD" image "$mods" "$fmt" "$UUID2" "$work/other-$arch.efi" || fail "$arch: build for $UUID2 failed"
        ! cmp -s "$img" "$work/other-$arch.efi" || fail "$arch: the root UUID does not change the image"
        echo "ok: $arch: $out; reproducible"
done
