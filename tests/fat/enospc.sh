#!/bin/bash
# A full ESP gives -ENOSPC with a message saying how many bytes were needed
# and how many were free; a tree that just fits goes in.
. "$TESTS_DIR/fat/lib.sh"

mib=40
img=$WORK/disk.img
src=$WORK/src
mkdir -p "$src"
head -c $((30 * 1024 * 1024)) /dev/urandom >"$src/a.bin"
head -c $((15 * 1024 * 1024)) /dev/urandom >"$src/b.bin"

make_esp "$img" $mib 1
if out=$(fill "$img" $mib "$src" 2>&1); then
        fail "45 MiB went into a 40 MiB ESP"
fi
echo "$out"
grep -Eq 'b\.bin: ESP is full: [0-9]+ bytes needed, [0-9]+ bytes free' <<<"$out" ||
        fail "no ENOSPC message with the numbers"
grep -q 'fatfill: failed: No space left on device' <<<"$out" || fail "the error was not -ENOSPC"
needed=$(echo "$out" | sed -n 's/.*full: \([0-9]*\) bytes needed.*/\1/p')
free=$(echo "$out" | sed -n 's/.* needed, \([0-9]*\) bytes free.*/\1/p')
[ "$needed" -ge $((15 * 1024 * 1024)) ] || fail "needed $needed is less than the file"
[ "$free" -lt "$needed" ] || fail "free $free is not less than needed $needed"
[ "$free" -gt $((5 * 1024 * 1024)) ] || fail "free $free: the first file took too much"

# What fits, fits exactly: fill the space fatfill reports free after a.bin.
rm "$src/b.bin"
make_esp "$img" $mib 1
out=$(fill "$img" $mib "$src") || fail "a.bin alone did not fit"
free=$(echo "$out" | awk '{ print $2 }')
rm -rf "$src"
mkdir -p "$src"
head -c $((30 * 1024 * 1024)) /dev/urandom >"$src/a.bin"
head -c "$free" /dev/urandom >"$src/b.bin"
make_esp "$img" $mib 1
out=$(fill "$img" $mib "$src") || fail "a file of exactly the free size did not fit"
[ "$(echo "$out" | awk '{ print $2 }')" = 0 ] || fail "space left after filling: $out"
check_fsck "$img" $mib
check_readback "$img" "$src"
[ "$(mdir -i "$img@@$OFFSET" ::/ | awk '/bytes free/ { gsub(/[^0-9]/, ""); print }')" = 0 ] ||
        fail "mtools sees free space in a full ESP"
echo "enospc: ok"
