# Shared helpers for the bundle tests (sourced). Bundles are written by
# mkvmimage bundle and judged by what we did not write: GNU tar, cmp, stat,
# sha256sum, dpkg-query, virt-xml-validate, jq, sfdisk and the real firmware
# started by the bundle's own run script.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/../common.sh"
pass() { echo "ok: $*"; }

for t in tar gzip xz zstd cmp stat sha256sum dpkg-query sfdisk jq timeout; do
        command -v "$t" >/dev/null || fail "$t not found: run scripts/setup-deps"
done
command -v virt-xml-validate >/dev/null || fail "virt-xml-validate not found: install libvirt-clients (scripts/setup-deps)"
[ -x "${MKVMIMAGE:-}" ] || fail "MKVMIMAGE is not set to the built mkvmimage (run through ctest)"
[ -x "${MKVMIMAGE:-}" ] || fail "MKVMIMAGE is not set to the built mkvmimage (run through ctest)"
VARS=$MKVMIMAGE_VARS
for f in "$VARS" "$BUILD_DIR/qemu-test/efi-hello-aa64.efi" "$BUILD_DIR/qemu-test/efi-hello-arm.efi"; do
        [ -e "$f" ] || fail "$f not built (build the project first)"
done
# A sanitizer report must not look like an ordinary error exit (1).
export ASAN_OPTIONS=exitcode=99:detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:exitcode=98:print_stacktrace=1

WORK=$(mktemp -d "${TMPDIR:-/tmp}/mkvm-bundle-test.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

EPOCH=1700000000

efi_hello() { echo "$BUILD_DIR/qemu-test/efi-hello-$1.efi"; }
edk2_package() { case $1 in aa64) echo qemu-efi-aarch64 ;; arm) echo qemu-efi-arm ;; esac; }
descriptor_arch() { case $1 in aa64) echo aarch64 ;; arm) echo arm ;; esac; }

