#!/usr/bin/env bash
# Issue 11, item 19, the boot chain's part, each read back from the ESP
# with mtools:
#  - --cmdline with a control character (a newline would add directives
#    to the systemd-boot entry) is refused;
#  - an os-release line longer than any buffer has no tail parsed as ID=;
#  - a PRETTY_NAME that is not UTF-8 is an error naming /etc/os-release;
#  - vmlinuz-VERSION.old (and .bak, ~, .dpkg-*, .rpmnew, .rpmsave) are never
#    the newest kernel;
#  - a kernel in usr/lib/modules/VERSION/vmlinuz (Debian, Fedora) is found,
#    with Fedora's /boot/initramfs-VERSION.img, and boot/vmlinuz-VERSION
#    hard-linked to it (the link after its target in the tar) is found;
#  - --kernel and --initrd outside /boot, also a hard link to a file outside
#    every boot directory, are found.
. "$TESTS_DIR/harden/grub-lib.sh"
need_tools cmp
out=$WORK/out
build() {       # build WHAT ARGS...: exit 0, the image in $out/disk.img, stderr in $WORK/err.txt
        local what=$1
        shift
        rm -rf "$out" && mkdir -p "$out"
        mk "$@" -o "$out/disk.img" 2>"$WORK/err.txt" || fail "$what: $(cat "$WORK/err.txt")"
}
chosen() {      # chosen WHAT TEXT: the "boot chain:" line says TEXT
        grep -F "boot chain:" "$WORK/err.txt" | grep -qF -- "$2" ||
                fail "$1: expected '$2' in: $(grep -F "boot chain:" "$WORK/err.txt")"
}
entry() { esp_cat "$out/disk.img" "loader/entries/$1"; }

# --cmdline control characters.
make_root "$WORK/r"
for c in $'\n' $'\r' $'\t' $'\x01' $'\x7f'; do
        refused "--cmdline with $(printf %q "$c")" "--cmdline holds a control character \(0x" "$out" \
                mk --cmdline "quiet${c}initrd /evil" "$WORK/r" -o "$out/disk.img"
done
build "printable --cmdline" --cmdline 'quiet loglevel=3 x="a b"' "$WORK/r"
entry testos-$VERSION.conf | grep -qx 'options root=PARTUUID=[0-9a-f-]* rw console=ttyAMA0 quiet loglevel=3 x="a b"' ||
        fail "printable --cmdline: entry: $(entry testos-$VERSION.conf)"
echo "ok: printable --cmdline kept"

# A long os-release line: its tail is not a line of its own. ("ID=evil" at
# byte 255: where a 256-byte line buffer cut it.)
make_root "$WORK/osr"
{ printf 'COMMENT="'; head -c 246 /dev/zero | tr '\0' a; printf 'ID=evil'; head -c 2000 /dev/zero | tr '\0' b
  printf 'ID=evil\nID=debian\nPRETTY_NAME="Long Line Linux"\n'; } > "$WORK/osr/etc/os-release"
build "long os-release line" "$WORK/osr"
esp_ls "$out/disk.img" > "$WORK/esp.txt"
grep -q "loader/entries/debian-$VERSION.conf" "$WORK/esp.txt" || fail "long os-release line: ESP holds $(cat "$WORK/esp.txt")"
! grep -q evil "$WORK/esp.txt" || fail "long os-release line: its tail was taken as ID: $(cat "$WORK/esp.txt")"
entry "debian-$VERSION.conf" | grep -qx "title Long Line Linux" || fail "long os-release line: $(entry "debian-$VERSION.conf")"
echo "ok: long os-release line skipped whole"

# PRETTY_NAME not UTF-8: the error names the file and the line.
make_root "$WORK/utf"
printf 'ID=testos\nPRETTY_NAME="Test \xff\xfe Linux"\n' > "$WORK/utf/etc/os-release"
refused "PRETTY_NAME not UTF-8" "/etc/os-release, line 2: PRETTY_NAME is not valid UTF-8" "$out" \
        mk --layout vmspec-varstore "$WORK/utf" -o "$out/disk.img"

# Leftovers are never the newest kernel.
make_root "$WORK/old"
for s in .old .bak '~' .dpkg-tmp .dpkg-new .rpmnew .rpmsave; do
        echo "not a kernel" > "$WORK/old/boot/vmlinuz-$VERSION$s"
