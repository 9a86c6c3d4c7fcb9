#!/usr/bin/env bash
# The shipped layouts: vmspec (ESP + root) and vmspec-varstore (ESP +
# 64 MiB varstore + root) for both arches; a custom layout with fixed sizes,
# a literal type GUID, a fixed partition UUID and size = rest.
. "$TESTS_DIR/cli/lib.sh"
loader_aa64=$(systemd_boot arm64)
loader_arm=$(systemd_boot armhf)

check_root() {
        local img=$1 n=$2 type=$3 off
        [ "$(part_field "$img" "$n" type)" = "$type" ] || fail "$img: partition $n type $(part_field "$img" "$n" type), want $type"
        [ "$(part_field "$img" "$n" name)" = root ] || fail "$img: partition $n is not named root"
        off=$(part_offset "$img" "$n")
        blkid -p -O "$off" -o export "$img" | grep >/dev/null -x TYPE=ext4 || fail "$img: root is not ext4"
        e2fsck -fn "$img?offset=$off" >"$WORK/e2fsck.out" 2>&1 || fail "$img: e2fsck: $(cat "$WORK/e2fsck.out")"
}

# vmspec, aa64
img=$WORK/vmspec.img
"$MKVMIMAGE" -q --arch arm64 --layout vmspec --bootloader "$loader_aa64" -o "$img"
sgdisk -v "$img" | grep >/dev/null "No problems found" || fail "vmspec: sgdisk -v"
[ "$(sfdisk --json "$img" | jq '.partitiontable.partitions | length')" = 2 ] || fail "vmspec: not 2 partitions"
check_root "$img" 2 "$AA64_ROOT_TYPE"
pass "vmspec aa64: ESP + empty ext4 root of the aa64 root type"

# vmspec-varstore, arm
img=$WORK/varstore.img
"$MKVMIMAGE" -q --arch armhf --layout "$SOURCE_DIR/layouts/vmspec-varstore.conf" --bootloader "$loader_arm" -o "$img"
sgdisk -v "$img" | grep >/dev/null "No problems found" || fail "varstore: sgdisk -v"
[ "$(part_field "$img" 2 type)" = "$VARSTORE_TYPE" ] || fail "varstore: type $(part_field "$img" 2 type)"
[ "$(part_field "$img" 2 size)" = $((64 * 2048)) ] || fail "varstore: not 64 MiB"
off=$(part_offset "$img" 2)
# With a bootloader the store is seeded (tests/cli/varstore.sh boots it):
# a firmware volume ("_FVH" at 0x28) holding Boot0000.
[ "$(dd if="$img" bs=1 skip=$((off + 0x28)) count=4 status=none)" = _FVH ] || fail "varstore: no firmware volume header"
"$MKVMIMAGE" vars list "$img" | grep >/dev/null "^Boot0000 " || fail "varstore: no Boot0000"
check_root "$img" 3 "$ARM_ROOT_TYPE"
mtype -i "$img@@$(part_offset "$img" 1)" ::EFI/BOOT/BOOTARM.EFI | cmp - "$loader_arm" || fail "varstore: BOOTARM.EFI"
pass "vmspec-varstore arm: ESP + 64 MiB varstore with Boot0000 + ext4 root"

# A custom layout, every key.
cat >"$WORK/custom.conf" <<'CONF'
# comment
[disk]
size = 1GiB

[partition boot]
type = esp
size = 100MiB
label = BOOT

[partition data]
type = 0FC63DAF-8483-4772-8E79-3D69D8477DE4
size = 10M
uuid = 11111111-2222-4333-8444-555555555555

[partition spare]
type = linux
size = rest
CONF
img=$WORK/custom.img
"$MKVMIMAGE" -q --arch aa64 --layout "$WORK/custom.conf" --bootloader "$loader_aa64" -o "$img"
sgdisk -v "$img" | grep >/dev/null "No problems found" || fail "custom: sgdisk -v"
[ "$(stat -c %s "$img")" = $((1024 * 1024 * 1024)) ] || fail "custom: disk is not 1 GiB"
[ "$(part_field "$img" 1 size)" = $((100 * 2048)) ] || fail "custom: boot is not 100 MiB"
[ "$(part_field "$img" 2 uuid)" = 11111111-2222-4333-8444-555555555555 ] || fail "custom: fixed uuid not kept"
[ "$(part_field "$img" 2 start)" = $((101 * 2048)) ] || fail "custom: data not right after boot"
last=$(( $(part_field "$img" 3 start) + $(part_field "$img" 3 size) ))
[ $((last % 2048)) = 0 ] || fail "custom: rest partition does not end on 1 MiB"
[ "$last" -le $((1024 * 2048 - 33)) ] || fail "custom: rest partition overlaps the backup GPT"
[ "$last" -gt $((1023 * 2048 - 1)) ] || fail "custom: rest partition leaves space unused"
blkid -p -O $((1024 * 1024)) -o export "$img" | grep >/dev/null -x LABEL=BOOT || fail "custom: label BOOT"
pass "custom layout: fixed sizes, GUID type, fixed uuid, size = rest, label"

# --print-plan names every PARTUUID and writes nothing.
"$MKVMIMAGE" --arch aa64 --layout vmspec --print-plan --seed 3f0c1a2e-5b6d-4e7f-8a9b-0c1d2e3f4a5b >"$WORK/plan.out"
grep -q "PARTUUID" "$WORK/plan.out" && grep -q "root" "$WORK/plan.out" || fail "--print-plan: $(cat "$WORK/plan.out")"
pass "--print-plan"
