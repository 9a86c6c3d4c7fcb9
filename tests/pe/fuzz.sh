# The PE parser on thousands of damaged copies of real EFI binaries
# (truncations, byte flips, hostile offsets and counts) must never crash or
# read out of bounds: run it in the ASan+UBSan build to make that mean
# something (-DMKVM_SANITIZE=ON). Each copy is either parsed or refused with
# -EINVAL; anything else fails.
set -euo pipefail
PECHECK=$1
. "$TESTS_DIR/pe/lib.sh"

n=${PE_FUZZ_CASES:-10000}
for spec in arm64:systemd-bootaa64.efi armhf:systemd-bootarm.efi amd64:systemd-bootx64.efi; do
        f=$(efi_fixture "${spec%%:*}" "${spec#*:}")
        for seed in 1 2; do
                if ! out=$("$PECHECK" --fuzz "$f" "$n" "$seed" 2>"$work/log"); then
                        tail -n 20 "$work/log" >&2
                        fail "pecheck --fuzz $f $n $seed failed"
                fi
                read -r _ accepted _ rejected <<<"$out"
                [ $((accepted + rejected)) = "$n" ] || fail "fuzz on $f: $out is not $n cases"
                # Most damage must be noticed, and some must slip past as harmless.
                [ "$rejected" -gt $((n / 4)) ] || fail "fuzz on $f: only $rejected of $n damaged copies refused"
                [ "$accepted" -gt 0 ] || fail "fuzz on $f: every copy refused"
                [ "$(wc -l <"$work/log")" -ge "$rejected" ] || fail "fuzz on $f: refusals without a message"
                if grep -q 'runtime error\|AddressSanitizer' "$work/log"; then
                        fail "fuzz on $f: sanitizer report"
                fi
                echo "ok: $(basename "$f") seed $seed: $out"
        done
done
