#!/usr/bin/env bash
# Same input + same seeds + SOURCE_DATE_EPOCH = same bytes: two runs on a
# directory, and the directory against its tar.xz. Times are clamped.
. "$TESTS_DIR/ext4/lib.sh"

make_tree "$WORK/tree"
tar --xattrs --xattrs-include='*' --numeric-owner --sort=name -C "$WORK/tree" -cJf "$WORK/tree.tar.xz" .
export SOURCE_DATE_EPOCH=1650000000

for run in dir1:tree dir2:tree tar:tree.tar.xz; do
        name=${run%%:*}
        truncate -s 200M "$WORK/$name.img"
        "$EXT4FILL" --uuid "$UUID" --hash-seed "$SEED" --label root "$WORK/$name.img" 4M 190M "$WORK/${run#*:}" ||
                die "ext4fill $name failed"
        fsck_clean "$WORK/$name.img" 4194304
done

cmp "$WORK/dir1.img" "$WORK/dir2.img" || die "two runs on the same directory differ"
cmp "$WORK/dir1.img" "$WORK/tar.img" || die "directory and tar.xz input give different bytes"

# Clamped: nothing newer than SOURCE_DATE_EPOCH, older times kept.
debugfs -R "stat /etc/empty" "$WORK/tar.img?offset=4194304" 2>/dev/null | grep >/dev/null "mtime: 0x$(printf '%x' 1500000000):00000000" ||
        die "an mtime older than SOURCE_DATE_EPOCH was not kept"
debugfs -R "stat /etc/hostname" "$WORK/tar.img?offset=4194304" 2>/dev/null > "$WORK/stat"
for t in ctime atime mtime crtime; do
        grep -q "^ *$t: 0x$(printf '%x' $SOURCE_DATE_EPOCH):00000000" "$WORK/stat" || die "$t not clamped: $(grep "$t" "$WORK/stat")"
done
blkid -p -O 4194304 -o export "$WORK/tar.img" > "$WORK/blkid" || PATH=$PATH:/sbin:/usr/sbin blkid -p -O 4194304 -o export "$WORK/tar.img" > "$WORK/blkid"
grep -q "^UUID=$UUID$" "$WORK/blkid" || die "file-system UUID is not the one given"
grep -q "^LABEL=root$" "$WORK/blkid" || die "label is not the one given"
grep -q "^TYPE=ext4$" "$WORK/blkid" || die "not ext4"
echo PASS