done
echo "not a kernel" > "$WORK/old/boot/vmlinuz-9.9.old"
build "kernel leftovers" "$WORK/old"
chosen "kernel leftovers" "kernel /boot/vmlinuz-$VERSION"
echo "ok: leftovers not chosen: $(grep -F "boot chain:" "$WORK/err.txt")"

# Fedora: the kernel in usr/lib/modules/VERSION, its initrd in /boot.
make_root "$WORK/fedora"
mkdir -p "$WORK/fedora/usr/lib/modules/$VERSION"
mv "$WORK/fedora/boot/vmlinuz-$VERSION" "$WORK/fedora/usr/lib/modules/$VERSION/vmlinuz"
echo initramfs > "$WORK/fedora/boot/initramfs-$VERSION.img"
build "usr/lib/modules kernel" "$WORK/fedora"
chosen "usr/lib/modules kernel" "kernel /usr/lib/modules/$VERSION/vmlinuz, initrd /boot/initramfs-$VERSION.img"
esp_cat "$out/disk.img" "testos/$VERSION/linux" | cmp - "$KERNEL_EFI" || fail "usr/lib/modules kernel: ESP copy differs"
echo "ok: $(grep -F "boot chain:" "$WORK/err.txt")"
# ... and the newest version wins across both places.
mkdir -p "$WORK/fedora/boot" && echo "not a kernel" > "$WORK/fedora/boot/vmlinuz-6.1.0-1-arm64"
build "usr/lib/modules kernel newer than /boot's" "$WORK/fedora"
chosen "usr/lib/modules kernel newer than /boot's" "kernel /usr/lib/modules/$VERSION/vmlinuz"
echo "ok: newest of /boot and usr/lib/modules"

# Debian: boot/vmlinuz-VERSION hard-linked to usr/lib/modules/VERSION/vmlinuz,
# the link after its target in the tar; an initrd there too.
make_root "$WORK/deb"
mkdir -p "$WORK/deb/usr/lib/modules/$VERSION"
ln "$WORK/deb/boot/vmlinuz-$VERSION" "$WORK/deb/usr/lib/modules/$VERSION/vmlinuz"
echo initrd > "$WORK/deb/usr/lib/modules/$VERSION/initrd"
tar -C "$WORK/deb" -cf "$WORK/deb.tar" usr etc boot
tar -tvf "$WORK/deb.tar" | grep -q "boot/vmlinuz-$VERSION link to usr/lib/modules/$VERSION/vmlinuz" ||
        fail "the test tar does not hold the hard link: $(tar -tvf "$WORK/deb.tar" | grep vmlinuz)"
build "hard-linked kernel" "$WORK/deb.tar"
chosen "hard-linked kernel" "kernel /boot/vmlinuz-$VERSION"
esp_cat "$out/disk.img" "testos/$VERSION/linux" | cmp - "$KERNEL_EFI" || fail "hard-linked kernel: ESP copy differs"
echo "ok: $(grep -F "boot chain:" "$WORK/err.txt")"

# --kernel and --initrd outside /boot; a hard link to a file outside every
# boot directory (the target first in the tar).
make_root "$WORK/opt"
mkdir -p "$WORK/opt/opt/k" "$WORK/opt/srv"
mv "$WORK/opt/boot/vmlinuz-$VERSION" "$WORK/opt/srv/kernel"
ln "$WORK/opt/srv/kernel" "$WORK/opt/opt/k/vmlinuz"
echo my-initrd > "$WORK/opt/opt/k/initrd"
tar -C "$WORK/opt" -cf "$WORK/opt.tar" srv opt boot etc usr
build "--kernel outside /boot" --kernel /opt/k/vmlinuz --initrd opt/k/initrd "$WORK/opt.tar"
chosen "--kernel outside /boot" "kernel /opt/k/vmlinuz, initrd /opt/k/initrd"
esp_cat "$out/disk.img" testos/current/linux | cmp - "$KERNEL_EFI" || fail "--kernel outside /boot: ESP kernel differs"
esp_cat "$out/disk.img" testos/current/initrd | grep -qx my-initrd || fail "--kernel outside /boot: ESP initrd differs"
echo "ok: $(grep -F "boot chain:" "$WORK/err.txt")"
build "--kernel outside /boot, directory" --kernel /opt/k/vmlinuz "$WORK/opt"
chosen "--kernel outside /boot, directory" "kernel /opt/k/vmlinuz"
echo "ok: --kernel outside /boot, directory input"
