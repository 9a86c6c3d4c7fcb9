#!/usr/bin/env bash
# A ROOTFS that can be read only once (`<(tar c ...)`, a named FIFO) is read
# once and gives the whole root; a FIFO nothing writes to is an error naming
# it within seconds, not a hang.
. "$TESTS_DIR/harden/output-lib.sh"
make_root "$WORK/root"
mkdir -p "$WORK/out"
mk() { timeout 60 "$MKVMIMAGE" -q --arch aa64 "$@"; }

mk <(tar -C "$WORK/root" -c .) -o "$WORK/out/subst.img" || fail "<(tar c ...) failed"
check_root "$WORK/out/subst.img"
pass "<(tar c ...): the whole root, e2fsck clean"

mkfifo "$WORK/fifo"
tar -C "$WORK/root" -c . > "$WORK/fifo" &
mk "$WORK/fifo" -o "$WORK/out/fifo.img" || fail "a named FIFO failed"
wait
check_root "$WORK/out/fifo.img"
only_in "$WORK/out" subst.img fifo.img
pass "named FIFO: the whole root, e2fsck clean"

start=$(date +%s)
rc=0; mk "$WORK/fifo" -o "$WORK/out/nowriter.img" 2>"$WORK/err" || rc=$?
took=$(( $(date +%s) - start ))
[ $rc -ne 0 ] && [ $rc -ne 124 ] || fail "FIFO without a writer: rc=$rc after ${took}s"
[ $took -le 10 ] || fail "FIFO without a writer: gave up only after ${took}s"
grep -q "$WORK/fifo" "$WORK/err" || fail "FIFO without a writer: the message does not name it: $(cat "$WORK/err")"
only_in "$WORK/out" subst.img fifo.img
pass "FIFO without a writer: error in ${took}s: $(tail -n1 "$WORK/err")"
