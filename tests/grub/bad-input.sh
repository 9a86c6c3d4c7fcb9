# grub_build_image() refuses what cannot make a working GRUB and says why:
# no module directory, the other arch's modules, modules missing, a file
# instead of a directory, a bad UUID, no grub-mkimage (names grub-common),
# and grub-mkimage failing on a damaged module (its own words shown).
set -euo pipefail
GRUBBUILD=$1
. "$TESTS_DIR/grub/lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

m64=$(grub_modules aa64)
m32=$(grub_modules arm)

expect_refused "GRUB module directory $work/none" "No such file or directory" -- \
        "$GRUBBUILD" image "$work/none" arm64-efi "$UUID1" "$work/x.efi"
expect_refused "$m32 holds arm-efi modules, expected arm64-efi" "grub-efi-arm64-bin" -- \
        "$GRUBBUILD" image "$m32" arm64-efi "$UUID1" "$work/x.efi"
expect_refused "$m64 holds arm64-efi modules, expected arm-efi" "grub-efi-arm-bin" -- \
        "$GRUBBUILD" image "$m64" arm-efi "$UUID1" "$work/x.efi"
expect_refused "GRUB format x86_64-efi is not supported (arm64-efi, arm-efi)" -- \
        "$GRUBBUILD" image "$m64" x86_64-efi "$UUID1" "$work/x.efi"

cp -a "$m64" "$work/partial"
rm "$work/partial/linux.mod" "$work/partial/search_fs_uuid.mod"
expect_refused "GRUB module directory $work/partial lacks" "search_fs_uuid.mod" "linux.mod" -- \
        "$GRUBBUILD" image "$work/partial" arm64-efi "$UUID1" "$work/x.efi"
rm "$work/partial/modinfo.sh"
expect_refused "$work/partial: cannot read modinfo.sh" -- \
        "$GRUBBUILD" image "$work/partial" arm64-efi "$UUID1" "$work/x.efi"

: >"$work/file"
expect_refused "$work/file is not a directory" -- \
        "$GRUBBUILD" image "$work/file" arm64-efi "$UUID1" "$work/x.efi"
expect_refused "'not-a-uuid' is not a UUID" -- \
        "$GRUBBUILD" image "$m64" arm64-efi not-a-uuid "$work/x.efi"
expect_refused "is not a UUID" -- \
        "$GRUBBUILD" image "$m64" arm64-efi "${UUID1}0" "$work/x.efi"

# No grub-mkimage in PATH: the message names the package to install.
expect_refused "grub-mkimage not found in PATH: install the Debian package grub-common" -- \
        env PATH="$work/empty-path" "$GRUBBUILD" image "$m64" arm64-efi "$UUID1" "$work/x.efi"

# grub-mkimage copies modules without looking at them: damaged modules or
# one of the other arch must be caught before, not at boot time.
cp -a "$m64" "$work/damaged"
head -c 30 "$m64/linux.mod" >"$work/damaged/linux.mod"
expect_refused "GRUB module $work/damaged/linux.mod is truncated" -- \
        "$GRUBBUILD" image "$work/damaged" arm64-efi "$UUID1" "$work/x.efi"
head -c 4096 /dev/zero >"$work/damaged/linux.mod"
expect_refused "GRUB module $work/damaged/linux.mod is not a little-endian ELF file" -- \
        "$GRUBBUILD" image "$work/damaged" arm64-efi "$UUID1" "$work/x.efi"
cp "$m32/linux.mod" "$work/damaged/linux.mod"
expect_refused "GRUB module $work/damaged/linux.mod is not built for arm64-efi (ELF class 1, machine 40)" -- \
        "$GRUBBUILD" image "$work/damaged" arm64-efi "$UUID1" "$work/x.efi"
cp "$m64/linux.mod" "$work/damaged/linux.mod"
cp "$m32/kernel.img" "$work/damaged/kernel.img"
expect_refused "GRUB module $work/damaged/kernel.img is not built for arm64-efi" -- \
        "$GRUBBUILD" image "$work/damaged" arm64-efi "$UUID1" "$work/x.efi"
readelf -h "$work/damaged/kernel.img" | grep >/dev/null 'Machine: *ARM$' || fail "readelf does not see an ARM kernel.img"
cp "$m64/kernel.img" "$work/damaged/kernel.img"
"$GRUBBUILD" image "$work/damaged" arm64-efi "$UUID1" "$work/x.efi" || fail "the repaired copy is refused"

# grub-mkimage itself failing: what it said is shown. (It writes into a
# private directory, so its output cannot fail: a dependency it alone reads,
# from moddep.lst, is missing.)
cp -a "$m64" "$work/nodep"
rm "$work/nodep/extcmd.mod"
expect_refused "grub-mkimage failed (exit status 1)" "extcmd.mod" -- \
        "$GRUBBUILD" image "$work/nodep" arm64-efi "$UUID1" "$work/x.efi"
