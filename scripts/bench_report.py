#!/usr/bin/env python3
"""Writes BENCHMARKS.md from one or more runs of the benches (see bench-report.sh).

Reads criterion's `target/criterion/<group>/<function>/new/*.json` and the
JSON lines that gungraun prints with `--output-format=json`. Every number in
the output comes from those files; nothing is typed in by hand.
"""

import argparse
import datetime
import json
import os
import platform
import re
import statistics
import subprocess

OURS = "blink"
# Callgrind groups are named after the allocator; map them to criterion's names.
CALLGRIND_NAMES = {
    "ours": "blink",
    "bumpalo": "bumpalo",
    "bump_scope": "bump-scope",
    "blink_alloc_04": "blink-alloc-0.4",
}
CALLGRIND_OPS = {
    "alloc_u64": "place a `u64` (typed entry point; layout known)",
    "allocate": "`Allocator::allocate(Layout::new::<u64>())` (layout known)",
    "allocate_bb": "`Allocator::allocate(layout)`, layout black-boxed",
    "grow": "`grow` the last block 16 -> 32 bytes (layouts known)",
    "grow_bb": "`grow` the last block, layouts black-boxed",
    "shrink_bb": "`shrink` the last block 32 -> 16, layouts black-boxed",
    "deallocate": "`deallocate` the last block",
    "reset": "`reset` an arena holding one block in one chunk",
}
GROUP_NOTES = {
    "alloc_u64": "10 000 `u64` placed, then reset",
    "mixed_layouts": "10 000 blocks, sizes 1-64 and alignments 1-16 read from a black-boxed array, then reset",
    "vec_push": "`allocator_api2::vec::Vec<u64>`: 10 000 pushes, then reset",
    "vec_reserve_exact_1": "`Vec<u64>`: 10 000 times `reserve_exact(1)` + push, then reset",
    "grow_tip": "10 000 times: allocate 16 bytes, grow that last block to 32; then reset",
    "shrink_tip": "10 000 times: allocate 32 bytes, shrink that last block to 16; then reset",
    "reset_cycles": "100 frames of (64 `u64`, 64 mixed layouts, a 64-push `Vec`) each ended by a reset",
}


