#!/usr/bin/env bash
# Untrusted input is refused with a message that names the entry.
. "$TESTS_DIR/ext4/lib.sh"

truncate -s 64M "$WORK/img"
fill() { "$EXT4FILL" --uuid "$UUID" "$WORK/img" 0 64M "$1"; }

# "../x" in a tar.
mkdir -p "$WORK/a/b"
echo x > "$WORK/a/x"
(cd "$WORK/a/b" && tar -P -cf "$WORK/dotdot.tar" ../x)
tar -tf "$WORK/dotdot.tar" | grep >/dev/null -x '../x' || die "could not build a tar with ../x"
expect_failure 'entry "../x"' fill "$WORK/dotdot.tar"

# Absolute names are taken relative to the root.
(cd "$WORK/a" && tar -P -cf "$WORK/abs.tar" "$WORK/a/x")
fill "$WORK/abs.tar" || die "absolute names refused"
debugfs -R "cat $WORK/a/x" "$WORK/img" 2>/dev/null | grep >/dev/null -x x || die "absolute name not stored under the root"

# A hard link to an entry the archive does not have (before it).
mkdir "$WORK/h"
echo data > "$WORK/h/f"
ln "$WORK/h/f" "$WORK/h/g"
tar -C "$WORK/h" -cf "$WORK/hard.tar" f g
tar --delete -f "$WORK/hard.tar" f
expect_failure 'g: hard link to "f"' fill "$WORK/hard.tar"

# A truncated tar.xz: the message names the entry being read.
mkdir "$WORK/t"
head -c 4000000 /dev/urandom > "$WORK/t/payload"
tar -C "$WORK/t" -cJf "$WORK/full.tar.xz" payload
head -c 2000000 "$WORK/full.tar.xz" > "$WORK/cut.tar.xz"
expect_failure 'entry "payload"' fill "$WORK/cut.tar.xz"

# Not an archive at all.
head -c 100000 /dev/urandom > "$WORK/garbage"
expect_failure "$WORK/garbage" fill "$WORK/garbage"

# A name longer than ext4's 255 bytes.
long=$(printf 'x%.0s' $(seq 1 300))
tar -C "$WORK/h" --transform "s,^g\$,$long," -cf "$WORK/long.tar" g
expect_failure "name longer than 255 bytes" fill "$WORK/long.tar"

# A directory name longer than 255 bytes, implied by an entry below it.
tar -C "$WORK/h" --transform "s,^g\$,$long/g," -cf "$WORK/longdir.tar" g
expect_failure "$long/g: name longer than 255 bytes" fill "$WORK/longdir.tar"

# The same name twice.
tar -C "$WORK/t" -cf "$WORK/twice.tar" payload
tar -C "$WORK/t" -rf "$WORK/twice.tar" payload
[ "$(tar -tf "$WORK/twice.tar" | wc -l)" -eq 2 ] || die "could not build a tar with a name twice"
expect_failure "payload: listed twice" fill "$WORK/twice.tar"

# A child of a file.
mkdir -p "$WORK/c/f"
echo z > "$WORK/c/f/z"
echo file > "$WORK/c/file"
tar -C "$WORK/c" --transform 's,^f/z$,file/z,' -cf "$WORK/child.tar" file f/z
expect_failure '"file" is not a directory' fill "$WORK/child.tar"

# An unreadable file in a directory input, for an ordinary user (root
# reads everything).
mkdir -p "$WORK/u/tree/sub"
echo secret > "$WORK/u/tree/sub/secret"
echo fine > "$WORK/u/tree/fine"
chmod 000 "$WORK/u/tree/sub/secret"
chown -R nobody:nogroup "$WORK/u"
expect_failure "sub/secret" setpriv --reuid=nobody --regid=nogroup --clear-groups -- \
        bash -c 'truncate -s 64M "$1/img" && "$2" "$1/img" 0 64M "$1/tree"' _ "$WORK/u" "$EXT4FILL"
# and an unreadable directory.
chmod 644 "$WORK/u/tree/sub/secret"
chmod 000 "$WORK/u/tree/sub"
expect_failure "sub" setpriv --reuid=nobody --regid=nogroup --clear-groups -- \
        bash -c '"$2" "$1/img" 0 64M "$1/tree"' _ "$WORK/u" "$EXT4FILL"
grep -q "Permission denied" "$WORK/err.log" || die "unreadable directory: no permission error"
echo PASS
