#!/usr/bin/env bash
# Every temporary file lives in one private run directory: strace shows that
# the only thing mkvmimage creates in the output directory is
# `.mkvmimage-XXXXXX` (mode 0700), that every file is created with O_EXCL,
# and that the image leaves it by one rename. Names planted in the output
# directory (symlinks to a file to protect) are never followed.
. "$TESTS_DIR/harden/output-lib.sh"
make_root "$WORK/root"
out=$WORK/out
mkdir -p "$out"
echo precious > "$WORK/precious"
for name in .mkvmimage-boot.grub.efi .disk.img.tmp .mkvmimage-stdin.tmp .mkvmimage-spool; do
        ln -s "$WORK/precious" "$out/$name"
done
planted=$(ls -A "$out")

tar -C "$WORK/root" -c . |
        traced open,openat,creat,mkdir,mkdirat,rename,renameat,renameat2,link,linkat,symlink,symlinkat \
        "$MKVMIMAGE" -q --arch aa64 - -o "$out/disk.img" || fail "mkvmimage failed"
check_root "$out/disk.img"
[ "$(cat "$WORK/precious")" = precious ] || fail "a planted symlink was followed"
only_in "$out" $planted disk.img

# Everything created by absolute name in $out: the run directory, or inside it.
grep -E "\"$out/[^\"]*\"" "$WORK/trace" | grep -E 'O_CREAT|mkdir|rename|link' > "$WORK/created" || true
[ -s "$WORK/created" ] || fail "strace saw nothing created in $out"
bad=$(grep -vE "\"$out/\.mkvmimage-[A-Za-z0-9]{6}(/[^\"]*)?\"" "$WORK/created" | grep -v 'rename' || true)
[ -z "$bad" ] || fail "created outside the run directory: $bad"
grep -E "mkdir\(\"$out/\.mkvmimage-[A-Za-z0-9]{6}\", 0700\)" "$WORK/created" >/dev/null ||
        fail "no private run directory made: $(cat "$WORK/created")"
bad=$(grep 'O_CREAT' "$WORK/created" | grep -v 'O_EXCL' || true)
[ -z "$bad" ] || fail "created without O_EXCL: $bad"
grep -E "rename[a-z0-9]*\(.*\"$out/\.mkvmimage-[A-Za-z0-9]{6}/[^\"]+\", .*\"$out/disk.img\"" "$WORK/created" >/dev/null ||
        fail "the image did not leave the run directory by a rename: $(grep rename "$WORK/created")"
pass "one private run directory, O_EXCL everywhere, planted links untouched"
