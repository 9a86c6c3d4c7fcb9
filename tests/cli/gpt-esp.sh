#!/usr/bin/env bash
# The default layout: a GPT disk with one FAT32 ESP holding the bootloader at
# the removable-media path, for aa64 and arm, checked by sfdisk, sgdisk,
# blkid, fsck.fat and mtools.
. "$TESTS_DIR/cli/lib.sh"

check_image() {
        local arch=$1 loader=$2 file=$3 img=$WORK/$1.img off
        "$MKVMIMAGE" --arch "$arch" --bootloader "$loader" -o "$img" -q || fail "$arch: mkvmimage failed"

        sgdisk -v "$img" | tee "$WORK/sgdisk.out" | grep >/dev/null "No problems found" ||
                fail "$arch: sgdisk -v: $(cat "$WORK/sgdisk.out")"
        [ "$(sfdisk --json "$img" | jq -r .partitiontable.label)" = gpt ] ||
                fail "$arch: not a GPT disk"
        [ "$(part_field "$img" 1 type)" = "$ESP_TYPE" ] || fail "$arch: ESP type is $(part_field "$img" 1 type)"
        [ "$(part_field "$img" 1 name)" = ESP ] || fail "$arch: ESP name is $(part_field "$img" 1 name)"
        [ "$(part_field "$img" 1 start)" = 2048 ] || fail "$arch: ESP does not start at 1 MiB"
        [ "$(part_field "$img" 1 size)" = $((256 * 2048)) ] || fail "$arch: ESP is not 256 MiB"
        # The protective MBR: one partition of type 0xEE.
        [ "$(xxd -s 450 -l 1 -p "$img")" = ee ] || fail "$arch: no protective MBR"

        off=$(part_offset "$img" 1)
        blkid -p -O "$off" -o export "$img" >"$WORK/blkid.out"
        grep -qx TYPE=vfat "$WORK/blkid.out" || fail "$arch: blkid: $(cat "$WORK/blkid.out")"
        grep -qx VERSION=FAT32 "$WORK/blkid.out" || fail "$arch: not FAT32: $(cat "$WORK/blkid.out")"
        grep -qx LABEL=ESP "$WORK/blkid.out" || fail "$arch: label: $(cat "$WORK/blkid.out")"

        dd if="$img" of="$WORK/esp.fat" bs=1M skip=1 count=256 status=none
        fsck.fat -n "$WORK/esp.fat" >"$WORK/fsck.out" 2>&1 || fail "$arch: fsck.fat: $(cat "$WORK/fsck.out")"
        clusters=$(fsck.fat -n -v "$WORK/esp.fat" | sed -n 's/.*\/\([0-9]*\) clusters$/\1/p')
        [ "${clusters:-0}" -ge 65525 ] || fail "$arch: only ${clusters:-?} clusters, FAT32 needs 65525"

        mtype -i "$img@@$off" "::EFI/BOOT/$file" >"$WORK/loader.out" || fail "$arch: no \\EFI\\BOOT\\$file"
        cmp "$WORK/loader.out" "$loader" || fail "$arch: $file differs from the bootloader given"
        pass "$arch: GPT + FAT32 ESP ($clusters clusters) + $file"
}

check_image aa64 "$(systemd_boot arm64)" BOOTAA64.EFI
check_image arm "$(systemd_boot armhf)" BOOTARM.EFI
