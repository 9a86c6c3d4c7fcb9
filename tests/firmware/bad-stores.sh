# Untrusted stores: `mkvmimage-vars list` on wrong-size, truncated and
# corrupt EDK2 stores, broken EBBR files and images without (or with a
# broken) varstore partition gives one clear error and exit status 1, never
# a crash or a sanitizer report; `seed` refuses what cannot work. Then random
# damage: the CLI on damaged stores, and varsfuzz driving every parser.
source "$TESTS_DIR/firmware/lib.sh"
[ -x "${VARSFUZZ:-}" ] || fail "VARSFUZZ is not set to the built varsfuzz (run through ctest)"
GUID=76399AB9-C396-46EA-B146-40C6A634A4B2

good=$WORK/good.fd
"$VARS" seed -q --format edk2 -o "$good" --arch aa64 -d good --partition 1 --part-uuid $GUID --start 2048 --size 524288
"$VARS" seed -q --format ebbr -o "$WORK/good.var" --arch aa64 -d good --partition 1 --part-uuid $GUID --start 2048 --size 524288
"$VARS" list "$good" >/dev/null || fail "good store rejected"
"$VARS" list "$WORK/good.var" >/dev/null || fail "good EBBR file rejected"

# poke FILE OFFSET HEXBYTES: overwrite bytes in place.
poke() { printf "$(echo "$3" | sed 's/../\\x&/g')" | dd of="$1" bs=1 seek=$(($2)) conv=notrunc status=none; }
# damaged NAME: a fresh copy of the good store to damage.
damaged() { cp --sparse=always "$good" "$WORK/$1"; echo "$WORK/$1"; }

# expect_list_error WHAT PATTERN FILE: exit 1, the message matches, nothing on stdout.
expect_list_error() {
        local what=$1 pattern=$2 file=$3 rc=0
        "$VARS" list "$file" >"$WORK/stdout" 2>"$WORK/stderr" || rc=$?
        [ $rc -eq 1 ] || fail "$what: exit status $rc ($(cat "$WORK/stderr"))"
        grep -Eq -- "$pattern" "$WORK/stderr" || fail "$what: message does not match /$pattern/: $(cat "$WORK/stderr")"
        [ "$(wc -l <"$WORK/stderr")" -eq 1 ] || fail "$what: more than one error line: $(cat "$WORK/stderr")"
        pass "$what: $(cat "$WORK/stderr")"
}

: >"$WORK/empty"
expect_list_error "empty file" "not a variable store or a disk image \(0 bytes\)" "$WORK/empty"
head -c 1M /dev/zero >"$WORK/zero1m"
expect_list_error "1 MiB of zeros" "not a variable store or a disk image" "$WORK/zero1m"
head -c $((0x80000)) "$good" >"$WORK/trunc.fd"
expect_list_error "truncated store" "524288 bytes, an EDK2 \(ArmVirtQemu\) variable store is 67108864" "$WORK/trunc.fd"
f=$(damaged long.fd); truncate -s +512 "$f"
expect_list_error "store 512 bytes too long" "67109376 bytes, an EDK2" "$f"
head -c 64M /dev/urandom >"$WORK/random.fd"
expect_list_error "64 MiB of random bytes" "no firmware volume signature|not a variable store" "$WORK/random.fd"
f=$(damaged cksum.fd); poke "$f" 0x2c 37
expect_list_error "FV header checksum" "checksum is wrong" "$f"
f=$(damaged fsguid.fd); poke "$f" 0x10 8e
expect_list_error "FV file-system GUID" "file system GUID" "$f"
f=$(damaged fvlen.fd); poke "$f" 0x22 0d
expect_list_error "FV length" "firmware volume length 0xD0000" "$f"
f=$(damaged storeguid.fd); poke "$f" 0x48 00
expect_list_error "store header GUID" "no variable store header" "$f"
f=$(damaged state.fd); poke "$f" 0x5d fc
expect_list_error "store header state" "not marked formatted and healthy" "$f"
f=$(damaged storesize.fd); poke "$f" 0x58 00
expect_list_error "store size" "variable store size" "$f"
f=$(damaged ftw.fd); poke "$f" 0x40018 00
expect_list_error "FTW header CRC" "working block header CRC is wrong" "$f"
f=$(damaged namesize.fd); poke "$f" $((0x64 + 36)) 00ffffff
expect_list_error "variable name size past the end" "runs past the end" "$f"
f=$(damaged name.fd); poke "$f" $((0x64 + 36)) 02000000; poke "$f" $((0x64 + 60)) 4242
expect_list_error "variable name without NUL" "malformed name" "$f"

# A Boot0000 whose device path is broken is listed, marked, not fatal.
f=$(damaged devpath.fd); poke "$f" $((0x64 + 60 + 18 + 6 + 10 + 2)) 0000
"$VARS" list "$f" >"$WORK/list" 2>&1 || fail "broken device path: the store was rejected"
grep -q "Boot0000: cannot decode: device path node with a bad length" "$WORK/list" || fail "broken device path not reported: $(cat "$WORK/list")"
pass "broken device path in Boot0000: listed as 'cannot decode'"

# Blank stores are not errors.
truncate -s 64M "$WORK/blank.fd"
"$VARS" list "$WORK/blank.fd" | grep >/dev/null "blank EDK2 variable store" || fail "blank store not reported as blank"
pass "blank store: reported as blank"

# EBBR files.
cp "$WORK/good.var" "$WORK/crc.var"; poke "$WORK/crc.var" 40 ff
expect_list_error "EBBR CRC" "CRC32 of the entries is wrong" "$WORK/crc.var"
head -c -8 "$WORK/good.var" >"$WORK/short.var"
expect_list_error "EBBR truncated" "header says [0-9]+ bytes, the file has [0-9]+" "$WORK/short.var"
cp "$WORK/good.var" "$WORK/resv.var"; poke "$WORK/resv.var" 0 01
expect_list_error "EBBR reserved field" "reserved header field" "$WORK/resv.var"

