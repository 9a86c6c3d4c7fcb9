#!/usr/bin/env bash
# Sizes: content that does not fit, more entries than inodes (both errors
# that say what is needed), and the estimate (size = auto) that fits.
. "$TESTS_DIR/ext4/lib.sh"

mkdir -p "$WORK/big"
head -c 40000000 /dev/urandom > "$WORK/big/payload"
truncate -s 16M "$WORK/small.img"
expect_failure "content does not fit" "$EXT4FILL" "$WORK/small.img" 0 16M "$WORK/big"
need=$(sed -n 's/.*needs at least \([0-9]*\) MiB.*/\1/p' "$WORK/err.log")
[ -n "$need" ] && [ "$need" -ge 39 ] && [ "$need" -le 48 ] || { cat "$WORK/err.log" >&2; die "ENOSPC message does not say how much is needed (38 MiB data + metadata)"; }

mkdir -p "$WORK/many"
for i in $(seq 1 400); do : > "$WORK/many/f$i"; done
truncate -s 64M "$WORK/inodes.img"
expect_failure "out of inodes" "$EXT4FILL" --inodes 128 "$WORK/inodes.img" 0 64M "$WORK/many"
grep -q "the content has 401 entries" "$WORK/err.log" || { cat "$WORK/err.log" >&2; die "inode message lacks the count"; }

# size = auto: the estimate holds the every-kind tree plus the big file,
# and is not far above what the data needs.
make_tree "$WORK/tree"
cp "$WORK/big/payload" "$WORK/tree/payload"
touch "$WORK/auto.img"
"$EXT4FILL" --uuid "$UUID" "$WORK/auto.img" 0 auto "$WORK/tree" > "$WORK/auto.out" || die "size=auto does not fit its content"
fsck_clean "$WORK/auto.img" 0
size=$(stat -c %s "$WORK/auto.img")
[ "$size" -lt $((200 * 1024 * 1024)) ] || die "estimate $size is far above the ~50 MiB of content"
manifest_dir "$WORK/tree" > "$WORK/expected"
manifest_img "$WORK/auto.img" 0 > "$WORK/actual"
compare_manifests "$WORK/expected" "$WORK/actual" "auto-sized image"

# An archive can be estimated too (one extra pass).
tar --xattrs --numeric-owner -C "$WORK/tree" -cJf "$WORK/tree.tar.xz" .
"$EXT4FILL" --estimate "$WORK/tree.tar.xz" > "$WORK/est" || die "estimate of a tar.xz failed"
read -r bytes inodes < "$WORK/est"
[ "$bytes" -ge $((40 * 1024 * 1024)) ] && [ "$inodes" -ge 700 ] || die "tar.xz estimate too small: $bytes $inodes"
echo PASS
