#!/usr/bin/env bash
# Builds the cargo-fuzz targets of fuzz/ (nightly, AddressSanitizer) and runs
# each for a bounded time, seeded from the committed corpus in
# fuzz/corpus/<target>/, copied to a scratch directory so that the run leaves
# the repository as it was. Fails on a crash, and then keeps the scratch
# directory with the crashing input and prints it decoded.
#
#   scripts/fuzz.sh                       # every target, 60 s each, at once
#   FUZZ_SECONDS=600 scripts/fuzz.sh sync_ops
#
# The targets run side by side (they share the machine's cores); set
# FUZZ_SERIAL=1 to run them one after another.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${FUZZ_SECONDS:-60}
if [ $# -gt 0 ]; then
    targets=("$@")
else
    targets=(blink_alloc_ops blink_ops sync_ops)
fi

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "installing cargo-fuzz (a few minutes)"
    cargo install cargo-fuzz --locked
fi

cd fuzz
# With no name, `cargo fuzz build` builds every target.
if [ ${#targets[@]} -eq 1 ]; then
    cargo +nightly fuzz build "${targets[0]}"
else
    cargo +nightly fuzz build
fi

scratch=$(mktemp -d "${TMPDIR:-/tmp}/blink-fuzz.XXXXXX")

run_target() {
    local target=$1
    local corpus="$scratch/corpus/$target"
    local artifacts="$scratch/artifacts/$target/"
    mkdir -p "$corpus" "$artifacts"
    if [ -d "corpus/$target" ]; then
        cp -R "corpus/$target/." "$corpus/"
    fi
    cargo +nightly fuzz run "$target" "$corpus" -- \
        -max_total_time="$seconds" -max_len=4096 -timeout=20 -print_final_stats=1 \
        -artifact_prefix="$artifacts" >"$scratch/$target.log" 2>&1
}

declare -A pids
for target in "${targets[@]}"; do
    if [ "${FUZZ_SERIAL:-0}" = 1 ]; then
        run_target "$target" && pids[$target]=ok || pids[$target]=failed
    else
        run_target "$target" &
        pids[$target]=$!
    fi
done

failed=()
for target in "${targets[@]}"; do
    status=${pids[$target]}
    if [ "$status" != ok ] && [ "$status" != failed ]; then
        wait "$status" && status=ok || status=failed
    fi
    executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$scratch/$target.log")
    printf 'fuzz %-16s %-6s %s executions in %s s\n' "$target" "$status" "${executions:-?}" "$seconds"
    if [ "$status" = failed ]; then
        failed+=("$target")
        # The panic's message and libFuzzer's verdict, without the stacks.
        grep -E -A4 "panicked at|ERROR: AddressSanitizer|ERROR: libFuzzer" "$scratch/$target.log" | head -n 40 || true
        for crash in "$scratch/artifacts/$target/"*; do
            [ -f "$crash" ] || continue
            echo "fuzz: $target crashed on $crash"
            cargo +nightly fuzz fmt "$target" "$crash" 2>&1 | tail -n 40 || true
        done
    fi
done

if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz: ${failed[*]} failed; logs and inputs kept in $scratch" >&2
    exit 1
fi
rm -rf "$scratch"
