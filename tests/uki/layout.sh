# A UKI built from Debian's systemd-stub and kernel plus an initrd, command
# line, os-release and uname, read back with tools we did not write:
# file(1) and llvm-readobj/llvm-objdump for the headers and section table,
# dd + cmp for every section's bytes against its input; the layout rules
# (alignment, no overlap, SizeOfImage, header room) checked from their
# output; same inputs give the same bytes; a 256 MiB initrd is streamed,
# not held in memory.
#
# layout.sh UKIBUILD PECHECK ARCH
set -euo pipefail
. "$TESTS_DIR/uki/lib.sh"
ukibuild=${1:?usage: layout.sh UKIBUILD PECHECK ARCH}
pecheck=${2:?usage: layout.sh UKIBUILD PECHECK ARCH}
arch=${3:?usage: layout.sh UKIBUILD PECHECK ARCH}
need_tools llvm-readobj llvm-objdump file od dd cmp awk truncate
[ -x /usr/bin/time ] || fail "/usr/bin/time not found: run scripts/setup-deps (package time)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

stub=$(stub_fixture "$arch")
kernel=$(kernel_fixture "$arch")
uname=${kernel##*/vmlinuz-}
cmdline="root=PARTUUID=0fc63daf-8483-4772-8e79-3d69d8477de4 rw console=ttyAMA0 quiet"
# Sizes that are no multiple of any alignment: padding must be added.
head -c 3000017 /dev/urandom >"$work/initrd"
printf 'NAME="mkvmimage test"\nID=mkvmtest\nVERSION_ID=1\n' >"$work/os-release"
printf '%s' "$cmdline" >"$work/cmdline"
printf '%s' "$uname" >"$work/uname"

build() {
        local out=$1
        shift
        "$ukibuild" --arch "$arch" --stub "$stub" --kernel "$kernel" -o "$out" "$@"
}
build "$work/uki.efi" --initrd "$work/initrd" --os-release "$work/os-release" \
        --cmdline "$cmdline" --uname "$uname" >"$work/out" 2>"$work/err" ||
        { cat "$work/err" >&2; fail "ukibuild failed"; }
cat "$work/err"
uki=$work/uki.efi
file_size=$(stat -c %s "$uki")
grep -qx "size $file_size" "$work/out" || fail "ukibuild reported '$(cat "$work/out")', the file has $file_size bytes"

# What file(1) and our own check (pe_check_efi_app) say.
got=$(file -b "$uki")
[[ $got == "${FILE_SAYS[$arch]}"* ]] || fail "file says '$got', expected '${FILE_SAYS[$arch]}...'"
"$pecheck" "$uki" "$arch" || fail "pe_check_efi_app refuses the UKI"
echo "ok: file: $got"

# The section table, as llvm-readobj reads it.
sections "$stub" >"$work/stub.sec"
sections "$uki" >"$work/uki.sec"
cat "$work/uki.sec"
n_stub=$(wc -l <"$work/stub.sec")
n=$(wc -l <"$work/uki.sec")
[ "$n" -eq $((n_stub + 5)) ] || fail "$n sections, expected the stub's $n_stub + 5"
[ "$(header "$uki" SectionCount)" -eq "$n" ] || fail "NumberOfSections is not $n"
names=$(tail -n 5 "$work/uki.sec" | awk '{ printf "%s ", $1 }')
[ "$names" = ".osrel .cmdline .uname .linux .initrd " ] || fail "new sections are '$names', expected ukify's order"
# The stub's own sections keep their names, sizes and flags.
paste -d' ' "$work/stub.sec" <(head -n "$n_stub" "$work/uki.sec") |
        awk '$1 != $7 || $3 != $9 || $5 != $11 || $6 != $12 { exit 1 }' ||
        fail "the stub's sections changed name, size or flags"

sa=$(header "$uki" SectionAlignment)
fa=$(header "$uki" FileAlignment)
soh=$(header "$uki" SizeOfHeaders)
soi=$(header "$uki" SizeOfImage)
opt_size=$(header "$uki" OptionalHeaderSize)
pe=$(le32 "$uki" 60)
table_end=$((pe + 24 + opt_size + 40 * n))
[ "$table_end" -le "$soh" ] || fail "the section table ends at $table_end, beyond SizeOfHeaders $soh"
[ $((soh % fa)) -eq 0 ] || fail "SizeOfHeaders $soh is not a multiple of FileAlignment $fa"
echo "ok: $n sections, table ends at $table_end <= SizeOfHeaders $soh; SectionAlignment $sa, FileAlignment $fa"

# Every new section: aligned, sized from its input, initialized read-only data.
declare -A input=([.osrel]=$work/os-release [.cmdline]=$work/cmdline [.uname]=$work/uname
                  [.linux]=$kernel [.initrd]=$work/initrd)
while read -r name va vs rp rs flags; do
        [ -n "${input[$name]:-}" ] || continue
        want=$(stat -c %s "${input[$name]}")
        [ "$vs" -eq "$want" ] || fail "$name: VirtualSize $vs, its input has $want bytes"
        [ $((va % sa)) -eq 0 ] || fail "$name: VirtualAddress $va is not aligned to $sa"
        [ $((rp % fa)) -eq 0 ] || fail "$name: PointerToRawData $rp is not aligned to $fa"
        [ "$rs" -eq $(((vs + fa - 1) / fa * fa)) ] || fail "$name: SizeOfRawData $rs is not $vs rounded up to $fa"
        [ "$flags" -eq $((0x40000040)) ] || fail "$name: characteristics $flags, expected 0x40000040"
        # The bytes, cut out with dd, are the input's (but an ARM kernel's
        # two size fields, checked below); the padding is zeros.
        extract "$uki" "$rp" "$vs" "$work/got"
        if [ "$name" = .linux ] && [ "$arch" = arm ]; then
                cp "$work/got" "$work/linux"
                check_zimage_heap "$kernel" "$work/linux"
        else
                cmp "$work/got" "${input[$name]}" || fail "$name: its bytes differ from ${input[$name]}"
        fi
        extract "$uki" $((rp + vs)) $((rs - vs)) "$work/pad"
        cmp -n $((rs - vs)) "$work/pad" /dev/zero || fail "$name: padding is not zeros"
done <"$work/uki.sec"
echo "ok: each new section's bytes equal its input (dd + cmp), aligned, flags 0x40000040"

# The stub's section data is carried over unchanged (even when it moved).
paste -d' ' "$work/stub.sec" <(head -n "$n_stub" "$work/uki.sec") |
while read -r name _ _ rp rs _ _ _ _ new_rp _ _; do
        [ "$rs" -gt 0 ] || continue
        extract "$stub" "$rp" "$rs" "$work/a"
        extract "$uki" "$new_rp" "$rs" "$work/b"
        cmp "$work/a" "$work/b" || fail "stub section $name: data changed"
done

# No overlap, in memory (from the headers on) or in the file; SizeOfImage
# ends at the last section, rounded to SectionAlignment.
awk -v soh="$soh" -v sa="$sa" -v soi="$soi" '($3 > 0 || $5 > 0) { print $2, ($3 > 0 ? $3 : $5), $1 }' "$work/uki.sec" |
        sort -n | awk -v soh="$soh" -v sa="$sa" -v soi="$soi" '
        { if ($1 < end) { print "memory overlap: " $3 " at " $1 " before " end; exit 1 }
          end = $1 + $2; if (NR == 1 && $1 < soh) { print "section " $3 " inside the headers"; exit 1 } }
        END { want = int((end + sa - 1) / sa) * sa
              if (soi != want) { print "SizeOfImage " soi ", expected " want; exit 1 } }' ||
        fail "memory layout"
awk '$5 > 0 { print $4, $5, $1 }' "$work/uki.sec" | sort -n | awk -v soh="$soh" -v size="$file_size" '
        { if ($1 < end || $1 < soh) { print "file overlap: " $3 " at " $1; exit 1 } end = $1 + $2 }
        END { if (end != size) { print "last section ends at " end ", the file has " size " bytes"; exit 1 } }' ||
        fail "file layout"
echo "ok: no overlap in memory or file; SizeOfImage $soi covers the last section"

# llvm-objdump, a second reader, agrees on names, sizes and addresses.
llvm-objdump -h "$uki" | awk '
        function hex(s,   i, v) { v = 0; for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", tolower(substr(s, i, 1))) - 1; return v }
        $1 ~ /^[0-9]+$/ { print $2, hex($3), hex($4) }' >"$work/objdump"
awk '{ print $1, $3, $2 }' "$work/uki.sec" | cmp - "$work/objdump" ||
        { cat "$work/objdump" >&2; fail "llvm-objdump -h disagrees with llvm-readobj"; }

# CheckSum (optional header + 64) is zero; no certificate table.
[ "$(le32 "$uki" $((pe + 24 + 64)))" -eq 0 ] || fail "CheckSum is not zero"
llvm-readobj --file-headers "$uki" | grep >/dev/null 'CertificateTableSize: 0x0' || fail "a certificate table is still referenced"
size_of_init=$(header "$uki" SizeOfInitializedData)
stub_init=$(header "$stub" SizeOfInitializedData)
added=$(tail -n 5 "$work/uki.sec" | awk '{ s += $5 } END { print s }')
[ "$size_of_init" -eq $((stub_init + added)) ] || fail "SizeOfInitializedData $size_of_init, expected $stub_init + $added"
echo "ok: llvm-objdump agrees; CheckSum 0; SizeOfInitializedData $size_of_init"

# Only when the stub's header area is full are its sections moved, and it says so.
case $arch in
arm) grep -q 'sections move by' "$work/err" || fail "the armhf stub's sections moved without a message" ;;
aa64) ! grep -q 'move' "$work/err" || fail "the arm64 stub has header room, yet its sections moved" ;;
esac

