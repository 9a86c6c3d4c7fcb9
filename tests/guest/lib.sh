# Shared helpers for the Linux guest tests (sourced). The guest is built by
# qemu-test/guest/build-linux-guest into $BUILD_DIR/guest/ARCH (rebuilt only
# when its inputs change; the Debian packages are cached in $FIXTURE_CACHE).
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/../common.sh"

: "${SOURCE_DIR:?run through ctest}" "${BUILD_DIR:?run through ctest}" "${MKVMIMAGE:?run through ctest}"
export PATH=$PATH:/usr/sbin:/sbin
GUEST_SCRIPTS=$SOURCE_DIR/qemu-test/guest
BOOT=$MKVMIMAGE_BOOT
[ -x "$MKVMIMAGE" ] || fail "$MKVMIMAGE not built (build the project first)"

declare -A ROOT_TYPE=([aa64]=B921B045-1DF0-41C3-AF44-4C6F280D3FAE [arm]=69DAD710-2CE4-4E3C-B16C-21A1D49ABED3)
declare -A REMOVABLE=([aa64]=BOOTAA64.EFI [arm]=BOOTARM.EFI)
SEED=6d6b766d-6775-6573-7400-000000000001

WORK=$(mktemp -d "${TMPDIR:-/tmp}/mkvm-guest-test.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# build_guest ARCH: build (or reuse) the guest; sets GUEST.
build_guest() {
        GUEST=$BUILD_DIR/guest/$1
        "$GUEST_SCRIPTS/build-linux-guest" "$1" "$GUEST" || fail "build-linux-guest $1 failed"
}

# root_partuuid ARCH [ROOTFS]: the root partition's GUID in the plan for $SEED.
root_partuuid() {
        local arch=$1 u
        u=$("$MKVMIMAGE" --arch "$arch" --layout vmspec --seed "$SEED" --print-plan=json \
                -o "$WORK/plan.img" ${2:+"$2"} 2>/dev/null |
                jq -r '.partitions[] | select(.kind == "root") | .partuuid') ||
                fail "mkvmimage --print-plan=json failed"
        [[ $u =~ ^[0-9A-F-]{36}$ ]] || fail "no root PARTUUID in the plan ('$u')"
        echo "$u"
}

# make_guest_image ARCH IMG [ROOTFS] [OPTION...]: a vmspec image that boots
# the guest with root on partition 2. With a ROOTFS, mkvmimage's own boot
# chain (systemd-boot from the tree, OPTIONs added with --cmdline); with ""
# (an empty root) a systemd-boot tree from make-esp-tree given with
# --esp-dir. The GPT and the ESP are checked with sfdisk and mtools before
# anything boots it.
make_guest_image() {
        local arch=$1 img=$2 rootfs=${3:-} uuid esp got off
        shift 3 || shift $#
        uuid=$(root_partuuid "$arch" "$rootfs")
        if [ -n "$rootfs" ]; then
                # --owner root: the tree belongs to whoever built it; in the guest it is root's.
                "$MKVMIMAGE" --arch "$arch" --layout vmspec --seed "$SEED" -q -f -o "$img" \
                        ${*:+--cmdline "$*"} --owner root "$rootfs" || fail "mkvmimage failed"
        else
                esp=$WORK/esp-$arch
                rm -rf "$esp"
                "$GUEST_SCRIPTS/make-esp-tree" "$arch" "$GUEST" "$uuid" "$esp" "$@" || fail "make-esp-tree failed"
                "$MKVMIMAGE" --arch "$arch" --layout vmspec --seed "$SEED" --esp-dir "$esp" -q -f -o "$img" ||
                        fail "mkvmimage failed"
        fi

        got=$(sfdisk --json "$img" | jq -r '.partitiontable.partitions[1] | "\(.type) \(.uuid)"')
        [ "$got" = "${ROOT_TYPE[$arch]} $uuid" ] ||
                fail "partition 2 is '$got', expected root type ${ROOT_TYPE[$arch]} with PARTUUID $uuid"
        off=$(( $(sfdisk --json "$img" | jq -r '.partitiontable.partitions[0].start') * 512 ))
        mdir -b -i "$img@@$off" ::loader/entries >"$WORK/entries" || fail "no loader entries in the ESP"
        [ "$(wc -l < "$WORK/entries")" = 1 ] || fail "expected one loader entry: $(cat "$WORK/entries")"
        mtype -i "$img@@$off" "$(cat "$WORK/entries")" >"$WORK/entry" || fail "cannot read the loader entry"
        grep -q "^options root=PARTUUID=${uuid,,} " "$WORK/entry" || { cat "$WORK/entry" >&2; fail "loader entry does not name root=PARTUUID=${uuid,,}"; }
        mdir -i "$img@@$off" "::EFI/BOOT/${REMOVABLE[$arch]}" >/dev/null || fail "no \\EFI\\BOOT\\${REMOVABLE[$arch]} in the ESP"
}

# boot_guest IMG ARCH PLATFORM CHECK...: boot IMG with mkvmimage-boot on
# PLATFORM; it must pass, and (read from the log here, not trusting the
# harness alone) every named CHECK must have printed PASS, none FAIL, and
# the marker must be there. Prints the timings.
boot_guest() {
        local img=$1 arch=$2 platform=$3 log c up
        shift 3
        [ -x "$BOOT" ] || fail "$BOOT not built (the qemu-test harness is part of the build)"
        "$BOOT" "$img" --arch "$arch" --platform "$platform" --log-dir "$WORK/logs" | tee "$WORK/boot.out" ||
                { tail -n 40 "$WORK/logs/$platform.log" >&2 || true; fail "mkvmimage-boot: $platform did not pass"; }
        log=$WORK/logs/$platform.log
        [ -f "$log" ] || fail "no log $log"
        grep -a 'VMIMAGE-' "$log" | tr -d '\r'
        for c in "$@"; do
                grep -aq "VMIMAGE-CHECK $c: PASS" "$log" || fail "$platform: no 'VMIMAGE-CHECK $c: PASS' in the log"
        done
        ! grep -a "VMIMAGE-CHECK [^ ]*: FAIL" "$log" || fail "$platform: a check failed"
        grep -aq MKVMIMAGE-BOOT-OK "$log" || fail "$platform: no MKVMIMAGE-BOOT-OK"
        up=$(grep -a '^VMIMAGE-INFO kernel:' "$log" | sed -n 's/.*up \([0-9.]*\) s.*/\1/p')
        echo "TIMING $platform: $(grep -o "$platform ([0-9.]* s)" "$WORK/boot.out" | sed 's/.*(\(.*\))/\1/') wall to QEMU exit, Linux ${up:-?} s to the last check"
}

# boot_to_root_init IMG ARCH PLATFORM...: boot_guest on each platform with
# every check it can pass (the device tree, or ACPI where EDK2 on aa64 hands
# it over), and the checks must have run from the root file system's own
# /sbin/init, not from the initramfs.
boot_to_root_init() {
        local img=$1 arch=$2 platform checks
        shift 2
        for platform in "$@"; do
                checks=(root-mounted efi root-partuuid esp-visible rtc console)
                case $platform in
                aa64-edk2-*-noacpi|aa64-uboot-*|arm-*) checks+=(devicetree) ;;
                aa64-edk2-*) checks+=(acpi) ;;
                esac
                boot_guest "$img" "$arch" "$platform" "${checks[@]}"
                grep -aq 'VMIMAGE-INFO init: /sbin/init of the root file system' "$WORK/logs/$platform.log" ||
                        fail "$platform: the guest did not switch to the root's /sbin/init"
        done
}
