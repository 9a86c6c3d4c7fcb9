#!/bin/bash
# A tree with every kind of name and file the ESP may get, added by fatfill,
# must pass fsck.fat and read back byte-identical through mtools, with two
# cluster sizes and through both fat_add_file() and fat_add_buffer().
. "$TESTS_DIR/fat/lib.sh"

src=$WORK/src
mkdir -p "$src/EFI/BOOT" "$src/loader/entries" "$src/Dir With Space" "$src/lower"
echo bootloader >"$src/EFI/BOOT/BOOTAA64.EFI"
echo 'title Debian' >"$src/loader/entries/debian.conf"
echo lower >"$src/lower/readme.txt"
echo spaces >"$src/Dir With Space/a file with spaces.txt"
echo dots >"$src/several.dots.in.name.tar.gz"
echo unicode >"$src/Ünïcødé ☃ naïve.txt"
echo cjk >"$src/日本語のファイル.txt"
echo plus >"$src/a+b,c;d=e[f].txt"                    # legal in long names only
echo short >"$src/SHORT.TXT"
echo noext >"$src/NOEXT"
echo mixed >"$src/MiXeD.TxT"
long=$(printf 'x%.0s' $(seq 1 250)).txt               # 254 characters
echo long >"$src/$long"
: >"$src/empty"
: >"$src/EMPTY2.BIN"
head -c $((5 * 1024 * 1024 + 123)) /dev/urandom >"$src/random.bin"   # many clusters, odd tail
deep=$src
for i in 1 2 3 4 5 6 7 8; do deep="$deep/level $i"; done
mkdir -p "$deep"
echo deep >"$deep/deepest file.txt"
mkdir -p "$src/empty dir"
touch -d '2021-03-04 05:06:08' "$src/SHORT.TXT"

for spc in 1 8; do
        # 4 KiB clusters need 65525+ clusters: a larger (sparse) ESP.
        if [ "$spc" = 1 ]; then mib=64; else mib=300; fi
        for how in "" --buffer --stream; do
                img=$WORK/disk.img
                make_esp "$img" "$mib" "$spc"
                fill "$img" "$mib" "$src" --order=shuffle $how >/dev/null || fail "fatfill failed (-s $spc $how)"
                check_fsck "$img" "$mib"
                check_readback "$img" "$src"

                # Independent reads of single files, by long name and by short name.
                [ "$(mtype -i "$img@@$OFFSET" '::/EFI/BOOT/BOOTAA64.EFI')" = bootloader ] ||
                        fail "mtype of EFI/BOOT/BOOTAA64.EFI"
                [ "$(mtype -i "$img@@$OFFSET" "::/$(echo "${deep#$src/}")/deepest file.txt")" = deep ] ||
                        fail "mtype of the 8-deep file"
                [ "$(mtype -i "$img@@$OFFSET" '::/LOWER/README.TXT')" = lower ] ||
                        fail "mtype by short name"

                listing=$(mdir -i "$img@@$OFFSET" ::/)
                # An upper-case 8.3 name is a short entry alone; others keep their long name.
                grep -Eq '^SHORT +TXT +6 2021-03-04 +5:06 *$' <<<"$listing" ||
                        { echo "$listing" >&2; fail "SHORT.TXT: not a plain 8.3 entry with its mtime"; }
                grep -q ' MiXeD.TxT$' <<<"$listing" || fail "mixed-case name lost"
                grep -q ' Ünïcødé ☃ naïve.txt$' <<<"$listing" || fail "Unicode long name lost"
                grep -q "$long\$" <<<"$listing" || fail "254-character name lost"
                grep -Eq '^ESPTEST|Volume in drive : is ESPTEST' <<<"$listing" ||
                        fail "volume label lost"

                # "." and "..": a first-level directory's ".." is cluster 0 (fsck checks
                # that too); mdir must list both.
                mdir -a -i "$img@@$OFFSET" '::/lower' | grep >/dev/null -E '^\.\. +<DIR>' || fail "no .. entry"
        done
done
echo "fill: ok"
