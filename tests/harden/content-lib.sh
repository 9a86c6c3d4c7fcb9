# Shared by tests/harden/content-*.sh (sourced): how ROOTFS reaches the
# root partition, read back with e2fsck, debugfs, GNU cpio and GNU tar.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/../common.sh"
pass() { echo "ok: $*"; }

[ -x "${MKVMIMAGE:-}" ] || fail "MKVMIMAGE is not set to the built mkvmimage (run through ctest)"
PATH="$PATH:/usr/sbin:/sbin"
need_tools sfdisk jq e2fsck debugfs cpio tar python3 cmp cc

WORK=$(mktemp -d "${TMPDIR:-/tmp}/mkvm-harden-content.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# build ROOTFS IMAGE [options...]: an image with no boot chain (only the
# root partition matters here).
build() {
        local src=$1 img=$2
        shift 2
        "$MKVMIMAGE" -q --arch aa64 --bootloader none "$@" "$src" -o "$img" 2>"$WORK/build.err" ||
                { cat "$WORK/build.err" >&2; return 1; }
}

# root_spec IMAGE: what debugfs and e2fsck take for partition 2 of IMAGE.
root_spec() {
        local start
        start=$(sfdisk --json "$1" | jq -r '.partitiontable.partitions[1].start')
        echo "$1?offset=$((start * 512))"
}

fsck_clean() {
        e2fsck -fn "$(root_spec "$1")" >"$WORK/fsck.log" 2>&1 ||
                { cat "$WORK/fsck.log" >&2; fail "e2fsck -fn: errors in $1"; }
}

# compare_extracted DIR IMAGE: every regular file under DIR (as GNU cpio or
# tar extracted it) has the same bytes in the image's root (debugfs dump,
# cmp), the same link count (debugfs stat), and names of one inode in DIR
# are names of one inode in the image.
compare_extracted() {
        local dir=$1 img=$2 spec p rel n=0 ino links want
        spec=$(root_spec "$img")
        : >"$WORK/cmds"
        while IFS= read -r -d '' p; do
                rel=${p#"$dir"/}
                n=$((n + 1))
                printf 'dump "/%s" %s/dump.%d\nstat "/%s"\n' "$rel" "$WORK" "$n" "$rel" >>"$WORK/cmds"
        done < <(find "$dir" -type f -print0 | LC_ALL=C sort -z)
        [ "$n" -gt 0 ] || fail "nothing extracted in $dir"
        rm -f "$WORK"/dump.*
        debugfs -f "$WORK/cmds" "$spec" >"$WORK/stat.out" 2>/dev/null
        declare -A img_ino=() img_links=() dir_ino=()
        local cur="" i=0
        while IFS= read -r line; do
                case $line in
                "debugfs: stat "*) cur=${line#debugfs: stat \"/}; cur=${cur%\"} ;;
                "Inode: "*) img_ino[$cur]=$(echo "$line" | awk '{print $2}') ;;
                "Links: "*) img_links[$cur]=$(echo "$line" | awk '{print $2}') ;;
                esac
        done <"$WORK/stat.out"
        while IFS= read -r -d '' p; do
                rel=${p#"$dir"/}
                i=$((i + 1))
                [ -f "$WORK/dump.$i" ] || fail "$img: /$rel missing (debugfs dump)"
                cmp -s "$p" "$WORK/dump.$i" ||
                        fail "$img: /$rel differs from the extracted file ($(stat -c %s "$WORK/dump.$i") bytes in the image, $(stat -c %s "$p") extracted)"
                want=$(stat -c %h "$p")
                [ "${img_links[$rel]:-?}" = "$want" ] ||
                        fail "$img: /$rel has ${img_links[$rel]:-?} links, the extraction $want"
                ino=$(stat -c %i "$p")
                if [ -n "${dir_ino[$ino]:-}" ]; then
                        [ "${img_ino[$rel]}" = "${img_ino[${dir_ino[$ino]}]}" ] ||
                                fail "$img: /$rel and /${dir_ino[$ino]} are one file extracted, two inodes in the image"
                else
                        dir_ino[$ino]=$rel
                fi
        done < <(find "$dir" -type f -print0 | LC_ALL=C sort -z)
}
