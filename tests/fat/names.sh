#!/bin/bash
# Names: generated 8.3 names are unique (BASIS~N) and readable by mtools,
# entries are in sorted order, lookups ignore case, and names FAT cannot
# hold are refused with a message naming the path.
. "$TESTS_DIR/fat/lib.sh"

mib=64
img=$WORK/disk.img
src=$WORK/src
mkdir -p "$src/collide"
for i in $(seq 1 12); do echo "content $i" >"$src/collide/Long File Name $i.txt"; done
echo literal >"$src/collide/LONGFI~1.TXT"      # an exact short name the generator must avoid
echo a >"$src/collide/zeta"
echo b >"$src/collide/Alpha"
echo c >"$src/collide/_under"
echo d >"$src/collide/~tilde"
echo e >"$src/collide/.hidden"
echo f >"$src/collide/0digit"
echo g >"$src/collide/README.TXT"

make_esp "$img" $mib 1
fill "$img" $mib "$src" --order=reverse --extra='emoji 😀.txt' --mkdir=collide >/dev/null ||
        fail "fatfill failed"
check_fsck "$img" $mib

# Everything in collide/ reads back identical by long name.
mkdir "$WORK/back"
mcopy -s -n -i "$img@@$OFFSET" ::/collide "$WORK/back/" || fail "mcopy -s ::/collide"
diff -r "$src/collide" "$WORK/back/collide" || fail "collide/ read back differs"

# Short names: unique, BASIS~N shaped, the literal LONGFI~1.TXT kept as is,
# and each one reaches the same file as its long name.
listing=$(mdir -i "$img@@$OFFSET" ::/collide)
grep -Eq '^LONGFI~1 +TXT +8 ' <<<"$listing" || { echo "$listing" >&2; fail "literal LONGFI~1.TXT lost"; }
shorts=$(echo "$listing" | awk '/ Long File Name [0-9]+\.txt$/ { print $1 "." $2 }')
[ "$(echo "$shorts" | wc -l)" = 12 ] || { echo "$listing" >&2; fail "expected 12 long-named files"; }
[ "$(echo "$shorts" | sort -u | wc -l)" = 12 ] || fail "generated short names are not unique: $shorts"
echo "$shorts" | grep >/dev/null -x 'LONGFI~1.TXT' && fail "a generated short name reused LONGFI~1.TXT"
echo "$shorts" | grep -Evx 'LONGFI~[2-9]\.TXT|LONGF~[1-9][0-9]\.TXT' && fail "short names not BASIS~N: $shorts"
echo "$listing" | awk '/ Long File Name [0-9]+\.txt$/ { print $1 "." $2 "\t" $NF }' |
while IFS=$'\t' read -r short n; do
        want="content ${n%.txt}"
        got=$(mtype -i "$img@@$OFFSET" "::/collide/$short")
        [ "$got" = "$want" ] || fail "::/collide/$short gives '$got', expected '$want'"
done
grep -Eq '^HIDDEN~1 +[0-9]+ .* \.hidden$' <<<"$listing" || { echo "$listing" >&2; fail ".hidden short name"; }

# Entries sorted by byte order of their long names, whatever the add order.
mdir_names "$img" /collide >"$WORK/order"
LC_ALL=C sort "$WORK/order" | cmp -s - "$WORK/order" || { cat "$WORK/order" >&2; fail "collide/ is not in sorted order"; }
mdir_names "$img" / >"$WORK/order"
LC_ALL=C sort "$WORK/order" | cmp -s - "$WORK/order" || { cat "$WORK/order" >&2; fail "root is not in sorted order"; }

# A character outside UCS-2 is stored as a UTF-16 pair (two units; mtools
# shows each half as '_'), and fsck.fat accepted it above.
mdir -i "$img@@$OFFSET" ::/ | grep >/dev/null ' emoji __\.txt$' || fail "astral character not stored as two units"

# Refusals: each must fail, with a message naming the path.
refuse() {
        local what=$1 expect=$2 out
        shift 2
        make_esp "$img" $mib 1
        if out=$(fill "$img" $mib "$src" "$@" 2>&1); then
                fail "$what: accepted"
        fi
        grep -qF -- "$expect" <<<"$out" || { echo "$out" >&2; fail "$what: message lacks '$expect'"; }
}
refuse "same name, other case" "already exists" --extra='collide/long file name 1.TXT'
refuse "same 8.3 name, other case" "already exists" --extra='collide/readme.txt'
refuse "file over a directory" "already exists" --extra='collide'
refuse "directory over a file" "exists as a file" --mkdir='collide/zeta'
refuse "file as a parent" "is a file" --extra='collide/zeta/x'
for bad in 'bad:name' 'ask?' 'star*' 'pipe|x' 'lt<' 'gt>' 'quote"' 'back\slash' \
           "$(printf 'ctl\001x')" 'trailing.' 'trailing ' ; do
        refuse "name '$bad'" "$bad" --extra="collide/$bad"
done
refuse "dot component" "not allowed" --extra='collide/./x'
refuse "dot-dot component" "not allowed" --extra='collide/../x'
refuse "256-character name" "255" --extra="$(printf 'y%.0s' $(seq 1 256))"
refuse "invalid UTF-8" "UTF-8" --extra="$(printf 'bad\377utf8')"

# Creating an existing directory again is not an error.
make_esp "$img" $mib 1
fill "$img" $mib "$src" --mkdir=collide --mkdir=COLLIDE --mkdir=new/sub --mkdir=new >/dev/null ||
        fail "mkdir of an existing directory failed"
check_fsck "$img" $mib
echo "names: ok"
