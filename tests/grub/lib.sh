# Shared by the tests/grub/*.sh scripts (sourced after `set -euo pipefail`;
# $1 of the test is the grubbuild driver). GRUB's modules come from Debian's
# grub-efi-arm64-bin / grub-efi-arm-bin, cached in $FIXTURE_CACHE.
. "$(dirname "${BASH_SOURCE[0]}")/../common.sh"

for v in SOURCE_DIR FIXTURE_CACHE; do
        [ -n "${!v:-}" ] || fail "$v is not set (run through ctest)"
done
FETCH=$SOURCE_DIR/tests/fixtures/fetch-debian-packages
UUID1=0509e066-0277-4859-afd0-81cc681acbc4
UUID2=6d6b766d-6775-6573-7400-0000000000aa

declare -A GRUB_FORMAT=([aa64]=arm64-efi [arm]=arm-efi)
declare -A GRUB_DEB_ARCH=([aa64]=arm64 [arm]=armhf)
declare -A GRUB_PACKAGE=([aa64]=grub-efi-arm64-bin [arm]=grub-efi-arm-bin)

# grub_modules ARCH: the module directory of Debian's GRUB for ARCH. A fetch
# failure fails the test: a check that cannot run has not passed.
grub_modules() {
        local dir
        dir=$("$FETCH" "${GRUB_DEB_ARCH[$1]}" "${GRUB_PACKAGE[$1]}") ||
                fail "cannot fetch ${GRUB_PACKAGE[$1]} (${GRUB_DEB_ARCH[$1]})"
        dir=$dir/usr/lib/grub/${GRUB_FORMAT[$1]}
        [ -f "$dir/linux.mod" ] || fail "${GRUB_PACKAGE[$1]} has no $dir/linux.mod"
        echo "$dir"
}

# expect_refused TEXT... -- COMMAND...: COMMAND exits 1 and its message
# (one line) holds every TEXT.
expect_refused() {
        local want=() out rc=0 t
        while [ "$1" != -- ]; do want+=("$1"); shift; done
        shift
        out=$("$@" 2>&1) || rc=$?
        [ $rc = 1 ] || fail "$*: exit status $rc, expected 1 (output: $out)"
        for t in "${want[@]}"; do
                grep -qF -- "$t" <<<"$out" || fail "$*: message '$out' lacks '$t'"
        done
        echo "ok: refused: $out"
}
