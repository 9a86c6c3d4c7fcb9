#!/usr/bin/env bash
# ROOTFS must be a directory or a tar, cpio or zip archive (compressed or
# not). Text was taken as an mtree description (`echo garbage | mkvmimage
# ... -` made a root holding /garbage, mode 0000) and an empty input as an
# empty archive; both gave exit 0. An empty but valid archive (a tar of no
# entries) is what the user clearly gave: an empty root.
. "$(dirname "$0")/content-lib.sh"

run() { "$MKVMIMAGE" -q --arch aa64 --bootloader none "$@"; }

expect_failure "text on standard input" "expected a directory or a tar, cpio or zip archive" \
        sh -c 'printf "garbage\n" | "$0" -q --arch aa64 --bootloader none - -o "$1"' "$MKVMIMAGE" "$WORK/out/x.img"
printf '#mtree\n./etc type=dir\n./etc/passwd type=file mode=0644\n' >"$WORK/mtree.txt"
expect_failure "an mtree description" "mtree.txt: .*expected a directory or a tar, cpio or zip archive" \
        run "$WORK/mtree.txt" -o "$WORK/out/x.img"
printf 'garbage\n' | gzip >"$WORK/garbage.gz"
expect_failure "compressed text" "garbage.gz: .*expected a directory or a tar, cpio or zip archive" \
        run "$WORK/garbage.gz" -o "$WORK/out/x.img"
: >"$WORK/empty.tar"
expect_failure "a 0-byte file" "empty.tar is empty, not an archive" run "$WORK/empty.tar" -o "$WORK/out/x.img"
expect_failure "/dev/null" "/dev/null is empty, not an archive" run /dev/null -o "$WORK/out/x.img"
expect_failure "empty standard input" "standard input is empty" \
        sh -c '"$0" -q --arch aa64 --bootloader none - -o "$1" </dev/null' "$MKVMIMAGE" "$WORK/out/x.img"

# An empty archive given on purpose: an empty root (lost+found only).
tar -cf "$WORK/none.tar" -T /dev/null
for src in file stdin; do
        rm -f "$WORK/empty-root.img"
        if [ $src = file ]; then
                run "$WORK/none.tar" -o "$WORK/empty-root.img" 2>/dev/null || fail "an empty tar was refused"
        else
                run - -o "$WORK/empty-root.img" <"$WORK/none.tar" 2>/dev/null || fail "an empty tar on stdin was refused"
        fi
        fsck_clean "$WORK/empty-root.img"
        names=$(debugfs -R "ls -p /" "$(root_spec "$WORK/empty-root.img")" 2>/dev/null |
                awk -F/ 'NF > 5 { print $6 }' | LC_ALL=C sort | tr '\n' ' ')
        [ "$names" = ". .. lost+found " ] || fail "empty tar ($src): the root holds: $names"
        pass "an empty tar ($src) gives an empty root: $names"
done

# The formats the README lists are still read: cpio and zip (tar is
# everywhere in the other tests).
mkdir -p "$WORK/tree/etc"
printf 'hello\n' >"$WORK/tree/etc/hostname"
(cd "$WORK/tree" && find . | cpio -o -H newc --quiet) | xz >"$WORK/tree.cpio.xz"
python3 -c 'import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w") as z:
    z.write(sys.argv[2], "etc/hostname")' "$WORK/tree.zip" "$WORK/tree/etc/hostname"
for a in tree.cpio.xz tree.zip; do
        rm -f "$WORK/ok.img"
        run "$WORK/$a" -o "$WORK/ok.img" 2>/dev/null || fail "$a refused"
        [ "$(debugfs -R "cat /etc/hostname" "$(root_spec "$WORK/ok.img")" 2>/dev/null)" = hello ] ||
                fail "$a: /etc/hostname does not read back"
        pass "$a read"
done
