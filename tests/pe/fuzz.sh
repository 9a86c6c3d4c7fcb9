# The PE parser (and the zImage reader, esp/zimage.c) on thousands of
# damaged copies of real EFI binaries and an ARM kernel (truncations, byte
# flips, hostile offsets and counts) must never crash or read out of bounds:
# run it in the ASan+UBSan build to make that mean something
# (-DMKVM_SANITIZE=ON). Each copy is either parsed or refused with
# -EINVAL; anything else fails.
set -euo pipefail
PECHECK=$1
. "$TESTS_DIR/pe/lib.sh"

n_efi=${PE_FUZZ_CASES:-10000}
# Debian's armhf kernel, a zImage: its size table is damaged too and
# esp/zimage.c reads every copy (fewer cases: each copy is 5 MiB).
dir=$("$FETCH" --resolve-depends armhf linux-image-armmp) || fail "cannot fetch linux-image-armmp (armhf)"
kernels=("$dir"/boot/vmlinuz-*)
[ -f "${kernels[0]}" ] || fail "linux-image-armmp has no boot/vmlinuz-*"
for spec in arm64:systemd-bootaa64.efi armhf:systemd-bootarm.efi amd64:systemd-bootx64.efi zimage; do
        if [ "$spec" = zimage ]; then
                f=${kernels[0]} n=$((n_efi / 5))
        else
                f=$(efi_fixture "${spec%%:*}" "${spec#*:}") n=$n_efi
        fi
        for seed in 1 2; do
                if ! out=$("$PECHECK" --fuzz "$f" "$n" "$seed" 2>"$work/log"); then
                        tail -n 20 "$work/log" >&2
                        fail "pecheck --fuzz $f $n $seed failed"
                fi
                read -r _ accepted _ rejected _ zfixed _ zrefused <<<"$out"
                [ $((accepted + rejected)) = "$n" ] || fail "fuzz on $f: $out is not $n cases"
                # Most damage must be noticed, and some must slip past as harmless.
                [ "$rejected" -gt $((n / 4)) ] || fail "fuzz on $f: only $rejected of $n damaged copies refused"
                [ "$accepted" -gt 0 ] || fail "fuzz on $f: every copy refused"
                [ "$(wc -l <"$work/log")" -ge "$rejected" ] || fail "fuzz on $f: refusals without a message"
                # The kernel's copies reach the zImage reader: most are fixed, some refused.
                if [ "$spec" = zimage ]; then
                        [ "$zfixed" -gt 0 ] && [ "$zrefused" -gt 0 ] ||
                                fail "fuzz on $f: the zImage reader fixed $zfixed and refused $zrefused copies"
                else
                        [ "$zfixed" = 0 ] || fail "fuzz on $f: $zfixed copies of an EFI binary taken for a zImage"
                fi
                if grep -q 'runtime error\|AddressSanitizer' "$work/log"; then
                        fail "fuzz on $f: sanitizer report"
                fi
                echo "ok: $(basename "$f") seed $seed: $out"
        done
done
