#!/usr/bin/env bash
# The boot chain from a tarball on standard input: the same image as from
# the directory (with a seed), and it boots.
#   tarball.sh ARCH PLATFORM
. "$TESTS_DIR/bootchain/lib.sh"
arch=$1 platform=$2
build_guest "$arch"
export SOURCE_DATE_EPOCH=1700000000

tar -C "$GUEST/rootfs" --sort=name --numeric-owner --owner=0 --group=0 -c . | zstd -q > "$WORK/rootfs.tar.zst"
"$MKVMIMAGE" -q --arch "$arch" --seed "$SEED" --owner root "$GUEST/rootfs" -o "$WORK/dir.img"
zstd -dc "$WORK/rootfs.tar.zst" | "$MKVMIMAGE" -q --arch "$arch" --seed "$SEED" - -o "$WORK/stdin.img"
"$MKVMIMAGE" -q --arch "$arch" --seed "$SEED" "$WORK/rootfs.tar.zst" -o "$WORK/file.img"
cmp "$WORK/stdin.img" "$WORK/file.img" || fail "tar.zst from stdin and from a file give different images"
# The ESP is the same whichever way the tree came (the root may differ in atime/ctime only by design).
esp_bytes() { dd if="$1" bs=1M skip=1 count=256 status=none | sha256sum; }
[ "$(esp_bytes "$WORK/dir.img")" = "$(esp_bytes "$WORK/file.img")" ] || fail "directory and tarball give different ESPs"
echo "ok: directory, tar.zst and stdin give the same ESP"
boot_guest "$WORK/stdin.img" "$arch" "$platform" root-mounted root-partuuid efi