# Images.
efi_hello_image "$WORK/novs.img" aa64
expect_list_error "image without a varstore partition" "no varstore partition \(type 2733F78F" "$WORK/novs.img"
cp --sparse=always "$WORK/novs.img" "$WORK/gptcrc.img"; poke "$WORK/gptcrc.img" $((512 + 16)) 00000000
expect_list_error "GPT header CRC" "GPT header CRC is wrong" "$WORK/gptcrc.img"
efi_hello_image "$WORK/vs.img" aa64 --layout vmspec-varstore
read -r vnum vstart vsize vuuid < <(part_of_type "$WORK/vs.img" "$VARSTORE_TYPE")
truncate -s $(((vstart + 1000) * 512)) "$WORK/vs.img"
expect_list_error "varstore partition past the end of the image" "partition $vnum lies outside the image" "$WORK/vs.img"
expect_list_error "directory" "is not a regular file" "$WORK"

# seed refuses what cannot work.
expect_seed_error() {
        local what=$1 pattern=$2 rc=0
        shift 2
        "$VARS" seed -q "$@" >"$WORK/stdout" 2>"$WORK/stderr" || rc=$?
        [ $rc -eq 1 ] || fail "$what: exit status $rc ($(cat "$WORK/stderr"))"
        grep -Eq -- "$pattern" "$WORK/stderr" || fail "$what: message does not match /$pattern/: $(cat "$WORK/stderr")"
        pass "$what: $(cat "$WORK/stderr")"
}
long=$(head -c 4090 /dev/zero | tr '\0' x)
expect_seed_error "variable larger than the firmware allows" "larger than the firmware's maximum variable size" \
        --format edk2 -o "$WORK/x.fd" --arch aa64 -d "$long" --partition 1 --part-uuid $GUID --start 1 --size 1
expect_seed_error "--image without a varstore partition" "no varstore partition" \
        --format edk2 --image "$WORK/novs.img" --esp-from "$WORK/novs.img" --arch aa64
expect_seed_error "--esp-from a file without a GPT" "not a GPT disk image" \
        --format edk2 -o "$WORK/x.fd" --esp-from "$WORK/zero1m" --arch aa64
expect_seed_error "bad GUID" "not a GUID" \
        --format edk2 -o "$WORK/x.fd" --arch aa64 --partition 1 --part-uuid nope --start 1 --size 1

# Random damage through the CLI: variables area and headers of the store.
for i in $(seq 1 60); do
        f=$WORK/rand.fd
        cp --sparse=always "$good" "$f"
        for k in 1 2 3; do
                off=$(( (RANDOM * 32768 + RANDOM) % 0x300 ))
                [ $((RANDOM % 6)) -eq 0 ] && off=$((0x40000 + RANDOM % 32))
                poke "$f" $off "$(printf %02x $((RANDOM % 256)))"
        done
        rc=0
        "$VARS" list "$f" >/dev/null 2>"$WORK/stderr" || rc=$?
        [ $rc -le 1 ] || fail "damaged store $i: exit status $rc: $(cat "$WORK/stderr")"
        grep -q -e AddressSanitizer -e 'runtime error' "$WORK/stderr" && fail "damaged store $i: sanitizer report"
done
pass "60 randomly damaged stores: no crash"

for seed in 1 2 3; do
        rc=0
        "$VARSFUZZ" 3000 $seed >"$WORK/fuzz.out" 2>"$WORK/fuzz.err" || rc=$?
        [ $rc -eq 0 ] || fail "varsfuzz seed $seed: exit status $rc: $(grep -v '^varsfuzz: ' "$WORK/fuzz.err" | head -20)"
        grep -q -e AddressSanitizer -e 'runtime error' "$WORK/fuzz.err" && fail "varsfuzz seed $seed: sanitizer report"
        pass "varsfuzz seed $seed: $(tr '\n' ' ' <"$WORK/fuzz.out")"
done

# The harness refuses variable-store options that cannot work (exit 2, before booting).
expect_boot_setup_error() {
        local what=$1 pattern=$2 rc=0
        shift 2
        "$BOOT" "$@" >"$WORK/stdout" 2>"$WORK/stderr" || rc=$?
        [ $rc -eq 2 ] || fail "$what: exit status $rc ($(cat "$WORK/stderr"))"
        grep -Eq -- "$pattern" "$WORK/stderr" || fail "$what: message does not match /$pattern/: $(cat "$WORK/stderr")"
        grep -q '^PASS\|^FAIL' "$WORK/stdout" && fail "$what: booted anyway"
        pass "$what: $(grep -E -- "$pattern" "$WORK/stderr")"
}
expect_boot_setup_error "--vars of the wrong size" "must be a 64 MiB file" \
        "$WORK/novs.img" --arch aa64 --platform aa64-edk2-gicv3-pci --vars "$WORK/zero1m"
expect_boot_setup_error "--vars missing" "--vars .*No such file" \
        "$WORK/novs.img" --arch aa64 --platform aa64-edk2-gicv3-pci --vars "$WORK/nonexistent"
expect_boot_setup_error "--persist without a varstore partition" "has no varstore partition" \
        "$WORK/novs.img" --arch aa64 --platform aa64-edk2-gicv3-pci --persist
expect_boot_setup_error "--persist with --vars" "--vars FILE already persists" \
        "$WORK/novs.img" --arch aa64 --vars "$good" --persist
expect_boot_setup_error "--expect-boot-option not BootNNNN" "not a BootNNNN name" \
        "$WORK/novs.img" --arch aa64 --expect-boot-option Boot1
