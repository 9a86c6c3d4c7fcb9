# pe_read_info() and pe_read_sections() read the same headers and section
# table as llvm-readobj, an independent PE reader, on real EFI binaries.
set -euo pipefail
PECHECK=$1
. "$TESTS_DIR/pe/lib.sh"

command -v llvm-readobj >/dev/null || fail "llvm-readobj missing (scripts/setup-deps installs llvm)"

# What llvm-readobj says, in pecheck --info's words (numbers normalised).
readobj_summary() {
        llvm-readobj --file-headers --sections "$1" | awk '
                # mawk has no strtonum().
                function num(s,   v, i) {
                        gsub(/[()]/, "", s)
                        if (s !~ /^0x/)
                                return s + 0
                        v = 0
                        for (i = 3; i <= length(s); i++)
                                v = v * 16 + index("0123456789abcdef", tolower(substr(s, i, 1))) - 1
                        return v
                }
                /^ImageFileHeader/ { part = "coff" }
                /^ImageOptionalHeader/ { part = "opt" }
                /^DOSHeader/ { part = "dos" }
                /^  Section \{/ { part = "sec" }
                part == "coff" && $1 == "Machine:" { printf "machine 0x%04x\n", num($NF) }
                part == "opt" && $1 == "Magic:" { printf "magic 0x%03x\n", num($2) }
                part == "opt" && $1 == "Subsystem:" { printf "subsystem %d\n", num($NF) }
                part == "opt" && $1 == "SectionAlignment:" { printf "section_alignment 0x%x\n", num($2) }
                part == "opt" && $1 == "FileAlignment:" { printf "file_alignment 0x%x\n", num($2) }
                part == "opt" && $1 == "SizeOfImage:" { printf "size_of_image 0x%x\n", num($2) }
                part == "opt" && $1 == "SizeOfHeaders:" { printf "size_of_headers 0x%x\n", num($2) }
                part == "opt" && $1 == "ImageBase:" { printf "image_base 0x%x\n", num($2) }
                part == "sec" && $1 == "Name:" { name = $2 }
                part == "sec" && $1 == "VirtualSize:" { vsize = num($2) }
                part == "sec" && $1 == "VirtualAddress:" { vaddr = num($2) }
                part == "sec" && $1 == "RawDataSize:" { rawsize = num($2) }
                part == "sec" && $1 == "PointerToRawData:" { raw = num($2) }
                part == "sec" && $1 == "Characteristics" {
                        printf "section %s vaddr 0x%x vsize 0x%x raw 0x%x rawsize 0x%x flags 0x%08x\n",
                                name, vaddr, vsize, raw, rawsize, num($NF)
                        part = ""
                }'
}

# The same fields from pecheck, without the names it adds.
pecheck_summary() {
        "$PECHECK" --info "$1" | awk '
                $1 ~ /^(machine|magic|subsystem)$/ { print $1, $2; next }
                $1 ~ /^(section_alignment|file_alignment|size_of_image|size_of_headers|image_base|section)$/ { print }'
}

for spec in arm64:systemd-bootaa64.efi armhf:systemd-bootarm.efi amd64:systemd-bootx64.efi; do
        f=$(efi_fixture "${spec%%:*}" "${spec#*:}")
        pecheck_summary "$f" >"$work/ours" || fail "pecheck --info $f failed"
        readobj_summary "$f" >"$work/theirs"
        # A parser that read nothing would agree with a reader that printed nothing.
        [ "$(grep -c '^section ' "$work/theirs")" -ge 2 ] || fail "llvm-readobj found no sections in $f"
        sort "$work/ours" >"$work/ours.sorted"
        sort "$work/theirs" >"$work/theirs.sorted"
        diff -u "$work/theirs.sorted" "$work/ours.sorted" ||
                fail "pecheck --info and llvm-readobj disagree on $f"
        n=$(llvm-readobj --file-headers "$f" | sed -n 's/^ *SectionCount: //p')
        grep -qx "number_of_sections $n" <("$PECHECK" --info "$f") || fail "section count of $f is not $n"
        echo "ok: $(basename "$f") agrees with llvm-readobj ($n sections)"
done