# Same inputs, same bytes.
build "$work/again.efi" --initrd "$work/initrd" --os-release "$work/os-release" \
        --cmdline "$cmdline" --uname "$uname" >/dev/null 2>&1 || fail "second build failed"
cmp "$uki" "$work/again.efi" || fail "two builds from the same inputs differ"
echo "ok: reproducible"

# Only the parts given get a section.
build "$work/kernel-only.efi" >/dev/null 2>&1 || fail "kernel-only build failed"
sections "$work/kernel-only.efi" | tail -n +$((n_stub + 1)) | awk '{ print $1 }' >"$work/names"
[ "$(cat "$work/names")" = ".linux" ] || fail "kernel-only UKI has sections '$(tr '\n' ' ' <"$work/names")'"
echo "ok: kernel-only UKI has just .linux"

# A 256 MiB initrd (sparse input) is streamed: the builder's peak RSS stays far below it.
truncate -s 256M "$work/big"
printf 'end of the big initrd' | dd of="$work/big" bs=1 seek=$((256 * 1024 * 1024 - 21)) conv=notrunc status=none
/usr/bin/time -f '%M' -o "$work/rss" "$ukibuild" --arch "$arch" --stub "$stub" --kernel "$kernel" \
        --initrd "$work/big" -o "$work/big.efi" >/dev/null 2>&1 || fail "build with a 256 MiB initrd failed"
rss=$(tail -n 1 "$work/rss")
[ "$rss" -lt $((96 * 1024)) ] || fail "peak RSS ${rss} KiB with a 256 MiB initrd: parts are held in memory"
read -r _ _ vs rp _ _ < <(sections "$work/big.efi" | tail -n 1)
extract "$work/big.efi" "$rp" "$vs" "$work/got"
cmp "$work/got" "$work/big" || fail "the 256 MiB initrd's bytes differ"
echo "ok: 256 MiB initrd streamed, peak RSS ${rss} KiB"
