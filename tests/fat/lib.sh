# Shared helpers for the FAT filler tests (sourced). Every check uses tools
# we did not write: mkfs.fat, fsck.fat, mtools, sha256sum, du.
set -euo pipefail
export LC_ALL=C.UTF-8 TZ=UTC MTOOLS_SKIP_CHECK=1

. "$(dirname "${BASH_SOURCE[0]}")/../common.sh"

: "${FATFILL:?FATFILL (the test-only fatfill tool) is not set}"
[ -x "$FATFILL" ] || fail "fatfill not built: $FATFILL"
for tool in mkfs.fat fsck.fat mdir mcopy mtype sha256sum truncate dd du; do
        command -v "$tool" >/dev/null || fail "$tool is missing: run scripts/setup-deps"
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/fat-test.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

OFFSET=$((1024 * 1024))   # the ESP starts 1 MiB into the image, as in a GPT disk

# make_esp IMAGE SIZE_MIB SECTORS_PER_CLUSTER [mkfs.fat options...]
# A sparse image with an empty FAT32 at OFFSET, SIZE_MIB long.
make_esp() {
        local img=$1 mib=$2 spc=$3
        shift 3
        rm -f "$img"
        truncate -s $((OFFSET + mib * 1024 * 1024 + 1024 * 1024)) "$img"
        mkfs.fat -F 32 -s "$spc" --invariant -i 12345678 -n ESPTEST "$@" \
                --offset=$((OFFSET / 512)) "$img" $((mib * 1024)) >"$WORK/mkfs.log" 2>&1 ||
                { cat "$WORK/mkfs.log" >&2; fail "mkfs.fat failed"; }
}

# fill IMAGE SIZE_MIB SRC [fatfill options...]
fill() {
        local img=$1 mib=$2 src=$3
        shift 3
        "$FATFILL" "$img" "$OFFSET" $((mib * 1024 * 1024)) "$src" "$@"
}

# check_fsck IMAGE SIZE_MIB: fsck.fat -n on the partition, copied out with dd
# (fsck.fat has no offset option), must report nothing to fix.
check_fsck() {
        local img=$1 mib=$2 out
        dd if="$img" of="$WORK/part.img" bs=1M skip=$((OFFSET / 1024 / 1024)) count="$mib" \
                conv=sparse status=none
        if ! out=$(fsck.fat -n -V "$WORK/part.img" 2>&1); then
                echo "$out" >&2
                fail "fsck.fat -n found problems"
        fi
        # fsck.fat -n exits 0 even after some complaints it would fix: read its words.
        if echo "$out" | grep -v -e '^fsck.fat ' -e '^Starting ' -e '^Checking ' \
                        -e 'files, .* clusters$' | grep >/dev/null .; then
                echo "$out" >&2
                fail "fsck.fat -n printed warnings"
        fi
        rm -f "$WORK/part.img"
}

# check_readback IMAGE SRC: mcopy the whole file system out and compare.
check_readback() {
        local img=$1 src=$2
        rm -rf "$WORK/readback"
        mkdir "$WORK/readback"
        mcopy -s -n -m -i "$img@@$OFFSET" '::/*' "$WORK/readback/" ||
                fail "mcopy -s could not read the file system back"
        diff -r "$src" "$WORK/readback" || fail "files read back by mtools differ from the source"
        rm -rf "$WORK/readback"
}

# mdir_names IMAGE DIR: the long (or else short) names of DIR, in on-disk order.
mdir_names() {
        mdir -b -i "$1@@$OFFSET" "::$2" | sed -e 's|/$||' -e 's|.*/||'
}
