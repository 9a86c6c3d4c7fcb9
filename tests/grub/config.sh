# grub_config(): the grub.cfg text is what GRUB's own grub-script-check
# accepts, holds the kernel, initrd and command line quoted for GRUB's
# parser, goes to EFI/BOOT/grub.cfg; what GRUB would mangle is refused.
set -euo pipefail
GRUBBUILD=$1
. "$TESTS_DIR/grub/lib.sh"
command -v grub-script-check >/dev/null || fail "grub-script-check not found: run scripts/setup-deps (grub-common)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cmdline='root=PARTUUID=114A2A58-23D0-4B49-A921-F991512AB1A2 rw  console=ttyAMA0 panic=-1 vmimage.grub="two words" x=$y;z{}'
path=$("$GRUBBUILD" config "$work/grub.cfg" "${UUID1^^}" /boot/vmlinuz-6.1.0-26-arm64 /boot/initrd.img-6.1.0-26-arm64 \
        "$cmdline" "Debian GNU/Linux 12 (it's \"bookworm\")") || fail "grub_config failed"
[ "$path" = EFI/BOOT/grub.cfg ] || fail "ESP path is '$path', expected EFI/BOOT/grub.cfg"
cat "$work/grub.cfg"
grub-script-check "$work/grub.cfg" || fail "grub-script-check refuses the generated grub.cfg"

expect_line() {
        grep -qxF -- "$1" "$work/grub.cfg" || fail "grub.cfg lacks the line: $1"
}
expect_line 'set timeout=0'
expect_line "menuentry 'Debian GNU/Linux 12 (it'\\''s \"bookworm\")' {"
expect_line "        linux /boot/vmlinuz-6.1.0-26-arm64 root=PARTUUID=114A2A58-23D0-4B49-A921-F991512AB1A2 rw console=ttyAMA0 panic=-1 'vmimage.grub=two words' 'x=\$y;z{}'"
expect_line '        initrd /boot/initrd.img-6.1.0-26-arm64'
grep -qF "ext4 UUID $UUID1" "$work/grub.cfg" || fail "grub.cfg does not name the root UUID in lower case"
[ "$(grep -c menuentry "$work/grub.cfg")" = 1 ] || fail "expected one menu entry"

# No initrd, no title.
"$GRUBBUILD" config "$work/noinitrd.cfg" "$UUID1" /boot/vmlinuz - root=/dev/vda2 >/dev/null || fail "config without initrd failed"
grub-script-check "$work/noinitrd.cfg" || fail "grub-script-check refuses the config without initrd"
! grep -q initrd "$work/noinitrd.cfg" || fail "an initrd line without an initrd"
grep -qxF "menuentry 'Linux' {" "$work/noinitrd.cfg" || fail "no default title"

# A title with control characters still parses.
"$GRUBBUILD" config "$work/title.cfg" "$UUID1" /boot/vmlinuz - root=/dev/vda2 $'two\nlines\t' >/dev/null ||
        fail "config with a two-line title failed"
grub-script-check "$work/title.cfg" || fail "grub-script-check refuses the config with a two-line title"
grep -qxF "menuentry 'two lines ' {" "$work/title.cfg" || fail "control characters not replaced in the title"

expect_refused "kernel path 'boot/vmlinuz' is not absolute" -- \
        "$GRUBBUILD" config "$work/x.cfg" "$UUID1" boot/vmlinuz - "rw"
expect_refused "initrd path 'initrd.img' is not absolute" -- \
        "$GRUBBUILD" config "$work/x.cfg" "$UUID1" /boot/vmlinuz initrd.img "rw"
expect_refused "kernel path '/boot/it's' holds a quote" -- \
        "$GRUBBUILD" config "$work/x.cfg" "$UUID1" "/boot/it's" - "rw"
expect_refused "holds ' or \\: GRUB 2.06 escapes them" -- \
        "$GRUBBUILD" config "$work/x.cfg" "$UUID1" /boot/vmlinuz - "rw foo='a b'"
expect_refused "holds ' or \\" -- \
        "$GRUBBUILD" config "$work/x.cfg" "$UUID1" /boot/vmlinuz - 'rw path=C:\x'
expect_refused "has an unbalanced \"" -- \
        "$GRUBBUILD" config "$work/x.cfg" "$UUID1" /boot/vmlinuz - 'rw foo="a b'
expect_refused "kernel command line holds a control character" -- \
        "$GRUBBUILD" config "$work/x.cfg" "$UUID1" /boot/vmlinuz - $'rw\ninit=/bin/sh'
expect_refused "'nope' is not a UUID" -- \
        "$GRUBBUILD" config "$work/x.cfg" nope /boot/vmlinuz - rw
[ ! -e "$work/x.cfg" ] || fail "a refused request left $work/x.cfg"
