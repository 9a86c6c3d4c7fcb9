# Shared by tests/harden/parse-*.sh (sourced): the built tools, a work
# directory removed at exit, and the sanitizer exit codes.
set -euo pipefail
. "$TESTS_DIR/common.sh"
need_tools timeout mkfifo
for t in "$MKVMIMAGE" "$MKVMIMAGE_BOOT" "$MKVMIMAGE_VARS"; do
        [ -x "$t" ] || fail "$t is not built (run through ctest)"
done
# A sanitizer report must not look like an ordinary error exit (1).
export ASAN_OPTIONS=exitcode=99:detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:exitcode=98:print_stacktrace=1
WORK=$(mktemp -d "${TMPDIR:-/tmp}/mkvm-harden-parse.XXXXXX")
[ -n "$WORK" ] && [ -d "$WORK" ] || fail "cannot create a work directory"
trap 'rm -rf "$WORK"' EXIT
pass() { echo "ok: $*"; }

# expect_refusal PATTERN CMD...: CMD exits 1 (mkvmimage-boot: 2, its setup
# error) within 10 s (not a hang, not a crash) and says PATTERN.
expect_refusal() {
        local pattern=$1 rc=0
        shift
        timeout 10 "$@" </dev/null >"$WORK/out" 2>&1 || rc=$?
        sed 's/^/    | /' "$WORK/out"
        [ $rc -ne 124 ] || fail "$* hung (killed after 10 s)"
        [ $rc -eq 1 ] || [ $rc -eq 2 ] || fail "$* exited $rc, expected 1 or 2"
        grep -q -F -e "$pattern" "$WORK/out" || fail "$* did not say \"$pattern\""
}
