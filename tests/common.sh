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
