#!/usr/bin/env bash
# mkvmimage bundle follows the image's output rules: an existing file is
# replaced only with --force (GNU tar reads the new one), never through a
# link to anything but a regular file, and SIGTERM while it writes leaves
# nothing in the output directory.
. "$TESTS_DIR/harden/output-lib.sh"
need_tools tar xz
out=$WORK/out
mkdir -p "$out" "$WORK/esp"
# Random data on the ESP: xz takes seconds over it, time to interrupt.
head -c 12M /dev/urandom > "$WORK/esp/noise.bin"
"$MKVMIMAGE" -q --arch aa64 --bootloader "$SB" --esp-dir "$WORK/esp" -o "$WORK/disk.img" ||
        fail "cannot build the image to bundle"
bundle() { SOURCE_DATE_EPOCH=1700000000 "$MKVMIMAGE" bundle -q --arch aa64 "$WORK/disk.img" "$@"; }

echo precious > "$out/app.tar"
rc=0; bundle -o "$out/app.tar" 2>"$WORK/err" || rc=$?
[ $rc -ne 0 ] && grep -q "already exists.*--force" "$WORK/err" || fail "existing bundle without --force: rc=$rc $(cat "$WORK/err")"
[ "$(cat "$out/app.tar")" = precious ] || fail "existing bundle replaced without --force"
only_in "$out" app.tar
pass "existing bundle kept without --force: $(tail -n1 "$WORK/err")"

bundle --force -o "$out/app.tar" || fail "bundle --force failed"
tar -tf "$out/app.tar" > "$WORK/list" && grep -q '/disk.img$' "$WORK/list" || fail "--force did not write a bundle"
only_in "$out" app.tar
pass "--force replaces it"

mkfifo "$WORK/fifo"
ln -s "$WORK/fifo" "$out/link.tar"
rc=0; timeout 20 "$MKVMIMAGE" bundle -q --arch aa64 "$WORK/disk.img" --force -o "$out/link.tar" 2>"$WORK/err" || rc=$?
[ $rc -ne 0 ] && [ $rc -ne 124 ] && grep -q "not a regular file" "$WORK/err" || fail "--force over a link to a FIFO: rc=$rc $(cat "$WORK/err")"
[ -L "$out/link.tar" ] && [ -p "$WORK/fifo" ] || fail "--force over a link to a FIFO: replaced"
rm "$out/link.tar"
pass "--force over a link to a FIFO: refused"

rm -f "$out/app.tar"
SOURCE_DATE_EPOCH=1700000000 "$MKVMIMAGE" bundle -q --arch aa64 "$WORK/disk.img" -o "$out/app.tar.xz" &
pid=$!
for _ in $(seq 1 100); do
        [ -n "$(ls -A "$out")" ] && break
        sleep 0.1
done
[ -n "$(ls -A "$out")" ] || fail "SIGTERM: the bundle wrote nothing in 10 s"
sleep 0.5
kill -TERM "$pid" || fail "SIGTERM: the bundle was already written (make the noise larger)"
rc=0; wait "$pid" || rc=$?
[ $rc -ne 0 ] || fail "SIGTERM: exit status 0"
only_in "$out"
pass "SIGTERM while writing a .tar.xz: nothing left (exit $rc)"
