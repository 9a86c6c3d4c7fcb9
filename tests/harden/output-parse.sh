#!/usr/bin/env bash
# -o "" is refused when the command line is read, before any work, for the
# image and the bundle; --print-plan writes nothing, so it runs from a
# current directory nobody can write to (/proc, read-only even for root),
# ROOTFS on standard input and a boot chain included.
. "$TESTS_DIR/harden/output-lib.sh"
make_root "$WORK/root"
mkdir -p "$WORK/out" "$WORK/tmp"
export TMPDIR=$WORK/tmp

for cmd in image bundle; do
        case $cmd in
        image) args=(--arch aa64 --bootloader "$SB" -o "") ;;
        bundle) args=(bundle --arch aa64 "$WORK/none.img" -o "") ;;
        esac
        rc=0
        (cd "$WORK/out" && traced openat,mkdir,rename,renameat2 "$MKVMIMAGE" "${args[@]}") 2>"$WORK/err" || rc=$?
        [ $rc -ne 0 ] || fail "$cmd -o \"\": exit 0"
        grep -q "empty" "$WORK/err" || fail "$cmd -o \"\": $(cat "$WORK/err")"
        ! grep -E 'O_CREAT|mkdir|rename' "$WORK/trace" >/dev/null || fail "$cmd -o \"\": work began: $(grep -E 'O_CREAT|mkdir|rename' "$WORK/trace")"
        only_in "$WORK/out"
        pass "$cmd -o \"\": refused at once: $(tail -n1 "$WORK/err")"
done

tar -C "$WORK/root" -c . > "$WORK/root.tar"
(cd /proc && "$MKVMIMAGE" --arch aa64 --print-plan - < "$WORK/root.tar") >"$WORK/plan" 2>"$WORK/err" ||
        fail "--print-plan in /proc: $(cat "$WORK/err")"
grep -q "root" "$WORK/plan" || fail "--print-plan printed no plan: $(cat "$WORK/plan")"
(cd /proc && "$MKVMIMAGE" --arch aa64 --print-plan=json "$WORK/root") 2>"$WORK/err" | jq -e '.partitions | length == 2' >/dev/null ||
        fail "--print-plan=json in /proc: $(cat "$WORK/err")"
only_in "$WORK/tmp"
pass "--print-plan from a read-only current directory"
