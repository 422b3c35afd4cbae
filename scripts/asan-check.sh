#!/usr/bin/env bash
# Checks that AddressSanitizer sees arena misuse: builds asan-check/ with
# -Zsanitizer=address (nightly; the crate turns its poisoning on by itself),
# runs each scenario, and expects every bad one to die with an ASan report
# and the control to exit 0. Needs the nightly toolchain.
set -euo pipefail
cd "$(dirname "$0")/.."

target=x86_64-unknown-linux-gnu
target_dir=target/asan
RUSTFLAGS="-Zsanitizer=address" cargo +nightly build --quiet \
    -p blink-asan-check --target "$target" --target-dir "$target_dir"
bin="$target_dir/$target/debug/blink-asan-check"

failed=0
check() {
    local scenario=$1 expect=$2 err rc=0
    err=$("$bin" "$scenario" 2>&1 >/dev/null) || rc=$?
    local report
    report=$(grep -o 'AddressSanitizer: [a-z-]*' <<<"$err" | head -n1 || true)
    if [ "$expect" = clean ] && [ "$rc" -eq 0 ] && [ -z "$report" ]; then
        printf 'ok    %-18s exit 0, no report\n' "$scenario"
    elif [ "$expect" = report ] && [ "$rc" -ne 0 ] && [ "$report" = "AddressSanitizer: use-after-poison" ]; then
        printf 'ok    %-18s exit %d, %s\n' "$scenario" "$rc" "$report"
    else
        printf 'FAIL  %-18s exit %d, expected %s, got: %s\n' "$scenario" "$rc" "$expect" "${report:-no report}"
        printf '%s\n' "$err" | tail -n 30 | sed 's/^/      /'
        failed=1
    fi
}

check control clean
for scenario in after-reset after-scope past-end sync-after-reset; do
    check "$scenario" report
done
exit "$failed"