# make_image ARCH IMG [LAYOUT]: an image built by mkvmimage, booting efi-hello.
make_image() {
        local layout=()
        [ $# -ge 3 ] && layout=(--layout "$3")
        SOURCE_DATE_EPOCH=$EPOCH "$MKVMIMAGE" -q --arch "$1" "${layout[@]}" --bootloader "$(efi_hello "$1")" -o "$2" ||
                fail "mkvmimage could not build $2"
}

# bundle ARGS...: run mkvmimage bundle with a fixed SOURCE_DATE_EPOCH; fails the test if it fails.
bundle() {
        SOURCE_DATE_EPOCH=$EPOCH "$MKVMIMAGE" bundle -q "$@" || fail "mkvmimage bundle $* failed"
}

# part_of_type IMG TYPE: "number start size uuid" of the first partition of TYPE, from sfdisk.
part_of_type() {
        sfdisk --json "$1" | jq -r --arg t "$2" '.partitiontable.partitions | to_entries[]
                | select(.value.type == $t) | "\(.key + 1) \(.value.start) \(.value.size) \(.value.uuid)"' | head -n 1
}

# expect_sparse FILE: fewer blocks allocated than half its size.
expect_sparse() {
        local size blocks
        size=$(stat -c %s "$1")
        blocks=$(stat -c %b "$1")
        [ $((blocks * 512)) -lt $((size / 2)) ] || fail "$1 is not sparse: $((blocks * 512)) of $size bytes allocated"
}

# first_started LOG: the first boot option EDK2's boot manager started ("Boot0000 \"name\"").
first_started() {
        tr -d '\r' <"$1" | sed -n 's/.*BdsDxe: starting \(Boot[0-9A-F]\{4\} "[^"]*"\).*/\1/p' | head -n 1
}

# boot_count LOG: what efi-hello read back from its non-volatile counter.
boot_count() {
        tr -d '\r' <"$1" | sed -n 's/.*MKVMIMAGE-BOOT-COUNT: 0x\([0-9A-Fa-f]*\).*/\1/p' | head -n 1
}

# run_bundle DIR LOG [ARGS...]: boot with the bundle's own run script under a
# timeout; efi-hello prints its marker and powers off, which ends QEMU.
run_bundle() {
        local dir=$1 log=$2 rc=0
        shift 2
        timeout 120 "$dir/run" "$@" </dev/null >"$log" 2>&1 || rc=$?
        tr -d '\r' <"$log" | grep -a -E 'BdsDxe|MKVMIMAGE|qemu|rror' | sed 's/^/    | /' || true
        [ $rc -eq 0 ] || fail "$dir/run exited with status $rc (124: timeout)"
        grep -a -q MKVMIMAGE-BOOT-OK "$log" || fail "$dir/run: no MKVMIMAGE-BOOT-OK on the serial console"
}

# check_bundle_dir DIR ARCH IMG NAME VARSTORE(0|1): the unpacked files, checked with other tools.
check_bundle_dir() {
        local dir=$1 arch=$2 img=$3 name=$4 varstore=$5 pkg files listed install code
        pkg=$(edk2_package "$arch")

        files="MANIFEST disk.img efi-code.fd firmware.json libvirt.xml run"
        [ "$varstore" = 1 ] || files="MANIFEST disk.img efi-code.fd efi-vars.fd firmware.json libvirt.xml run"
        [ "$(cd "$dir" && ls | sort | tr '\n' ' ')" = "$(echo $files | tr ' ' '\n' | sort | tr '\n' ' ')" ] ||
                fail "$dir holds $(cd "$dir" && ls | tr '\n' ' '), expected $files"
        [ -x "$dir/run" ] || fail "$dir/run is not executable"

        cmp "$img" "$dir/disk.img" || fail "the bundled disk.img differs from $img"
        expect_sparse "$dir/disk.img"
        pass "$name: disk.img identical to the input and sparse"

        (cd "$dir" && sha256sum --strict -c MANIFEST) || fail "sha256sum -c MANIFEST failed"
        listed=$(grep -v '^#' "$dir/MANIFEST" | awk '{print $2}' | sort | tr '\n' ' ')
        [ "$listed" = "$(echo $files | tr ' ' '\n' | grep -v MANIFEST | sort | tr '\n' ' ')" ] ||
                fail "MANIFEST lists $listed"
        grep -q -x "# firmware-package: $pkg $(dpkg-query -W -f='${Version}' "$pkg")" "$dir/MANIFEST" ||
                fail "MANIFEST does not name $pkg $(dpkg-query -W -f='${Version}' "$pkg"): $(grep firmware-package "$dir/MANIFEST")"
        pass "$name: sha256sum -c MANIFEST, firmware package and version"

        code=$(sed -n 's/^# firmware-code: //p' "$dir/MANIFEST")
        dpkg-query -S "$code" | grep >/dev/null "^$pkg: " || fail "$code does not belong to $pkg"
        cmp "$code" "$dir/efi-code.fd" || fail "efi-code.fd differs from $code"
        pass "$name: efi-code.fd is $code from $pkg"

        virt-xml-validate "$dir/libvirt.xml" domain || fail "libvirt.xml does not validate"
        install=/var/lib/libvirt/images/$name
        grep -q "<source file='$install/disk.img'/>" "$dir/libvirt.xml" || fail "libvirt.xml does not name $install/disk.img"
        pass "$name: virt-xml-validate libvirt.xml"

        jq -e --arg arch "$(descriptor_arch "$arch")" --arg code "$install/efi-code.fd" \
                --arg vars "$install/efi-vars.fd" --argjson varstore "$varstore" '
                (.["interface-types"] == ["uefi"]) and
                (.mapping.device == "flash") and
                (.mapping.executable.filename == $code) and (.mapping.executable.format == "raw") and
                (if $varstore == 1 then (.mapping.mode == "stateless" and (.mapping | has("nvram-template") | not))
                 else (.mapping.mode == "split" and .mapping["nvram-template"].filename == $vars and
                       .mapping["nvram-template"].format == "raw") end) and
                (.targets | length == 1) and (.targets[0].architecture == $arch) and
                (.targets[0].machines | index("virt-*") != null) and
                (.features | index("secure-boot") == null) and
                (.description | type == "string")' "$dir/firmware.json" >/dev/null ||
                fail "firmware.json fields are wrong: $(cat "$dir/firmware.json")"
        pass "$name: firmware.json (jq)"
}
