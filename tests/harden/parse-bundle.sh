# mkvmimage-boot BUNDLE unpacks untrusted archives (issue 11, item 14):
# holes stay holes even in a bundle repacked without --sparse (GNU tar then
# stores the zeros), entries are bounded by their kind and must be named in
# MANIFEST, and SIGTERM during the unpack leaves nothing in $TMPDIR. The
# images boot no bootloader, so the pre-flight stops mkvmimage-boot before
# QEMU: this never boots.
set -euo pipefail
. "${TESTS_DIR:?run through ctest: TESTS_DIR is not set}/harden/parse-lib.sh"
need_tools tar zstd unshare python3

# A bundle by mkvmimage, repacked densely (as tar without --sparse does) with
# a 4 GiB all-zero disk.img. Built from zstd frames, which concatenate: the
# disk's zeros are one compressed 64 MiB frame repeated, so the archive takes
# a second to make, not minutes of tar and zstd over 4 GiB.
mkdir "$WORK/pack"
"$MKVMIMAGE" -q -a aa64 -o "$WORK/app.img" 2>/dev/null || fail "mkvmimage could not build app.img"
"$MKVMIMAGE" bundle -q -a aa64 "$WORK/app.img" -o "$WORK/pack/app/" || fail "mkvmimage bundle failed"
python3 - "$WORK/pack/app" "$WORK/head.tar" "$WORK/tail.tar" <<'PY' || fail "cannot write the tar pieces"
import io, os, sys, tarfile
src, head, tail = sys.argv[1:]
def member(name, size, mode=0o644, kind=tarfile.REGTYPE):
        t = tarfile.TarInfo(name)
        t.size, t.mode, t.type, t.mtime = size, mode, kind, 1700000000
        return t
with open(head, "wb") as f:
        f.write(member("app", 0, 0o755, tarfile.DIRTYPE).tobuf(tarfile.GNU_FORMAT))
        f.write(member("app/disk.img", 4 << 30).tobuf(tarfile.GNU_FORMAT))
buf = io.BytesIO()
with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as t:
        for name in sorted(os.listdir(src)):
                if name != "disk.img":
                        t.add(os.path.join(src, name), "app/" + name)
open(tail, "wb").write(buf.getvalue())
PY
head -c 64M /dev/zero | zstd -q -1 >"$WORK/zeros.zst"
{
        zstd -q -1 -c "$WORK/head.tar"
        for _ in $(seq 64); do cat "$WORK/zeros.zst"; done
        zstd -q -1 -c "$WORK/tail.tar"
} >"$WORK/dense.tar.zst"
echo "dense bundle: $(stat -c %s "$WORK/dense.tar.zst") bytes for a 4 GiB disk.img"

# $TMPDIR on a 48 MiB tmpfs: the bundle's data (about 3 MiB) fits, its
# zeros (4 GiB, and 64 MiB in each firmware file) do not.
# The tmpfs is mounted in a mount namespace of its own: nothing else sees it.
mkdir "$WORK/tmp"
userns=()
[ "$(id -u)" -eq 0 ] || userns=(--map-root-user)
rc=0
unshare "${userns[@]}" --mount --propagation private bash -c '
        set -u
        mount -t tmpfs -o size=48m tmpfs "$1" || exit 90
        rc=0
        TMPDIR=$1 timeout 120 "$2" "$3" >"$4" 2>&1 || rc=$?
        ls -A "$1" >"$5"
        exit $rc' _ "$WORK/tmp" "$MKVMIMAGE_BOOT" "$WORK/dense.tar.zst" "$WORK/out" "$WORK/left" || rc=$?
sed 's/^/    | /' "$WORK/out"
[ $rc -ne 90 ] || fail "cannot mount a tmpfs in a private mount namespace (unshare)"
[ $rc -ne 124 ] || fail "mkvmimage-boot hung"
[ $rc -lt 90 ] || fail "mkvmimage-boot crashed (status $rc)"
grep -q "appliance bundle for aa64" "$WORK/out" || fail "the dense bundle was not unpacked into 48 MiB"
[ ! -s "$WORK/left" ] || fail "left in \$TMPDIR: $(cat "$WORK/left")"
pass "a dense 4 GiB bundle unpacks into a 48 MiB \$TMPDIR (holes kept) and is removed"

# expect_bad_bundle PATTERN DIR: DIR packed as a bundle is refused with PATTERN, nothing left.
expect_bad_bundle() {
        tar -C "$(dirname "$2")" -cf - "$(basename "$2")" | zstd -q -1 >"$WORK/bad.tar.zst"
        TMPDIR=$WORK/tmp expect_refusal "$1" "$MKVMIMAGE_BOOT" "$WORK/bad.tar.zst"
        [ -z "$(ls -A "$WORK/tmp")" ] || fail "left in \$TMPDIR: $(ls -A "$WORK/tmp")"
}
cp -a --sparse=always "$WORK/pack/app" "$WORK/unlisted"
sed -i '/  run$/d' "$WORK/unlisted/MANIFEST"
expect_bad_bundle "run is not in the bundle's MANIFEST" "$WORK/unlisted"
cp -a --sparse=always "$WORK/pack/app" "$WORK/bigrun"
head -c 2M /dev/zero | tr '\0' '#' >>"$WORK/bigrun/run"
expect_bad_bundle "run declares" "$WORK/bigrun"
pass "files MANIFEST does not name, and oversized entries, are refused"

# SIGTERM while the dense bundle unpacks (4 GiB of zeros to read: seconds):
# the directory goes too.
mkdir "$WORK/tmp2"
TMPDIR=$WORK/tmp2 "$MKVMIMAGE_BOOT" "$WORK/dense.tar.zst" >"$WORK/out2" 2>&1 &
pid=$!
for _ in $(seq 500); do
        compgen -G "$WORK/tmp2/mkvmimage-boot-bundle.*/disk.img" >/dev/null && break
        sleep 0.02
done
compgen -G "$WORK/tmp2/mkvmimage-boot-bundle.*/disk.img" >/dev/null || fail "the unpack did not start within 10 s"
kill -TERM $pid
rc=0
wait $pid || rc=$?
sed 's/^/    | /' "$WORK/out2"
[ $rc -eq 143 ] || fail "mkvmimage-boot exited $rc on SIGTERM during the unpack, expected 143 (killed by it)"
[ -z "$(ls -A "$WORK/tmp2")" ] || fail "SIGTERM left in \$TMPDIR: $(ls -A "$WORK/tmp2")"
pass "SIGTERM during the unpack leaves nothing in \$TMPDIR"