def sh(*cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def machine():
    model = "unknown"
    flags = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, value = line.partition(":")
                key = key.strip()
                if key == "model name" and model == "unknown":
                    model = value.strip()
                if key == "flags" and not flags:
                    flags = value
    except OSError:
        pass
    mem = "unknown"
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    mem = "%.1f GiB" % (int(line.split()[1]) / (1 << 20))
    except OSError:
        pass
    virt = " (virtualized)" if " hypervisor" in flags else ""
    return {
        "cpu": model + virt,
        "nproc": sh("nproc"),
        "memory": mem,
        "os": "%s %s %s" % (platform.system(), platform.release(), platform.machine()),
        "rustc": sh("rustc", "-V"),
        "valgrind": sh("valgrind", "--version"),
    }


def fmt_time(ns):
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return "%.2f %s" % (ns / scale, unit)
    return "%.2f ns" % ns


def criterion_results(roots, log):
    """[(group, [(function, median_ns, lower, upper, elements)])] in run order.

    With one run, `lower` and `upper` bound the median's 95% interval; with
    several, the row's median is the median of the runs' medians and
    `lower`/`upper` are the lowest and highest of them.
    """
    runs = [criterion_run(root) for root in roots]
    merged = {}
    for run in runs:
        for group, rows in run.items():
            for name, median, lower, upper, elements in rows:
                merged.setdefault(group, {}).setdefault(name, []).append(
                    (median, lower, upper, elements))
    results = {}
    for group, names in merged.items():
        for name, samples in names.items():
            if len(runs) == 1:
                median, lower, upper, elements = samples[0]
            else:
                medians = [s[0] for s in samples]
                median = statistics.median(medians)
                lower, upper = min(medians), max(medians)
                elements = samples[0][3]
            results.setdefault(group, []).append((name, median, lower, upper, elements))
    order = []
    if log and os.path.isfile(log):
        with open(log) as f:
            for line in f:
                # Result lines start with `group/function` (stdout).
                m = re.match(r"^([A-Za-z0-9_.\-]+)/\S", line)
                if m and m.group(1) not in order:
                    order.append(m.group(1))
    order += sorted(g for g in results if g not in order)
    return [(g, results[g]) for g in order if g in results]


def criterion_run(root):
    """{group: [(function, median_ns, lower, upper, elements)]} of one run."""
    results = {}
    # `group/function/new`, or `group/function/value/new` for ids made with
    # `BenchmarkId::new(function, value)`.
    for new, _dirs, files in sorted(os.walk(root)) if os.path.isdir(root) else []:
        if os.path.basename(new) != "new" or "estimates.json" not in files:
            continue
        with open(os.path.join(new, "benchmark.json")) as f:
            meta = json.load(f)
        with open(os.path.join(new, "estimates.json")) as f:
            median = json.load(f)["median"]
        throughput = meta.get("throughput") or {}
        # `BenchmarkId::from_parameter` leaves the function id empty.
        name = " ".join(
            str(part) for part in (meta.get("function_id"), meta.get("value_str")) if part
        )
        results.setdefault(meta["group_id"], []).append(
            (
                name,
                median["point_estimate"],
                median["confidence_interval"]["lower_bound"],
                median["confidence_interval"]["upper_bound"],
                throughput.get("Elements"),
            )
        )
    return results


def callgrind_results(path):
    """{op: {allocator: (instructions, branches)}} and the op order."""
    table, ops = {}, []
    if not path or not os.path.isfile(path):
        return table, ops
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line.startswith("{"):
                continue
            record = json.loads(line)
            metrics = record["profiles"][0]["data"]["total"]["metrics"]

            def new(key):
                return metrics.get(key, {}).get("values", {}).get("new", 0) or 0

            op = record["function_name"]
            if op not in ops:
                ops.append(op)
            name = CALLGRIND_NAMES.get(record["group"], record["group"])
            table.setdefault(op, {})[name] = (new("Ir"), new("Bc") + new("Bi"))
    return table, ops


def ratio(a, b):
    return a / b if b else float("inf")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--criterion-dir", action="append", required=True,
                        help="a run's criterion directory; repeat for several runs")
    parser.add_argument("--criterion-log", default="")
    parser.add_argument("--callgrind-json", default="")
    parser.add_argument("--command", default="scripts/bench-report.sh")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    info = machine()
    runs = len(args.criterion_dir)
    groups = criterion_results(args.criterion_dir, args.criterion_log)
    cg, ops = callgrind_results(args.callgrind_json)
    commit = sh("git", "rev-parse", "--short", "HEAD")
    if sh("git", "status", "--porcelain", "--untracked-files=no") not in ("", "unknown"):
        commit += " (with uncommitted changes)"

    out = []
    w = out.append
    w("# Benchmarks")
    w("")
    w("<!-- Generated by scripts/bench-report.sh. Do not edit by hand: rerun the script. -->")
    w("")
    w("Generated by `%s` on %s at commit %s." % (
        " ".join(args.command.split()),
        datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        commit,
    ))
    w("")
    w("| machine | |")
    w("|---|---|")
    for key in ("cpu", "nproc", "memory", "os", "rustc", "valgrind"):
        w("| %s | %s |" % (key, info[key]))
    w("")
    w("The machine is shared and noisy: compare the ratios within one table (every contender")
    w("of a group ran in the same process, one after another), not absolute times across runs.")
    if runs == 1:
        w("Times are criterion medians of one iteration (with its 95% interval), from one run;")
    else:
        w("Times are the median, over %d runs in fresh processes, of each run's criterion median" % runs)
        w("of one iteration (with the lowest and highest of those medians);")
    w("`per op` divides by the elements of the iteration. `vs best` is the ratio to the fastest")
    w("contender of the group, `vs %s` the ratio to ours (above 1: slower than ours)." % OURS)
    w("")

    summary = {}
    for group, rows in groups:
        rows = sorted(rows, key=lambda r: r[1])
        best = rows[0][1]
        ours = next((r[1] for r in rows if r[0] == OURS), None)
        w("## %s" % group)
        w("")
        if group in GROUP_NOTES:
            w(GROUP_NOTES[group] + ".")
            w("")
        spread = "95% interval" if runs == 1 else "runs' range"
        w("| contender | median | %s | per op | vs best | vs %s |" % (spread, OURS))
        w("|---|---:|---:|---:|---:|---:|")
        for function, median, lower, upper, elements in rows:
            name = "**%s**" % function if function == OURS else function
            per_op = fmt_time(median / elements) if elements else ""
            vs_ours = "%.2fx" % ratio(median, ours) if ours else ""
            w("| %s | %s | %s - %s | %s | %.2fx | %s |" % (
                name, fmt_time(median), fmt_time(lower), fmt_time(upper), per_op,
                ratio(median, best), vs_ours))
        w("")
        summary[group] = {r[0]: r[1] for r in rows}

    if cg:
        names = [n for n in CALLGRIND_NAMES.values() if any(n in cg[op] for op in ops)]
        names += sorted({n for op in ops for n in cg[op]} - set(names))
        w("## Instructions per operation (callgrind)")
        w("")
        w("One operation in an `#[inline(never)]` function on a warm arena, counted by callgrind")
        w("through gungraun (`cargo bench -p blink-benches --bench callgrind`): instructions / branches, the")
        w("function's prologue and `ret` included. Exact and repeatable, unlike the times above.")
        w("")
        w("| operation | " + " | ".join(names) + " |")
        w("|---|" + "---:|" * len(names))
        for op in ops:
            cells = []
            for n in names:
                if n in cg[op]:
                    ir, br = cg[op][n]
                    cell = "%d / %d" % (ir, br)
                    cells.append("**%s**" % cell if n == OURS else cell)
                else:
                    cells.append("")
            w("| %s | %s |" % (CALLGRIND_OPS.get(op, op), " | ".join(cells)))
        w("")

    # The targets, checked against this run's numbers.
    checks = []

    def time_check(label, group, other, factor):
        g = summary.get(group, {})
        if OURS in g and other in g:
            r = ratio(g[other], g[OURS])
            checks.append((label, "%.2fx (theirs / ours)" % r, "yes" if r >= factor else "no"))

    time_check("`alloc_u64` at least as fast as bump-scope", "alloc_u64", "bump-scope", 1.0)
    time_check("`mixed_layouts` at least as fast as bump-scope", "mixed_layouts", "bump-scope", 1.0)
    time_check("`vec_reserve_exact_1` at least 30x faster than bumpalo", "vec_reserve_exact_1", "bumpalo", 30.0)
    def near_best_check(label, group, ours, limit):
        g = summary.get(group, {})
        if ours in g:
            r = ratio(g[ours], min(g.values()))
            checks.append((label, "%.2fx of the fastest" % r, "yes" if r <= limit else "no"))

    # The emplacer's rows (issue 3): fastest, or within 5% of the fastest.
    for group, ours in (
        ("put u64", "blink put"),
        ("put with drop, then reset", "blink put"),
        ("copy_str", "blink copy_str"),
        ("from_iter exact", "blink emplace 1000"),
        ("from_iter filter", "blink emplace 1000"),
        ("nested scope loop", "blink scope"),
    ):
        near_best_check("`%s`: `%s` within 5%% of the fastest" % (group, ours), group, ours, 1.05)
    put_u64 = summary.get("put u64", {})
    if "blink put_no_drop" in put_u64 and "blink raw allocate" in put_u64:
        r = ratio(put_u64["blink put_no_drop"], put_u64["blink raw allocate"])
        checks.append(("`put_no_drop` of a `u64` as fast as a raw allocation (within 5%)",
                       "%.2fx of raw" % r, "yes" if r <= 1.05 else "no"))
    for op, limit, label in (
        ("allocate", 10, "known small layout: at most 10 instructions"),
        ("allocate_bb", 15, "black-boxed layout: at most 15 instructions"),
    ):
        if op in cg and OURS in cg[op]:
            ir = cg[op][OURS][0]
            checks.append(("`%s`, %s" % (op, label), "%d" % ir, "yes" if ir <= limit else "no"))
    if checks:
        w("## Targets")
        w("")
        w("| target | measured | met |")
        w("|---|---:|---|")
        for label, value, met in checks:
            w("| %s | %s | %s |" % (label, value, met))
        w("")

    with open(args.out, "w") as f:
        f.write("\n".join(out))


if __name__ == "__main__":
    main()
