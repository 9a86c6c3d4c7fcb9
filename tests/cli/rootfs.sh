#!/usr/bin/env bash
# ROOTFS fills the root partition: a directory, the same tree as a tar.xz,
# and as a tar on standard input give the same root partition bytes (with a
# seed), and debugfs reads back every entry as in the input: type, mode,
# owner, times, content, link target, xattrs, devices, hard links.
. "$TESTS_DIR/cli/lib.sh"
EXT4FILL=$MKVMIMAGE . "$TESTS_DIR/ext4/lib.sh"
loader=$(systemd_boot arm64)
seed=5b0c9a1e-2d3f-4a5b-8c7d-fedcba987654
export SOURCE_DATE_EPOCH=1800000000

tree=$WORK/tree
make_tree "$tree"
tar -C "$tree" --xattrs --xattrs-include='*' --numeric-owner --sort=name -cJf "$WORK/tree.tar.xz" .

build() { "$MKVMIMAGE" -q --arch aa64 --bootloader "$loader" --seed "$seed" "$@"; }
root_bytes() {   # sha256 of partition 2
        dd if="$1" bs=1M skip=$(( $(part_offset "$1" 2) / 1048576 )) count=$(( $(part_field "$1" 2 size) / 2048 )) status=none | sha256sum
}

build "$tree" -o "$WORK/dir.img"
build "$WORK/tree.tar.xz" -o "$WORK/tar.img"
build - -o "$WORK/stdin.img" < "$WORK/tree.tar.xz"
for img in dir tar stdin; do
        sgdisk -v "$WORK/$img.img" | grep >/dev/null "No problems found" || fail "$img: sgdisk -v"
        [ "$(part_field "$WORK/$img.img" 2 type)" = "$AA64_ROOT_TYPE" ] || fail "$img: root type"
        fsck_clean "$WORK/$img.img" "$(part_offset "$WORK/$img.img" 2)"
done
pass "directory, tar.xz and stdin images: GPT valid, e2fsck clean"

a=$(root_bytes "$WORK/dir.img"); b=$(root_bytes "$WORK/tar.img"); c=$(root_bytes "$WORK/stdin.img")
[ "$a" = "$b" ] || fail "directory and tar.xz give different root partitions"
[ "$a" = "$c" ] || fail "tar.xz from a file and from stdin give different root partitions"
pass "directory, tar.xz and stdin give the same root partition bytes"

# The tree as debugfs sees it, entry by entry (mtimes clamped like the image's).
manifest_dir "$tree" | awk -F'|' -v OFS='|' -v e="$SOURCE_DATE_EPOCH" '$6 > e { $6 = e } 1' > "$WORK/expected"
manifest_img "$WORK/dir.img" "$(part_offset "$WORK/dir.img" 2)" > "$WORK/actual"
compare_manifests "$WORK/expected" "$WORK/actual" "root partition"
pass "every entry read back by debugfs matches the input"

# Sparse input stays sparse: the image allocates about what it holds.
payload=$(du -sk --apparent-size "$tree" | cut -f1)
alloc=$(du -k "$WORK/dir.img" | cut -f1)
[ "$alloc" -lt $((10 * 1024 + 20 * 1024)) ] || fail "image allocates $alloc KiB for a tree of $payload KiB apparent (64 MiB of it a hole)"
pass "sparse: $alloc KiB allocated"

# --owner root: a tree owned by someone else becomes 0:0.
build --owner root "$tree" -o "$WORK/owner.img"
debugfs -R "stat /var/mail/user" "$WORK/owner.img?offset=$(part_offset "$WORK/owner.img" 2)" 2>/dev/null |
        grep >/dev/null "User:     0   Group:     0" || fail "--owner root did not make /var/mail/user 0:0"
pass "--owner root"

# A fixed size too small says how much is needed; a layout without a root
# partition cannot take a ROOTFS.
printf '[partition ESP]\ntype = esp\n\n[partition root]\ntype = root\nsize = 20MiB\n' > "$WORK/small.conf"
head -c 24M /dev/urandom > "$tree/data/big"   # real data: the tree's 64 MiB sparse file is mostly a hole
rm -rf "$WORK/out"; mkdir -p "$WORK/out"
if "$MKVMIMAGE" -q --arch aa64 --bootloader none --layout "$WORK/small.conf" "$tree" -o "$WORK/out/x.img" 2>"$WORK/err"; then
        fail "a 20 MiB root took a tree of $payload KiB"
fi
grep -Eq "needs at least [0-9.]+ MiB" "$WORK/err" || fail "too-small root: $(cat "$WORK/err")"
# It names the partition, not the temporary file the image is built in.
grep -q '^mkvmimage: partition "root" (ext4): content does not fit' "$WORK/err" ||
        fail "too-small root: the message does not name the partition: $(cat "$WORK/err")"
[ -z "$(ls -A "$WORK/out")" ] || fail "too-small root left files"
pass "too-small root: $(tail -n 1 "$WORK/err")"

if "$MKVMIMAGE" -q --arch aa64 --bootloader none --layout esp-only "$tree" -o "$WORK/out/x.img" 2>"$WORK/err"; then
        fail "esp-only layout took a ROOTFS"
fi
grep -q "no ext4 root partition" "$WORK/err" || fail "esp-only + ROOTFS: $(cat "$WORK/err")"
pass "layout without a root partition: $(cat "$WORK/err")"
