#!/usr/bin/env bash
# Every kind of entry survives the trip into ext4, read back by debugfs:
# from a directory, from the same tree as a tar.xz, and from the tarball
# with mkvmimage's code running as an unprivileged user.
. "$TESTS_DIR/ext4/lib.sh"

make_tree "$WORK/tree"
manifest_dir "$WORK/tree" > "$WORK/expected"
[ "$(wc -l < "$WORK/expected")" -gt 650 ] || die "test tree incomplete"

# Directory input.
truncate -s 300M "$WORK/dir.img"
"$EXT4FILL" --uuid "$UUID" --hash-seed "$SEED" "$WORK/dir.img" 1M 256M "$WORK/tree" || die "ext4fill (directory) failed"
fsck_clean "$WORK/dir.img" 1048576
manifest_img "$WORK/dir.img" 1048576 > "$WORK/actual.dir"
compare_manifests "$WORK/expected" "$WORK/actual.dir" "directory input"

# Sparse stays sparse: 64 MiB file with 6 blocks of data, 1 MiB of zeros.
alloc=$(du -k "$WORK/dir.img" | cut -f1)
[ "$alloc" -lt 20000 ] || die "image allocates $alloc KiB: holes were not kept"
debugfs -R "stat /data/sparse" "$WORK/dir.img?offset=1048576" 2>/dev/null | grep >/dev/null "Blockcount: 48$" ||
        die "sparse file does not have 6 blocks: $(debugfs -R "stat /data/sparse" "$WORK/dir.img?offset=1048576" 2>/dev/null | grep Blockcount)"
debugfs -R "stat /data/zeros" "$WORK/dir.img?offset=1048576" 2>/dev/null | grep >/dev/null "Blockcount: 0$" ||
        die "all-zero file has blocks"

# The same tree as a tar.xz (GNU tar, numeric owners, all xattrs).
tar --xattrs --xattrs-include='*' --numeric-owner --sort=name -C "$WORK/tree" -cJf "$WORK/tree.tar.xz" .
truncate -s 300M "$WORK/tar.img"
"$EXT4FILL" --uuid "$UUID" --hash-seed "$SEED" "$WORK/tar.img" 1M 256M "$WORK/tree.tar.xz" || die "ext4fill (tar.xz) failed"
fsck_clean "$WORK/tar.img" 1048576
manifest_img "$WORK/tar.img" 1048576 > "$WORK/actual.tar"
# tar keeps mtime of symlinks and everything else; it is the same manifest.
compare_manifests "$WORK/expected" "$WORK/actual.tar" "tar.xz input"

# stdin.
truncate -s 300M "$WORK/stdin.img"
"$EXT4FILL" --uuid "$UUID" --hash-seed "$SEED" "$WORK/stdin.img" 1M 256M - < "$WORK/tree.tar.xz" || die "ext4fill (stdin) failed"
fsck_clean "$WORK/stdin.img" 1048576
manifest_img "$WORK/stdin.img" 1048576 > "$WORK/actual.stdin"
compare_manifests "$WORK/expected" "$WORK/actual.stdin" "stdin input"

# An ordinary user builds the image from the root-owned tarball: owners,
# devices and xattrs (the security.* and trusted.* ones too) are kept.
mkdir "$WORK/user"
chown nobody "$WORK/user"
chmod 644 "$WORK/tree.tar.xz"
setpriv --reuid=nobody --regid=nogroup --clear-groups -- \
        bash -c 'truncate -s 300M "$1/user.img" && "$2" "$1/user.img" 1M 256M "$3"' _ "$WORK/user" "$EXT4FILL" "$WORK/tree.tar.xz" ||
        die "ext4fill as an unprivileged user failed"
fsck_clean "$WORK/user/user.img" 1048576
manifest_img "$WORK/user/user.img" 1048576 > "$WORK/actual.user"
compare_manifests "$WORK/expected" "$WORK/actual.user" "tar.xz input, unprivileged"

# A tree made by an ordinary user, mapped to root with --owner-root.
mkdir "$WORK/user/tree"
printf 'x' > "$WORK/user/tree/file"
mkdir "$WORK/user/tree/dir"
chown -R nobody:nogroup "$WORK/user/tree"
setpriv --reuid=nobody --regid=nogroup --clear-groups -- \
        bash -c 'truncate -s 64M "$1/owner.img" && "$2" --owner-root "$1/owner.img" 0 64M "$1/tree"' _ "$WORK/user" "$EXT4FILL" ||
        die "ext4fill --owner-root as an unprivileged user failed"
fsck_clean "$WORK/user/owner.img" 0
manifest_img "$WORK/user/owner.img" 0 | cut -d'|' -f1,4,5 > "$WORK/owners"
printf 'dir|0|0\nfile|0|0\n' | diff -u - "$WORK/owners" || die "--owner-root did not map owners to 0:0"

# An archive in no useful order, with more directories than the filler
# keeps in its cache (4096): children before their parents, directories
# listed after their content, so parents are found again on the file
# system and duplicates are looked up there. rdump gives back the tree.
mkdir "$WORK/wide"
for p in $(seq -w 0 59); do
        mkdir -p "$WORK/wide/p$p/d"{00..99}
        for d in {00..99}; do printf '%s' "$p$d" > "$WORK/wide/p$p/d$d/f"; done
done
chmod 700 "$WORK/wide/"p*/d07
(cd "$WORK/wide" && find . -mindepth 1 | shuf --random-source=<(yes) > "$WORK/wide.list")
head -n 3 "$WORK/wide.list" | grep >/dev/null '/f$' || die "shuffled list does not start with files"
tar --no-recursion -C "$WORK/wide" -T "$WORK/wide.list" -cf "$WORK/wide.tar"
truncate -s 128M "$WORK/wide.img"
"$EXT4FILL" --uuid "$UUID" "$WORK/wide.img" 0 128M "$WORK/wide.tar" || die "ext4fill (shuffled tar) failed"
fsck_clean "$WORK/wide.img" 0
mkdir "$WORK/wide.out"
debugfs -R "rdump / $WORK/wide.out" "$WORK/wide.img" >/dev/null 2>&1 || die "debugfs rdump failed"
rmdir "$WORK/wide.out/lost+found"
diff -r "$WORK/wide" "$WORK/wide.out" > "$WORK/diff" || { head "$WORK/diff" >&2; die "shuffled tar: content differs"; }
(cd "$WORK/wide" && find . -printf '%p %y %m\n' | LC_ALL=C sort) > "$WORK/wide.modes"
(cd "$WORK/wide.out" && find . -printf '%p %y %m\n' | LC_ALL=C sort) | diff -u "$WORK/wide.modes" - > "$WORK/diff" ||
        { head "$WORK/diff" >&2; die "shuffled tar: types or modes differ"; }
# A name listed again once its directory has long left the cache.
dup=$(sed -n 10p "$WORK/wide.list")
tar --no-recursion -C "$WORK/wide" -rf "$WORK/wide.tar" "$dup"
expect_failure "${dup#./}: listed twice" "$EXT4FILL" --uuid "$UUID" "$WORK/wide.img" 0 128M "$WORK/wide.tar"
echo PASS
