#!/bin/bash
# Directories past one cluster: 2000 long-named files in one directory (about
# 6000 entries, 188 KiB of directory) and 300 in the root, which grows past
# the single cluster mkfs.fat gave it by a cluster chain.
. "$TESTS_DIR/fat/lib.sh"

src=$WORK/src
mkdir -p "$src/many"
for i in $(seq -w 1 2000); do echo "$i" >"$src/many/file number $i.dat"; done
for i in $(seq -w 1 300); do echo "$i" >"$src/root file $i"; done

for spc in 1 8; do
        if [ "$spc" = 1 ]; then mib=64; else mib=300; fi
        img=$WORK/disk.img
        make_esp "$img" $mib $spc
        fill "$img" $mib "$src" --order=shuffle >/dev/null || fail "fatfill failed (-s $spc)"
        check_fsck "$img" $mib
        check_readback "$img" "$src"

        n=$(mdir -b -i "$img@@$OFFSET" ::/many | wc -l)
        [ "$n" = 2000 ] || fail "mdir lists $n files in many/, expected 2000"
        mdir_names "$img" /many >"$WORK/order"
        LC_ALL=C sort "$WORK/order" | cmp -s - "$WORK/order" || fail "many/ is not in sorted order"
        [ "$(mdir_names "$img" / | wc -l)" = 301 ] || fail "root does not list 301 entries"
        [ "$(mtype -i "$img@@$OFFSET" '::/many/file number 1999.dat')" = 1999 ] || fail "mtype of the 1999th file"
done
echo "bigdir: ok"
