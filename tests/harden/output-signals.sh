#!/usr/bin/env bash
# Signals leave nothing behind: SIGTERM while the boot files are being taken
# out of ROOTFS, SIGHUP under nohup (ignored at start: stays ignored, the run
# completes), a closed pipe on stderr (`mkvmimage ... 2>&1 | head`: the image
# is written, exit 0, never killed by SIGPIPE) and on stdout (--print-plan:
# exit 1, not killed).
. "$TESTS_DIR/harden/output-lib.sh"
make_root "$WORK/root"
out=$WORK/out
mkdir -p "$out"
# A fixed-size root: ROOTFS is read first for the boot files.
sed 's/^size = auto/size = 64MiB/' "$SOURCE_DIR/layouts/vmspec.conf" > "$WORK/fixed.conf"
mkfifo "$WORK/fifo"

# wait_for_entry DIR: until something appears in DIR (10 s at most).
wait_for_entry() {
        for _ in $(seq 1 100); do
                [ -n "$(ls -A "$1")" ] && return 0
                sleep 0.1
        done
        fail "nothing appeared in $1"
}

# SIGTERM while ROOTFS (a FIFO whose writer stalls) is being read.
{ tar -C "$WORK/root" -c . | head -c 8192 || true; exec sleep 30; } > "$WORK/fifo" &
writer=$!
"$MKVMIMAGE" -q --arch aa64 --layout "$WORK/fixed.conf" "$WORK/fifo" -o "$out/disk.img" 2>"$WORK/err" &
pid=$!
wait_for_entry "$out"
sleep 0.5
kill -TERM "$pid" || fail "SIGTERM: mkvmimage had ended: $(cat "$WORK/err")"
rc=0; wait "$pid" || rc=$?
kill "$writer" 2>/dev/null || true
wait "$writer" 2>/dev/null || true
[ $rc -ne 0 ] || fail "SIGTERM: exit status 0"
only_in "$out"
pass "SIGTERM while reading ROOTFS: nothing left (exit $rc)"

# SIGHUP under nohup: ignored; the run completes once the writer has written.
{ sleep 3; tar -C "$WORK/root" -c .; } > "$WORK/fifo" &
writer=$!
nohup "$MKVMIMAGE" -q --arch aa64 --layout "$WORK/fixed.conf" "$WORK/fifo" -o "$out/disk.img" \
        >/dev/null 2>"$WORK/err" &
pid=$!
wait_for_entry "$out"
sleep 0.5
kill -HUP "$pid"
rc=0; wait "$pid" || rc=$?
wait "$writer"
[ $rc -eq 0 ] || fail "SIGHUP under nohup: exit status $rc: $(cat "$WORK/err")"
check_root "$out/disk.img"
only_in "$out" disk.img
pass "SIGHUP under nohup: ignored, the image is whole"
rm -f "$out/disk.img"

# run_closed STREAM CMD...: CMD with STREAM (stdout or stderr) a pipe whose
# reader is gone (both, for stderr: `2>&1 | head`); its exit status is
# printed, -N for a signal.
run_closed() {
        python3 - "$@" <<'PY'
import os, subprocess, sys
r, w = os.pipe()
os.close(r)
kw = {"stdout": w, "stderr": w} if sys.argv[1] == "stderr" else {"stdout": w}
print(subprocess.call(sys.argv[2:], **kw))   # restores SIGPIPE's default in the child
PY
}

rc=$(run_closed stderr "$MKVMIMAGE" --arch aa64 "$WORK/root" -o "$out/disk.img")
[ "$rc" = 0 ] || fail "closed stderr: exit status $rc"
check_root "$out/disk.img"
only_in "$out" disk.img
pass "closed stderr (2>&1 | head): exit 0, the image whole, nothing else left"

mkdir "$WORK/tmp"
rc=$(TMPDIR=$WORK/tmp run_closed stdout "$MKVMIMAGE" --arch aa64 --print-plan "$WORK/root")
[ "$rc" = 1 ] || fail "--print-plan to a closed stdout: exit status $rc"
only_in "$WORK/tmp"
only_in "$out" disk.img
pass "--print-plan to a closed stdout: exit 1, nothing left"
