#!/usr/bin/env bash
# ext4 stores times from 1901-12-13T20:45:52Z to 2446-05-10T22:38:55Z (32
# signed bits of seconds and two epoch bits). Times outside are clamped to
# that range (they used to wrap: 1901 read back as 2445, 2500 as 1955, and
# INT64_MAX was a signed overflow, an abort under UBSan), with one warning
# that names the first such entry and counts them; SOURCE_DATE_EPOCH beyond
# the range is clamped the same way. debugfs reads the times back.
. "$TESTS_DIR/cli/lib.sh"
need_tools tar debugfs

mkvm() { "$MKVMIMAGE" --arch aa64 --bootloader none --seed 3f0c1a2e-5b6d-4e7f-8a9b-0c1d2e3f4a5b "$@"; }
printf '[partition ESP]\ntype = esp\n\n[partition root]\ntype = root\nsize = 64MiB\n' > "$WORK/fixed.conf"
MIN='0x80000000:00000000'   # -2^31, epoch bits 0: 1901-12-13T20:45:52Z
MAX='0x7fffffff:00000003'   # 2^31 - 1 + 3 * 2^32: 2446-05-10T22:38:55Z

# One archive, entries in this order, each with its own mtime (pax headers
# carry any 64-bit time).
mkdir -p "$WORK/t/r"
for n in ok old future max; do echo "$n" > "$WORK/t/r/$n"; done
tar -C "$WORK/t" --format=pax -cf "$WORK/times.tar" --mtime=@1700000000 r/ok
tar -C "$WORK/t" --format=pax -rf "$WORK/times.tar" --mtime=@-2177452800 r/old          # 1901-01-01
tar -C "$WORK/t" --format=pax -rf "$WORK/times.tar" --mtime=@16725225600 r/future       # 2500-01-01
tar -C "$WORK/t" --format=pax -rf "$WORK/times.tar" --mtime=@9223372036854775807 r/max  # INT64_MAX
[ "$(tar -tf "$WORK/times.tar" | wc -l)" -eq 4 ] || fail "could not build the archive"

# mtime as debugfs shows it: "0xSECONDS:EXTRA".
mtime_of() {
        debugfs -R "stat $2" "$1?offset=$(part_offset "$1" 2)" 2>/dev/null |
                sed -n 's/^ *mtime: \(0x[0-9a-f]*:[0-9a-f]*\).*/\1/p'
}
check_image() { # IMAGE
        local out
        out=$(e2fsck -fn "$1?offset=$(part_offset "$1" 2)" 2>&1) || fail "e2fsck: $out"
        [ "$(mtime_of "$1" /r/ok)" = '0x6553f100:00000000' ] || fail "/r/ok: mtime $(mtime_of "$1" /r/ok), not 1700000000"
        [ "$(mtime_of "$1" /r/old)" = "$MIN" ] || fail "/r/old (1901-01-01): mtime $(mtime_of "$1" /r/old), not $MIN"
        [ "$(mtime_of "$1" /r/future)" = "$MAX" ] || fail "/r/future (2500): mtime $(mtime_of "$1" /r/future), not $MAX"
        [ "$(mtime_of "$1" /r/max)" = "$MAX" ] || fail "/r/max (INT64_MAX): mtime $(mtime_of "$1" /r/max), not $MAX"
}

mkvm --layout "$WORK/fixed.conf" "$WORK/times.tar" -o "$WORK/a.img" 2>"$WORK/err" ||
        fail "times out of range refused: $(cat "$WORK/err")"
check_image "$WORK/a.img"
# One warning, naming the first entry clamped and the count: old, future,
# max (r, the directory the tar implies, takes r/ok's time).
[ "$(grep -c "outside ext4's range" "$WORK/err")" -eq 1 ] || fail "not one warning: $(cat "$WORK/err")"
grep -q "3 entries with times outside ext4's range (1901-12-13T20:45:52Z .. 2446-05-10T22:38:55Z).*the first: r/old" "$WORK/err" ||
        fail "the warning does not name the first entry and count them: $(cat "$WORK/err")"
pass "1901, 2500 and INT64_MAX clamped: $(grep "outside" "$WORK/err")"

# SOURCE_DATE_EPOCH = INT64_MAX: every time (mtimes, ctime, crtime) is clamped.
SOURCE_DATE_EPOCH=9223372036854775807 mkvm --layout "$WORK/fixed.conf" "$WORK/times.tar" -o "$WORK/b.img" 2>"$WORK/err" ||
        fail "SOURCE_DATE_EPOCH=INT64_MAX refused: $(cat "$WORK/err")"
check_image "$WORK/b.img"
out=$(debugfs -R "stat /r/ok" "$WORK/b.img?offset=$(part_offset "$WORK/b.img" 2)" 2>/dev/null)
[[ $out == *"crtime: $MAX"* ]] || fail "SOURCE_DATE_EPOCH=INT64_MAX: creation time not clamped: $out"
grep -q "SOURCE_DATE_EPOCH 9223372036854775807 is after ext4's last time" "$WORK/err" ||
        fail "SOURCE_DATE_EPOCH=INT64_MAX: no warning: $(cat "$WORK/err")"
pass "SOURCE_DATE_EPOCH=INT64_MAX clamped"
