#!/usr/bin/env bash
# Archive metadata an ext4 root cannot hold is refused, naming the entry:
# an owner above 32 bits (a pax header can say uid 2^32; it wrapped to 0,
# root) and an extended attribute without a namespace (SCHILY.xattr.foo was
# written as is). Valid ones still read back (debugfs).
. "$(dirname "$0")/content-lib.sh"

# mktar OUT NAME KEY=VALUE...: a pax tar holding /etc (dir) and etc/NAME
# (a file) with the given TarInfo attributes (uid, gid) or pax headers
# (anything with a dot).
mktar() {
        python3 - "$@" <<'PY'
import io, sys, tarfile
out, name, *kv = sys.argv[1:]
with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as t:
    d = tarfile.TarInfo("etc"); d.type = tarfile.DIRTYPE; d.mode = 0o755
    t.addfile(d)
    data = b"payload\n"
    f = tarfile.TarInfo("etc/" + name); f.size = len(data); f.mode = 0o644
    for item in kv:
        k, v = item.split("=", 1)
        if "." in k:
            f.pax_headers[k] = v
        else:
            setattr(f, k, int(v))
    t.addfile(f, io.BytesIO(data))
PY
}
run() { "$MKVMIMAGE" -q --arch aa64 --bootloader none "$@"; }

# The archive says what we think it says: GNU tar finds uid 2^32 in it
# (and refuses it too).
mktar "$WORK/uid.tar" biguid uid=4294967296
{ tar --numeric-owner -tvf "$WORK/uid.tar" 2>&1 || true; } | grep -q 'uid=4294967296 is out of range' ||
        fail "uid.tar: GNU tar does not see uid 2^32: $(tar --numeric-owner -tvf "$WORK/uid.tar" 2>&1)"
mktar "$WORK/gid.tar" biggid gid=4294967296
mktar "$WORK/gid2.tar" biggid2 gid=4294967301
mktar "$WORK/xattr.tar" noname SCHILY.xattr.foo=bar
mktar "$WORK/ok.tar" fine uid=2147483647 gid=65536 SCHILY.xattr.user.comment=kept

expect_failure "uid 2^32" 'entry "etc/biguid": uid 4294967296 does not fit in 32 bits' \
        run "$WORK/uid.tar" -o "$WORK/out/x.img"
expect_failure "gid 2^32" 'entry "etc/biggid": gid 4294967296 does not fit in 32 bits' \
        run "$WORK/gid.tar" -o "$WORK/out/x.img"
expect_failure "gid 2^32 + 5" 'entry "etc/biggid2": gid 4294967301 does not fit in 32 bits' \
        run "$WORK/gid2.tar" -o "$WORK/out/x.img"
expect_failure "xattr without namespace" 'entry "etc/noname": extended attribute "foo" has no namespace' \
        run "$WORK/xattr.tar" -o "$WORK/out/x.img"

# The largest 32-bit owners and a namespaced attribute are kept.
run "$WORK/ok.tar" -o "$WORK/ok.img" 2>/dev/null || fail "ok.tar refused"
fsck_clean "$WORK/ok.img"
spec=$(root_spec "$WORK/ok.img")
debugfs -R "stat /etc/fine" "$spec" 2>/dev/null | grep -q "User: 2147483647   Group: 65536" ||
        fail "ok.tar: owner not kept: $(debugfs -R "stat /etc/fine" "$spec" 2>/dev/null | grep User)"
debugfs -R "ea_get -f $WORK/ea.out /etc/fine user.comment" "$spec" >/dev/null 2>&1 || true
[ "$(cat "$WORK/ea.out" 2>/dev/null)" = kept ] ||
        fail "ok.tar: user.comment not kept: $(debugfs -R "ea_list /etc/fine" "$spec" 2>&1)"
pass "uid 2^31-1, gid 65536 and user.comment kept"

# --owner does not make such an archive valid.
expect_failure "gid 2^32 with --owner root" 'entry "etc/biggid": gid 4294967296 does not fit in 32 bits' \
        run --owner root "$WORK/gid.tar" -o "$WORK/out/x.img"
