# mkvmimage-boot takes a bundle instead of an image: an archive (unpacked
# into its temporary directory and removed afterwards) or an unpacked
# directory; it boots disk.img with the bundle's own firmware and variables,
# for the architecture the manifest names. Hostile archives are refused.
#   harness.sh ARCH
. "$TESTS_DIR/bundle/lib.sh"
arch=$1
BOOT=${MKVMIMAGE_BOOT:-$MKVMIMAGE_BOOT}
[ -x "$BOOT" ] || fail "mkvmimage-boot not built"
case $arch in aa64) cell=aa64-edk2-gicv3-pci ;; arm) cell=arm-edk2-gicv2-pci ;; esac
export TMPDIR=$WORK/tmp
mkdir -p "$TMPDIR"

img=$WORK/app.img
make_image "$arch" "$img"
bundle --arch "$arch" "$img" -o "$WORK/app.tar.gz"
sum=$(sha256sum <"$WORK/app.tar.gz")

# boot_bundle PATH LOGDIR ARGS...: must PASS with Boot0000 first, using the bundle's firmware.
boot_bundle() {
        local path=$1 logs=$2 rc=0
        shift 2
        "$BOOT" "$path" --platform "$cell" --expect-boot-option Boot0000 --log-dir "$logs" "$@" >"$WORK/boot.out" 2>&1 || rc=$?
        sed 's/^/    | /' "$WORK/boot.out"
        [ $rc -eq 0 ] || fail "mkvmimage-boot $path exited $rc"
        grep -q "^PASS $cell" "$WORK/boot.out" || fail "$cell did not pass"
        head -n 2 "$logs/$cell.log" | grep >/dev/null "efi-code.fd" || fail "QEMU did not get the bundle's efi-code.fd: $(head -n 2 "$logs/$cell.log")"
}

mkdir -p "$WORK/logs1"
boot_bundle "$WORK/app.tar.gz" "$WORK/logs1"
[ "$(sha256sum <"$WORK/app.tar.gz")" = "$sum" ] || fail "the archive changed"
[ -z "$(ls -A "$TMPDIR")" ] || fail "mkvmimage-boot left $(ls -A "$TMPDIR") in TMPDIR"
pass "mkvmimage-boot app.tar.gz: Boot0000 first on $cell with the bundle's firmware, nothing left behind"

tar -C "$WORK" -xf "$WORK/app.tar.gz"
mkdir -p "$WORK/logs2"
boot_bundle "$WORK/app/" "$WORK/logs2" --arch "$arch"
cmp "$img" "$WORK/app/disk.img" || fail "booting the unpacked bundle changed its disk.img"
(cd "$WORK/app" && sha256sum --strict -c --quiet MANIFEST) || fail "booting changed the unpacked bundle (efi-vars.fd must be copied per run)"
pass "mkvmimage-boot app/: boots, the bundle is unchanged"

# expect_setup_error PATTERN ARGS...: exit 2 with PATTERN.
expect_setup_error() {
        local pattern=$1 rc=0
        shift
        "$BOOT" "$@" >"$WORK/err.out" 2>&1 || rc=$?
        sed 's/^/    | /' "$WORK/err.out"
        [ $rc -eq 2 ] || fail "mkvmimage-boot $* exited $rc, expected 2"
        grep -q -e "$pattern" "$WORK/err.out" || fail "mkvmimage-boot $* did not say \"$pattern\""
}
other=arm
[ "$arch" = arm ] && other=aa64
expect_setup_error "is a bundle for $arch, not $other" "$WORK/app.tar.gz" --arch "$other"

# Hostile archives: an extra file, a symlink in place of the image, an entry outside the directory.
mkdir -p "$WORK/h/app"
cp "$WORK/app/MANIFEST" "$WORK/app/efi-code.fd" "$WORK/h/app/"
echo 'rm -rf /' >"$WORK/h/app/evil.sh"
tar -C "$WORK/h" -cf "$WORK/extra.tar" app
expect_setup_error 'unexpected entry "app/evil.sh"' "$WORK/extra.tar"
rm "$WORK/h/app/evil.sh"
ln -s /etc/passwd "$WORK/h/app/disk.img"
tar -C "$WORK/h" -cf "$WORK/symlink.tar" app
expect_setup_error 'unexpected entry "app/disk.img"' "$WORK/symlink.tar"
rm "$WORK/h/app/disk.img"
tar -C "$WORK/h" -cf "$WORK/escape.tar" --transform 's,^app/MANIFEST$,app/../MANIFEST,' app
expect_setup_error 'outside\|unexpected entry' "$WORK/escape.tar"
head -c 100000 "$WORK/app.tar.gz" >"$WORK/truncated.tar.gz"
expect_setup_error "truncated.tar.gz" "$WORK/truncated.tar.gz"
[ -z "$(ls -A "$TMPDIR")" ] || fail "refused archives left $(ls -A "$TMPDIR") in TMPDIR"
[ ! -e "$WORK/MANIFEST" ] || fail "an entry was written outside the bundle directory"
pass "hostile or broken bundles: refused (exit 2), nothing left behind"
