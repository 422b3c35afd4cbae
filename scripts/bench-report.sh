#!/usr/bin/env bash
# Runs the benchmarks and generates BENCHMARKS.md from that run.
#
#   scripts/bench-report.sh [--no-callgrind] [--out FILE] [EXTRA_BENCH...]
#   scripts/bench-report.sh --callgrind-table
#
# `--callgrind-table` runs only the callgrind benches (callgrind,
# global_callgrind) and prints their loop table (instructions per
# operation, every allocator) and global-allocator table (instructions per
# frame) on stdout.
#
# Always runs the criterion bench `alloc`; every EXTRA_BENCH (for example
# `emplacer`, `sync`) is another criterion bench under benches/ run in the
# same invocation; the `memory` bench (peak bytes over reset cycles, counted)
# always runs too. The callgrind bench (`benches/callgrind.rs`, gungraun)
# needs valgrind and `gungraun-runner` of the gungraun version in Cargo.lock:
#   cargo install gungraun-runner --version "$(scripts/bench-report.sh --gungraun-version)"
#
# Criterion times are controlled by WARM_UP (seconds, default 1) and
# MEASURE (seconds, default 2). REPEAT (default 1) runs the criterion benches
# that many times, each in fresh processes, and reports each row's median
# across the runs: on a shared VM a single run can be off by 30% on one row.
# BENCHMARKS.md is never edited by hand: rerun this script instead.
set -euo pipefail

cd "$(dirname "$0")/.."

gungraun_version() {
    awk '/^name = "gungraun"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock
}

out=BENCHMARKS.md
callgrind=1
table_only=0
benches=(alloc)
while (($#)); do
    case "$1" in
        --no-callgrind) callgrind=0 ;;
        --out) out="$2"; shift ;;
        --gungraun-version) gungraun_version; exit 0 ;;
        --callgrind-table) table_only=1 ;;
        -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
        -*) echo "unknown option $1" >&2; exit 2 ;;
        *) benches+=("$1") ;;
    esac
    shift
done

check_gungraun() {
    want=$(gungraun_version)
    if ! command -v valgrind >/dev/null; then
        echo "valgrind is not installed (apt-get install valgrind), or pass --no-callgrind" >&2
        exit 1
    fi
    have=$(gungraun-runner --version 2>/dev/null | awk '{print $2}') || true
    if [[ "$have" != "$want" ]]; then
        echo "gungraun-runner $want is needed (found '${have:-none}'):" >&2
        echo "  cargo install gungraun-runner --version $want" >&2
        exit 1
    fi
}

if ((table_only)); then
    check_gungraun
    json=$(mktemp)
    trap 'rm -f "$json"' EXIT
    cargo bench -p blink-benches --bench callgrind --bench global_callgrind -- --output-format=json >"$json"
    python3 scripts/bench_report.py --callgrind-table --callgrind-json "$json"
    exit 0
fi

warm_up=${WARM_UP:-1}
measure=${MEASURE:-2}
repeat=${REPEAT:-1}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

bench_flags=(-p blink-benches)
for bench in "${benches[@]}"; do
    bench_flags+=(--bench "$bench")
done
criterion_args=(--warm-up-time "$warm_up" --measurement-time "$measure" --noplot)

criterion_dirs=()
for ((run = 1; run <= repeat; run++)); do
    echo "== criterion run $run/$repeat: ${benches[*]} (warm-up ${warm_up}s, measurement ${measure}s)" >&2
    # Only this run's results may reach the report.
    rm -rf target/criterion
    cargo bench "${bench_flags[@]}" -- "${criterion_args[@]}" | tee -a "$work/criterion.log" >&2
    mv target/criterion "$work/criterion-$run"
    criterion_dirs+=(--criterion-dir "$work/criterion-$run")
done

callgrind_json=""
if ((callgrind)); then
    check_gungraun
    echo "== callgrind (gungraun $want)" >&2
    cargo bench -p blink-benches --bench callgrind --bench global_callgrind -- --output-format=json >"$work/callgrind.json"
    callgrind_json="$work/callgrind.json"
fi

echo "== memory" >&2
cargo bench -p blink-benches --bench memory >"$work/memory.md"

python3 scripts/bench_report.py \
    "${criterion_dirs[@]}" \
    --memory-table "$work/memory.md" \
    --criterion-log "$work/criterion.log" \
    --callgrind-json "$callgrind_json" \
    --command "scripts/bench-report.sh ${benches[*]:1} (WARM_UP=$warm_up MEASURE=$measure REPEAT=$repeat)" \
    --out "$out"
echo "== wrote $out" >&2
