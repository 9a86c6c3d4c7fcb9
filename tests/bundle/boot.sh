# A bundle of an image built by mkvmimage, unpacked with GNU tar (or written
# as a directory), checked file by file, then booted with its own run script:
# efi-hello must print its marker, EDK2 must start the seeded Boot0000 first,
# and variables must persist between two runs (in efi-vars.fd, or inside the
# image's varstore partition).
#   boot.sh ARCH FORMAT [varstore]    FORMAT: tar, tar.gz, tar.xz, tar.zst or dir
. "$TESTS_DIR/bundle/lib.sh"
arch=$1 format=$2 varstore=0
[ "${3:-}" = varstore ] && varstore=1
name=appliance-$arch
img=$WORK/$name.img

if [ $varstore = 1 ]; then
        make_image "$arch" "$img" vmspec-varstore
        [ -n "$(part_of_type "$img" "$VARSTORE_TYPE")" ] || fail "vmspec-varstore gave no varstore partition"
        # arm: seed the partition with mkvmimage-vars (Boot0000 must win); aa64:
        # boot whatever mkvmimage left there (blank, or its own seed).
        if [ "$arch" = arm ]; then
                "$VARS" seed -q --format edk2 --image "$img" --esp-from "$img" --arch "$arch" -d "$name" ||
                        fail "mkvmimage-vars could not seed the varstore partition"
        fi
else
        make_image "$arch" "$img"
fi
read -r esp_no esp_start esp_size esp_uuid <<<"$(part_of_type "$img" "$ESP_TYPE")"
[ -n "$esp_uuid" ] || fail "no ESP in $img"

# A directory name with a space and a comma: the run script must quote, and
# double commas for QEMU.
unpacked="$WORK/un packed,1"
mkdir -p "$unpacked"
if [ "$format" = dir ]; then
        bundle --arch "$arch" "$img" -o "$unpacked/$name/"
        [ -z "$(find "$unpacked" -name '.*' -mindepth 1)" ] || fail "a temporary was left: $(ls -A "$unpacked")"
else
        out=$WORK/$name.$format
        bundle --arch "$arch" "$img" -o "$out"
        [ -z "$(find "$WORK" -maxdepth 1 \( -name ".$name*" -o -name '.mkvmimage-*' \))" ] || fail "a temporary was left: $(ls -A "$WORK")"
        case $format in
        tar) cat "$out" ;;
        tar.gz) gzip -dc "$out" ;;
        tar.xz) xz -dc "$out" ;;
        tar.zst) zstd -q -dc "$out" ;;
        esac >"$WORK/raw.tar" || fail "$out does not decompress as $format"

        tar --list -v --full-time -f "$out" | sed 's/^/    | /'
        listing=$(tar --list -v --full-time -f "$out")
        expected="$name/ $name/disk.img $name/efi-code.fd"
        [ $varstore = 1 ] || expected="$expected $name/efi-vars.fd"
        expected="$expected $name/firmware.json $name/libvirt.xml $name/run $name/MANIFEST"
        [ "$(tar --list -f "$out" | tr '\n' ' ')" = "$expected " ] || fail "entries or their order differ from: $expected"
        echo "$listing" | awk '$2 != "root/root" { exit 1 }' || fail "an entry is not owned by root/root"
        echo "$listing" | grep -v -q "2023-11-14 22:13:20" && fail "an entry's time is not SOURCE_DATE_EPOCH"
        # GNU tar lists the full size; the archive holds only the data.
        disk_size=$(echo "$listing" | awk -v n="$name/disk.img" '$6 == n { print $3 }')
        [ "$disk_size" = "$(stat -c %s "$img")" ] || fail "tar lists disk.img as $disk_size bytes, not $(stat -c %s "$img")"
        grep -a -q "GNU.sparse.name=$name/disk.img" "$WORK/raw.tar" || fail "disk.img is not a sparse entry (no GNU.sparse.name)"
        grep -a -q "GNU.sparse.major=1" "$WORK/raw.tar" || fail "no GNU sparse 1.0 attributes"
        raw=$(stat -c %s "$WORK/raw.tar")
        [ "$raw" -lt $((16 * 1024 * 1024)) ] || fail "the uncompressed archive is $raw bytes: holes were stored"
        pass "$name.$format: entries, owner root/root, mtime, disk.img sparse in the archive ($raw bytes uncompressed for a $disk_size-byte image)"

        tar -C "$unpacked" -xf "$out" || fail "GNU tar cannot extract $out"
fi
dir=$unpacked/$name
check_bundle_dir "$dir" "$arch" "$img" "$name" $varstore

if [ $varstore = 0 ]; then
        expect_sparse "$dir/efi-vars.fd"
        [ "$(stat -c %s "$dir/efi-vars.fd")" = 67108864 ] || fail "efi-vars.fd is not 64 MiB"
fi

run_bundle "$dir" "$WORK/boot1.log"
started=$(first_started "$WORK/boot1.log")
if [ $varstore = 1 ] && [ "$arch" = aa64 ]; then
        [ -n "$started" ] || fail "EDK2 started no boot option"
        pass "$name: varstore partition as mkvmimage wrote it, the firmware started $started"
else
        [ "$started" = "Boot0000 \"$name\"" ] || fail "EDK2 started $started first, not the seeded Boot0000 \"$name\""
        # The entry names this image's ESP, as sfdisk sees it.
        tr -d '\r' <"$WORK/boot1.log" | grep -a -q -i "starting Boot0000 \"$name\" from HD($esp_no,GPT,$esp_uuid," ||
                fail "Boot0000 does not point at ESP partition $esp_no ($esp_uuid)"
        pass "$name: EDK2 started the seeded Boot0000 first, on ESP $esp_uuid"
fi
[ "$(boot_count "$WORK/boot1.log")" = 00000001 ] || fail "first boot count is $(boot_count "$WORK/boot1.log"), not 1"

# Extra arguments reach QEMU (and a second run sees the first one's variables).
run_bundle "$dir" "$WORK/boot2.log" -snapshot
[ "$(boot_count "$WORK/boot2.log")" = 00000002 ] || fail "second boot count is $(boot_count "$WORK/boot2.log"): variables did not persist"
if [ $varstore = 1 ]; then
        cmp -s "$img" "$dir/disk.img" && fail "the varstore partition of the bundled image did not change"
        # Everything but the varstore partition is as built (with -snapshot too).
        read -r vs_no vs_start vs_size vs_uuid <<<"$(part_of_type "$img" "$VARSTORE_TYPE")"
        cmp -n $((vs_start * 512)) "$img" "$dir/disk.img" || fail "the image changed before its varstore partition"
        cmp -i $(((vs_start + vs_size) * 512)) "$img" "$dir/disk.img" || fail "the image changed after its varstore partition"
        pass "$name: variables persist inside the image's varstore partition (boot count 2), nothing else changed"
else
        cmp "$img" "$dir/disk.img" || fail "the bundled disk.img changed"
        pass "$name: variables persist in efi-vars.fd (boot count 2)"
fi
rc=0
"$dir/run" -mkvm-no-such-option </dev/null >"$WORK/bad.log" 2>&1 || rc=$?
[ $rc -ne 0 ] && grep -q -- "-mkvm-no-such-option: invalid option" "$WORK/bad.log" ||
        fail "an extra argument did not reach QEMU (status $rc: $(cat "$WORK/bad.log"))"
pass "$name: booted with its own run script; extra arguments go to QEMU"
