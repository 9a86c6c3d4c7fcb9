# Readers of PE files (sourced; `fail` must exist), built on tools we did
# not write: llvm-readobj, od, dd, cmp.

# sections FILE: one line per section, from llvm-readobj:
# "NAME VIRTUAL_ADDRESS VIRTUAL_SIZE POINTER_TO_RAW_DATA RAW_SIZE CHARACTERISTICS" (decimal).
sections() {
        llvm-readobj --sections "$1" | awk '
                function num(s,   i, v) {
                        if (s !~ /^0x/) return s + 0
                        v = 0
                        for (i = 3; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", tolower(substr(s, i, 1))) - 1
                        return v
                }
                $1 == "Name:" { name = $2 }
                $1 == "VirtualSize:" { vs = num($2) }
                $1 == "VirtualAddress:" { va = num($2) }
                $1 == "RawDataSize:" { rs = num($2) }
                $1 == "PointerToRawData:" { rp = num($2) }
                $1 == "Characteristics" { c = $3; gsub(/[()]/, "", c); printf "%s %.0f %.0f %.0f %.0f %.0f\n", name, va, vs, rp, rs, num(c) }'
}

# header FILE FIELD: a field of llvm-readobj --file-headers, in decimal.
header() {
        local v
        v=$(llvm-readobj --file-headers "$1" | awk -v f="$2:" '$1 == f { print $2; exit }')
        [ -n "$v" ] || fail "llvm-readobj shows no $2 in $1"
        echo $((v))
}

# le32 FILE OFFSET: a little-endian 32-bit field read with od.
le32() {
        local v
        v=$(od -An -tu4 -j"$2" -N4 "$1" | tr -d ' ')
        [ -n "$v" ] || fail "cannot read 4 bytes at $2 of $1"
        echo "$v"
}

# extract FILE OFFSET SIZE OUT: cut bytes out with dd.
extract() {
        dd if="$1" of="$4" iflag=skip_bytes,count_bytes skip="$2" count="$3" status=none ||
                fail "dd cannot read $3 bytes at $2 of $1"
}

# check_zimage_heap KERNEL COPY: an ARM zImage's decompressor takes 64 KiB
# (the malloc size in its kexec size table) above its PE image; in mkvmimage's
# copy of it (a UKI's .linux, the ESP's kernel) SizeOfImage and the last
# section's VirtualSize grow to cover that, and nothing else differs.
check_zimage_heap() {
        local kernel=$1 copy=$2 table heap ksa ksoi want last_va last_vs pe diff
        [ "$(le32 "$kernel" $((0x24)))" -eq $((0x016f2818)) ] || fail "$kernel is no zImage"
        table=$(le32 "$kernel" $((0x38)))
        [ "$(le32 "$kernel" $((table + 4)))" -eq $((0x5a534c4b)) ] || fail "$kernel: no kexec size table"
        heap=$(le32 "$kernel" $((table + 20)))
        ksa=$(header "$kernel" SectionAlignment)
        ksoi=$(header "$kernel" SizeOfImage)
        want=$(((ksoi + heap + ksa - 1) / ksa * ksa))
        [ "$(header "$copy" SizeOfImage)" -eq "$want" ] ||
                fail "$copy: SizeOfImage $(header "$copy" SizeOfImage), expected $ksoi + $heap heap rounded to $ksa = $want"
        read -r _ last_va last_vs _ _ _ < <(sections "$copy" | sort -k2,2n | tail -n 1)
        [ $((last_va + last_vs)) -eq "$want" ] || fail "$copy: its last section ends at $((last_va + last_vs)), not at $want"
        pe=$(le32 "$kernel" 60)
        # cmp -l: 1-based offsets of the bytes that differ, all inside the two fields.
        diff=$(cmp -l "$kernel" "$copy" | awk -v soi=$((pe + 24 + 56)) -v vs_lo=$((pe + 24 + $(header "$kernel" OptionalHeaderSize))) '
                { o = $1 - 1; if (!((o >= soi && o < soi + 4) || (o >= vs_lo && (o - vs_lo) % 40 >= 8 && (o - vs_lo) % 40 < 12))) print o }') || true
        [ -z "$diff" ] || fail "$copy: bytes other than SizeOfImage and VirtualSize differ from the kernel at $diff"
        echo "ok: $copy is the zImage with SizeOfImage $ksoi -> $want (its ${heap}-byte decompressor heap covered)"
}
