# What every test script shares (sourced by tests/*/lib.sh).

fail() { echo "FAIL: $*" >&2; exit 1; }

# need_tools TOOL...: each must be installed (scripts/setup-deps installs them).
need_tools() {
        local t
        for t in "$@"; do
                command -v "$t" >/dev/null || fail "$t not found: run scripts/setup-deps"
        done
}

# GPT partition types the tests look for.
ESP_TYPE=C12A7328-F81F-11D2-BA4B-00A0C93EC93B
VARSTORE_TYPE=2733F78F-FA97-4F45-8CC4-56973BF464DB

# expect_failure DESCRIPTION PATTERN CMD...: CMD must exit non-zero, print a
# message matching PATTERN (grep -E), and leave no output or temporary file
# in $WORK/out. Needs the sourcing lib's WORK and pass().
expect_failure() {
        local what=$1 pattern=$2 rc=0
        shift 2
        rm -rf "$WORK/out"
        mkdir -p "$WORK/out"
        "$@" >"$WORK/stdout" 2>"$WORK/stderr" || rc=$?
        [ "$rc" -ne 0 ] || fail "$what: exit status 0"
        grep -Eq -- "$pattern" "$WORK/stderr" ||
                fail "$what: message does not match /$pattern/: $(cat "$WORK/stderr")"
        [ -z "$(ls -A "$WORK/out")" ] || fail "$what: left files behind: $(ls -A "$WORK/out")"
        pass "$what: $(grep -v 'warning: no bootloader' "$WORK/stderr" | tail -n 1)"
}
