#!/usr/bin/env bash
# The output appears only when complete: an existing file is not replaced
# without --force, and SIGTERM or SIGINT while writing leaves nothing behind.
. "$TESTS_DIR/cli/lib.sh"
aa64=$(systemd_boot arm64)
mkdir -p "$WORK/out"
out=$WORK/out/disk.img

echo precious > "$out"
rc=0
"$MKVMIMAGE" -q --arch aa64 --bootloader "$aa64" -o "$out" 2>"$WORK/stderr" || rc=$?
[ $rc -ne 0 ] && grep -q "already exists.*--force" "$WORK/stderr" || fail "existing output: rc=$rc $(cat "$WORK/stderr")"
[ "$(cat "$out")" = precious ] || fail "existing output was changed"
pass "existing output kept without --force"

"$MKVMIMAGE" -q --arch aa64 --bootloader "$aa64" -o "$out" --force
sgdisk -v "$out" | grep >/dev/null "No problems found" || fail "--force did not write an image"
[ "$(stat -c %a "$out")" = "$(printf '%o' $((0666 & ~$(umask))))" ] || fail "mode $(stat -c %a "$out") ignores the umask"
pass "--force replaces it"
rm -f "$out"

# ROOTFS given as a FIFO whose writer stalls holds mkvmimage while it spools
# the FIFO into its run directory (.mkvmimage-XXXXXX): a deterministic
# moment to interrupt it. (A FIFO as --bootloader is refused at once.)
for sig in TERM INT; do
        rm -f "$WORK/fifo"
        mkfifo "$WORK/fifo"
        sleep 60 > "$WORK/fifo" &
        writer=$!
        # A background job of a script starts with SIGINT ignored, and
        # mkvmimage keeps what was ignored at start: give it the default.
        env --default-signal=INT "$MKVMIMAGE" -q --arch aa64 --bootloader "$aa64" "$WORK/fifo" -o "$out" 2>/dev/null &
        pid=$!
        for _ in $(seq 1 100); do
                ls -A "$WORK/out" | grep >/dev/null . && break
                sleep 0.1
        done
        ls -A "$WORK/out" | grep >/dev/null '^\.mkvmimage-' || fail "SIG$sig: no run directory appeared"
        sleep 0.2
        kill -s "$sig" "$pid"
        rc=0
        wait "$pid" || rc=$?
        [ $rc -ne 0 ] || fail "SIG$sig: exit status 0"
        kill "$writer" 2>/dev/null || true
        wait "$writer" 2>/dev/null || true
        [ -z "$(ls -A "$WORK/out")" ] || fail "SIG$sig: left $(ls -A "$WORK/out")"
        pass "SIG$sig while writing: nothing left (exit $rc)"
done
