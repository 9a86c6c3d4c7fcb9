# Layout files (issue 11, item 17), through mkvmimage itself: what the plan
# says is read with jq, refusals must name FILE:LINE and come before any
# image exists. The pure rules are in tests/unit/test-layout.c.
set -euo pipefail
. "${TESTS_DIR:?run through ctest: TESTS_DIR is not set}/harden/parse-lib.sh"
need_tools jq

# plan_esp_size LAYOUT: the ESP's size in the plan, as JSON gives it.
plan_esp_size() {
        "$MKVMIMAGE" -q -a aa64 --layout "$1" --print-plan=json -o "$WORK/x.img" |
                jq -e -r '.partitions[] | select(.name == "ESP") | .size' || fail "no plan for $1"
}

# A comment longer than libinih's 200-byte line buffer: its tail was taken
# as a key, and "size = 1TiB" applied.
plain=$WORK/plain.conf
printf '[partition ESP]\ntype = esp\n' >"$plain"
long=$WORK/long.conf
{
        printf '[partition ESP]\ntype = esp\n#'
        printf 'x%.0s' $(seq 198)
        printf 'size = 1TiB\n'
} >"$long"
want=$(plan_esp_size "$plain")
got=$(plan_esp_size "$long")
[ "$got" = "$want" ] || fail "a 210-byte comment changed the ESP's size: $got, without it $want"
pass "a long comment is a comment"

# bad NAME LINE MESSAGE TEXT: layout TEXT is refused at NAME:LINE with MESSAGE, no image written.
bad() {
        local file=$WORK/$1
        printf '%b' "$4" >"$file"
        expect_refusal "$file:$2: $3" "$MKVMIMAGE" -a aa64 --layout "$file" -o "$WORK/x.img"
        [ ! -e "$WORK/x.img" ] || fail "$1: an image was written"
}
bad dupkey.conf 4 "'size' is given twice in [partition ESP]: lines 3 and 4" \
        '[partition ESP]\ntype = esp\nsize = 300MiB\nsize = 1GiB\n'
bad dupdisk.conf 5 "[disk] is given twice: lines 1 and 5" \
        '[disk]\nsize = 2GiB\n[partition ESP]\ntype = esp\n[disk]\nsize = 4GiB\n'
bad dupsection.conf 5 "partition 'data' is defined twice: lines 3 and 5" \
        '[partition ESP]\ntype = esp\n[partition data]\nsize = 64MiB\n[partition data]\nsize = 128MiB\n'
pass "duplicate keys and sections name both lines"

bad dupuuid.conf 6 "uuid 11111111-2222-4333-8444-555555555555 is partition 'ESP''s too" \
        '[partition ESP]\ntype = esp\nuuid = 11111111-2222-4333-8444-555555555555\n[partition data]\nsize = 64MiB\nuuid = 11111111-2222-4333-8444-555555555555\n'
bad zerotype.conf 4 "type: the all-zero GUID marks an unused GPT entry" \
        '[partition ESP]\ntype = esp\n[partition data]\ntype = 00000000-0000-0000-0000-000000000000\nsize = 64MiB\n'
bad espguid.conf 5 "partition 'ESP2' is a second ESP" \
        '[partition ESP]\ntype = esp\n[partition ESP2]\nfs = vfat\ntype = C12A7328-F81F-11D2-BA4B-00A0C93EC93B\n'
pass "duplicate uuid, zero type GUID, a second ESP by GUID"

bad badutf8.conf 3 "partition name is not valid UTF-8" '[partition ESP]\ntype = esp\n[partition da\xffta]\nsize = 64MiB\n'
emoji19=$(printf '\xf0\x9f\x98\x80%.0s' $(seq 19))
bad longname.conf 3 "partition name '$emoji19' is 38 UTF-16 code units: GPT holds at most 36" \
        "[partition ESP]\ntype = esp\n[partition $emoji19]\nsize = 64MiB\n"
# 36 two-byte characters are 72 bytes but 36 units: they fit (sfdisk reads them back).
e36=$(printf '\xc3\xa9%.0s' $(seq 36))
printf '[partition ESP]\ntype = esp\n[partition %s]\nsize = 64MiB\n' "$e36" >"$WORK/e36.conf"
"$MKVMIMAGE" -q -a aa64 --bootloader "$BUILD_DIR/qemu-test/efi-hello-aa64.efi" --layout "$WORK/e36.conf" -o "$WORK/e36.img" ||
        fail "a 36-character non-ASCII partition name was refused"
need_tools sfdisk
[ "$(sfdisk --json "$WORK/e36.img" | jq -r '.partitiontable.partitions[1].name')" = "$e36" ] ||
        fail "sfdisk does not read the 36-character name back"
pass "partition names: UTF-8, 36 UTF-16 units"

bad fatdot.conf 3 "partition 'ESP': label 'BOOT.EFI': FAT labels cannot hold any of" '[partition ESP]\ntype = esp\nlabel = BOOT.EFI\n'
bad fatctl.conf 4 "partition 'ESP': label: FAT labels cannot hold control characters" '[partition ESP]\ntype = esp\n\nlabel = A\x01B\n'
pass "FAT labels mkfs.fat would refuse"

# 100,000 sections: refused at the 129th within the timeout (was 45 s).
for i in $(seq 0 99999); do printf '[partition p%d]\nsize = 1MiB\n' "$i"; done >"$WORK/many.conf"
start=$(date +%s)
expect_refusal "$WORK/many.conf:257: a GPT holds at most 128 partitions" \
        "$MKVMIMAGE" -a aa64 --layout "$WORK/many.conf" --print-plan -o "$WORK/x.img"
[ $(( $(date +%s) - start )) -lt 5 ] || fail "100,000 sections took $(( $(date +%s) - start )) s"
pass "100,000 sections refused at once"
