# fetch-debian-packages: downloads and extracts foreign-arch packages into
# the cache, serialises parallel runs, touches no network once everything is
# cached, resolves metapackages to the versioned package they depend on, and
# fails naming the package when apt cannot get it. Works on a private cache
# so that it really downloads.
set -euo pipefail
. "$TESTS_DIR/pe/lib.sh"

export FIXTURE_CACHE=$work/cache

# Two runs at once on an empty cache: the lock makes one wait for the other.
"$FETCH" arm64 systemd-boot-efi >"$work/out1" 2>"$work/err1" & p1=$!
"$FETCH" arm64 systemd-boot-efi >"$work/out2" 2>"$work/err2" & p2=$!
wait $p1 || { cat "$work/err1" >&2; fail "first parallel fetch failed"; }
wait $p2 || { cat "$work/err2" >&2; fail "second parallel fetch failed"; }
dir=$FIXTURE_CACHE/debian/arm64/systemd-boot-efi
[ "$(cat "$work/out1")" = "$dir" ] || fail "first fetch printed '$(cat "$work/out1")', expected $dir"
[ "$(cat "$work/out2")" = "$dir" ] || fail "second fetch printed '$(cat "$work/out2")', expected $dir"
[ "$(grep -c 'extracted' "$work/err1" "$work/err2" | awk -F: '{ s += $2 } END { print s }')" = 1 ] ||
        fail "the package was extracted more than once"
[ "$(ls "$FIXTURE_CACHE/debian/arm64/_debs" | wc -l)" = 1 ] || fail "expected exactly one .deb in the cache"
# The .deb itself, read by dpkg-deb, is the arm64 systemd-boot-efi.
deb=$(ls "$FIXTURE_CACHE"/debian/arm64/_debs/*.deb)
[ "$(dpkg-deb -f "$deb" Package Architecture | tr '\n' ' ')" = "Package: systemd-boot-efi Architecture: arm64 " ] ||
        fail "unexpected package: $(dpkg-deb -f "$deb" Package Architecture)"
# Extracted whole: every file the package lists is there with its size.
dpkg-deb -c "$deb" | awk '$1 ~ /^-/ { sub(/^\.\//, "", $6); print $3, $6 }' | while read -r size path; do
        [ "$(stat -c %s "$dir/$path")" = "$size" ] || fail "$path not extracted whole"
done
echo "ok: parallel fetch, one download, extracted whole"

# Everything cached: no network. A mirror that cannot answer proves it.
out=$(MKVM_DEBIAN_MIRROR=http://127.0.0.1:9/debian MKVM_DEBIAN_SECURITY=http://127.0.0.1:9/debian-security \
        "$FETCH" arm64 systemd-boot-efi 2>"$work/err") || { cat "$work/err" >&2; fail "cached fetch went to the network"; }
[ "$out" = "$dir" ] || fail "cached fetch printed '$out'"
[ ! -s "$work/err" ] || fail "cached fetch said: $(cat "$work/err")"
echo "ok: cached run needs no network"

# A metapackage resolves to its versioned dependency (never pinned here).
out=$("$FETCH" --resolve-depends arm64 linux-headers-arm64 2>"$work/err") ||
        { cat "$work/err" >&2; fail "--resolve-depends linux-headers-arm64 failed"; }
[[ $out =~ ^$FIXTURE_CACHE/debian/arm64/linux-headers-[0-9]+\.[0-9]+\.[0-9]+-[0-9]+-arm64$ ]] ||
        fail "linux-headers-arm64 resolved to '$out'"
ls -d "$out"/usr/src/linux-headers-*-arm64 >/dev/null || fail "$out holds no kernel headers"
# And the answer is remembered: no network the second time either.
out2=$(MKVM_DEBIAN_MIRROR=http://127.0.0.1:9/debian MKVM_DEBIAN_SECURITY=http://127.0.0.1:9/debian-security \
        "$FETCH" --resolve-depends arm64 linux-headers-arm64 2>/dev/null) || fail "cached resolve went to the network"
[ "$out2" = "$out" ] || fail "cached resolve gave '$out2', first gave '$out'"
echo "ok: linux-headers-arm64 -> ${out##*/}"

# Failures name the package and exit non-zero.
rc=0
"$FETCH" arm64 mkvm-no-such-package >"$work/out" 2>"$work/err" || rc=$?
[ $rc != 0 ] || fail "fetching a package that does not exist succeeded"
grep -q 'apt-get download mkvm-no-such-package (arm64) failed' "$work/err" ||
        fail "error does not name the package: $(tail -n 3 "$work/err")"
[ ! -s "$work/out" ] || fail "a failed fetch printed a directory"
[ ! -e "$FIXTURE_CACHE/debian/arm64/mkvm-no-such-package" ] || fail "a failed fetch left a directory"
rc=0
MKVM_DEBIAN_MIRROR=http://127.0.0.1:9/debian MKVM_DEBIAN_SECURITY=http://127.0.0.1:9/debian-security \
        "$FETCH" armhf systemd-boot-efi >"$work/out" 2>"$work/err" || rc=$?
[ $rc != 0 ] || fail "fetching from a dead mirror succeeded"
grep -q 'apt-get update failed for armhf' "$work/err" || fail "dead mirror error unclear: $(tail -n 3 "$work/err")"
rc=0
"$FETCH" arm64 '../escape' >/dev/null 2>"$work/err" || rc=$?
[ $rc != 0 ] && grep -q "invalid package name" "$work/err" || fail "a path-like package name was accepted"
echo "ok: failures are reported"
