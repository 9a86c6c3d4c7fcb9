#!/usr/bin/env bash
# Issue 11, item 2 (GRUB's part): grub-mkimage's output and the early config
# it embeds are made inside mkvmimage's private directory (mkdir 0700,
# random name), created anew with O_EXCL|O_NOFOLLOW by mkvmimage, never at a
# name beside the output or in $TMPDIR where another user could plant a
# symlink. strace shows where each process opens what; grub-mkimage reads
# its modules from the private directory, never from the ROOTFS tree on the
# host (item 1).
. "$TESTS_DIR/harden/grub-lib.sh"
need_tools strace

make_root "$WORK/r" grub
mkdir "$WORK/out" "$WORK/tmp"
trace=$WORK/trace
# LeakSanitizer cannot run under ptrace: off for a sanitizer build's run.
TMPDIR=$WORK/tmp ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 strace -f -qq -s 1000 -e trace=openat,open,creat,mkdir,mkdirat,execve -o "$trace" \
        "$MKVMIMAGE" -q --seed "$SEED" --arch aa64 --bootloader grub "$WORK/r" -o "$WORK/out/disk.img" ||
        fail "mkvmimage failed"
[ "$(ls -A "$WORK/out")" = disk.img ] || fail "left $(ls -A "$WORK/out") beside the output"
[ -z "$(ls -A "$WORK/tmp")" ] || fail "left $(ls -A "$WORK/tmp") in TMPDIR"

exec_line=$(grep -E 'execve\("[^"]*grub-mkimage"' "$trace" | head -n 1)
[ -n "$exec_line" ] || fail "grub-mkimage was not run"
mkimage_pid=${exec_line%% *}
arg() { grep -oE "\"$1\", \"[^\"]+\"" <<<"$exec_line" | sed -E 's/.*, "([^"]+)"/\1/'; }

# The private directory: where grub-mkimage's output goes, made (it or a
# directory above it) by mkdir with mode 0700 during the run.
private=$(dirname "$(arg --output)")
d=$private
until grep -qF "mkdir(\"$d\", 0700) = 0" "$trace"; do
        [ "$d" != / ] && [ "$d" != . ] || fail "grub-mkimage's output $(arg --output) is in no directory made with mode 0700 by this run"
        d=$(dirname "$d")
done
echo "ok: private directory $private (made 0700: $d)"

for opt in --directory --config --output; do
        v=$(arg "$opt")
        case $v in
        "$private"/*) echo "ok: grub-mkimage $opt $v" ;;
        *) fail "grub-mkimage $opt '$v' is not inside the private directory $private" ;;
        esac
done

# mkvmimage made both files it hands over, exclusively and without following links.
for f in grub-early.cfg grub.efi; do
        grep -E "^[0-9]+ +openat\(AT_FDCWD, \"$private/$f\", O_WRONLY\|O_CREAT\|O_EXCL\|O_NOFOLLOW" "$trace" | grep -v "^$mkimage_pid " >/dev/null ||
                fail "$private/$f was not created with O_CREAT|O_EXCL|O_NOFOLLOW by mkvmimage: $(grep -F "$f" "$trace" | head -n 3)"
        echo "ok: $f created O_EXCL|O_NOFOLLOW"
done

# grub-mkimage writes nothing outside the private directory and reads
# nothing of the ROOTFS tree itself.
while read -r line; do
        path=$(sed -E 's/^[0-9]+ +open(at)?\((AT_FDCWD, )?"([^"]*)".*/\3/' <<<"$line")
        case $path in
        "$private"/*) ;;
        *) fail "grub-mkimage opened $path for writing: $line" ;;
        esac
done < <(grep -E "^$mkimage_pid +open(at)?\(.*(O_WRONLY|O_RDWR|O_CREAT)" "$trace")
! grep -E "^$mkimage_pid +open(at)?\(" "$trace" | grep -F "\"$WORK/r/" ||
        fail "grub-mkimage read the ROOTFS tree on the host"
echo "ok: grub-mkimage writes only inside $private and reads nothing of $WORK/r"
