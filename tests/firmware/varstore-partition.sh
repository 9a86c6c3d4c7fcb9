# The varstore partition travels with the disk: mkvmimage-boot maps it as
# EDK2's variable flash (pflash1) through QEMU's raw driver offset=/size=.
#  - blank (as the layout writes it): the image still boots (a portable image
#    must not rely on preconfigured variables);
#  - seeded by `mkvmimage-vars seed --image`: Boot0000 starts first, and by
#    default the image is not modified (a per-run copy of the partition);
#  - --persist: variable writes land in the partition and only there;
#    efi-hello's boot counter (a non-volatile variable it writes each boot)
#    reads 1 after the first boot and 2 after a second one on the other GIC
#    version;
#  - --no-varstore: boots with a blank store.
source "$TESTS_DIR/firmware/lib.sh"
arch=$1
case $arch in
aa64) cell1=aa64-edk2-gicv3-pci cell2=aa64-edk2-gicv2-pci ;;
arm) cell1=arm-edk2-gicv2-pci cell2=arm-edk2-gicv3-pci ;;
esac
img=$WORK/disk.img

# efi-hello placed by --esp-dir, not --bootloader: mkvmimage then leaves the
# varstore blank (with a bootloader it seeds it itself: tests/cli/varstore.sh).
declare -A removable=([aa64]=BOOTAA64.EFI [arm]=BOOTARM.EFI)
mkdir -p "$WORK/esp/EFI/BOOT"
cp "$(efi_hello "$arch")" "$WORK/esp/EFI/BOOT/${removable[$arch]}"
"$MKVMIMAGE" -q --arch "$arch" --layout vmspec-varstore --esp-dir "$WORK/esp" -o "$img"
read -r vnum vstart vsize vuuid < <(part_of_type "$img" "$VARSTORE_TYPE")
[ -n "$vnum" ] || fail "sfdisk shows no varstore partition"
[ "$vsize" -eq 131072 ] || fail "varstore partition is $vsize sectors, not 64 MiB"
voff=$((vstart * 512))
read -r enum estart esize euuid < <(part_of_type "$img" "$ESP_TYPE")

# outside_sum: everything but the varstore partition, hashed.
outside_sum() { { head -c "$voff" "$img"; tail -c +$((voff + 64 * 1024 * 1024 + 1)) "$img"; } | sha256sum; }
whole_sum() { sha256sum <"$img"; }

# count LOG: efi-hello's boot counter.
count() { tr -d '\r' <"$1" | sed -n 's/.*MKVMIMAGE-BOOT-COUNT: \(0x[0-9a-f]*\).*/\1/p' | head -n 1; }

boot() {  # boot NAME CELL ARGS...: must pass
        local name=$1 cell=$2 rc=0
        shift 2
        run_boot "$WORK/$name.out" "$img" --arch "$arch" --platform "$cell" --log-dir "$WORK/$name" "$@" || rc=$?
        [ $rc -eq 0 ] || fail "$name: exit status $rc"
        LOG=$WORK/$name/$cell.log
}

# 1. Blank partition: listed as blank, boots by the removable-media rule.
"$VARS" list "$img" >"$WORK/list0" || fail "vars list of the blank partition: $(cat "$WORK/list0")"
grep -q "partition $vnum: blank EDK2 variable store" "$WORK/list0" || fail "blank store not reported: $(cat "$WORK/list0")"
before=$(whole_sum)
boot blank "$cell1"
grep -q "EDK2 variables: a per-run copy of the image's varstore partition" "$WORK/blank.out" || fail "partition not used"
[ "$(count "$LOG")" = 0x00000001 ] || fail "blank: boot count $(count "$LOG")"
[ "$(whole_sum)" = "$before" ] || fail "blank: booting modified the image"
pass "blank varstore partition: boots, image unchanged"

# 2. Seed it in place; nothing outside the partition changes.
out_before=$(outside_sum)
"$VARS" seed -q --format edk2 --image "$img" --esp-from "$img" --arch "$arch" -d "varstore $arch" --timeout 0
[ "$(outside_sum)" = "$out_before" ] || fail "seeding wrote outside the varstore partition"
expect_store_headers "$img" "$voff"
"$VARS" list "$img" >"$WORK/list1"
grep -q "^    Boot0000\* varstore $arch  HD($enum,GPT,$euuid,0x$(printf %X "$estart"),0x$(printf %X "$esize"))/File(" "$WORK/list1" ||
        fail "seeded Boot0000 does not match sfdisk's ESP: $(cat "$WORK/list1")"
pass "seeded in place: headers good, Boot0000 matches the ESP sfdisk reports"

# 3. Default: a per-run copy: Boot0000 first, the image untouched.
before=$(whole_sum)
boot copy "$cell1" --expect-boot-option Boot0000
[ "$(first_started "$LOG")" = "Boot0000 \"varstore $arch\"" ] || fail "copy: started $(first_started "$LOG")"
[ "$(whole_sum)" = "$before" ] || fail "default boot modified the image"
pass "seeded partition (per-run copy): Boot0000 first, image unchanged"

# 4. --persist, twice, on both GIC versions: the counter survives in the image.
out_before=$(outside_sum)
boot persist1 "$cell1" --persist --expect-boot-option Boot0000
grep -q "in place (variables persist in the image)" "$WORK/persist1.out" || fail "--persist not in place"
grep -a -q -- "-blockdev node-name=vars,driver=raw,file=varsfile,offset=$voff,size=67108864" "$LOG" ||
        fail "QEMU not given the partition window as pflash1"
[ "$(count "$LOG")" = 0x00000001 ] || fail "persist1: boot count $(count "$LOG")"
boot persist2 "$cell2" --persist --expect-boot-option Boot0000
[ "$(count "$LOG")" = 0x00000002 ] || fail "persist2 ($cell2): boot count $(count "$LOG"), the variable did not persist"
[ "$(outside_sum)" = "$out_before" ] || fail "--persist changed the image outside the varstore partition"
expect_store_headers "$img" "$voff"
"$VARS" list "$img" >"$WORK/list2"
sed 's/^/    | /' "$WORK/list2"
grep -q '^MkvmimageBootCount \[6D6B766D-6967-4F00-8B00-626F6F74636E\] NV+BS+RT, 4 bytes' "$WORK/list2" ||
        fail "the guest's variable is not in the partition"
grep -q '^    hex: 02 00 00 00$' "$WORK/list2" || fail "boot counter in the partition is not 2"
grep -q "^    Boot0000\* varstore $arch " "$WORK/list2" || fail "Boot0000 lost"
pass "--persist: guest variable written on $cell1, read back on $cell2; only the partition changed"

# 5. --no-varstore: the firmware's blank template, still boots.
boot noparts "$cell1" --no-varstore
[ "$(count "$LOG")" = 0x00000001 ] || fail "--no-varstore: boot count $(count "$LOG") (store not blank?)"
grep -a -q "BdsDxe: starting Boot0000 \"varstore" "$LOG" && fail "--no-varstore still used the seeded entry"
pass "--no-varstore: boots with a blank store"
