# Helpers for the output-hardening tests (sourced): a tiny root tree whose
# boot chain mkvmimage finds (systemd-boot, and systemd-boot's own PE as a
# stand-in kernel: only its EFI stub is checked), and readers we did not
# write (sfdisk, debugfs, e2fsck, sgdisk) for what comes out.
. "$TESTS_DIR/cli/lib.sh"
need_tools debugfs strace timeout

SB=$(systemd_boot arm64)

# make_root DIR: the tree, with /etc/hostname "hello" as a content probe.
make_root() {
        mkdir -p "$1/boot" "$1/usr/lib/systemd/boot/efi" "$1/etc"
        cp "$SB" "$1/usr/lib/systemd/boot/efi/systemd-bootaa64.efi"
        cp "$SB" "$1/boot/vmlinuz-6.1.0"
        echo ID=debian > "$1/etc/os-release"
        echo hello > "$1/etc/hostname"
}

# root_fs IMG FILE: the root partition (partition 2) copied out to FILE.
root_fs() {
        local start size
        start=$(part_field "$1" 2 start)
        size=$(part_field "$1" 2 size)
        dd if="$1" of="$2" bs=512 skip="$start" count="$size" status=none
}

# check_root IMG: e2fsck clean, /etc/hostname and the kernel present.
check_root() {
        root_fs "$1" "$WORK/root.ext4"
        e2fsck -fn "$WORK/root.ext4" >"$WORK/fsck" 2>&1 || fail "e2fsck: $(cat "$WORK/fsck")"
        [ "$(debugfs -R 'cat /etc/hostname' "$WORK/root.ext4" 2>/dev/null)" = hello ] ||
                fail "$1: /etc/hostname is not in the root"
        debugfs -R 'stat /boot/vmlinuz-6.1.0' "$WORK/root.ext4" 2>/dev/null | grep -q "Size: $(stat -c %s "$SB")" ||
                fail "$1: /boot/vmlinuz-6.1.0 is missing or short in the root"
}

# only_in DIR NAME...: DIR holds exactly NAMEs (dot files included).
only_in() {
        local dir=$1 got want
        shift
        got=$(ls -A "$dir" | sort | tr '\n' ' ')
        want=$(printf '%s\n' "$@" | sed '/^$/d' | sort | tr '\n' ' ')
        [ "$got" = "$want" ] || fail "$dir holds '$got', expected '$want'"
}

# traced CMD...: CMD under strace (trace in $WORK/trace), with
# LeakSanitizer off in a sanitizer build: it does not work under ptrace.
traced() {
        local trace=$1
        shift
        ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 strace -f -qq -e "trace=$trace" -o "$WORK/trace" "$@"
}
