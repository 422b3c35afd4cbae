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
    "emplacer_ours": "blink",
    "bumpalo": "bumpalo",
    "emplacer_bumpalo": "bumpalo",
    "bump_scope": "bump-scope",
    "emplacer_bump_scope": "bump-scope",
    "blink_alloc_04": "blink-alloc-0.4",
    "emplacer_blink_alloc_04": "blink-alloc-0.4",
    "emplacer_typed_arena": "typed-arena",
    "tools_ours": "blink",
    "tools_bumpalo": "bumpalo",
    "tools_bump_scope": "bump-scope",
    "ours_sync": "blink-sync",
    "blink_alloc_04_sync": "blink-alloc-0.4-sync",
    "global_system": "system",
    "global_mimalloc": "mimalloc",
    "global_blink": "blink",
}
# Columns that are ours; the others are peers. `blink-sync` is checked
# against `blink` (the shared arena's target is parity with the local one).
OURS_SYNC = "blink-sync"
PEER_SYNC = "blink-alloc-0.4-sync"
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
# Loop rows of the callgrind bench: label and the constant of
# benches/callgrind.rs that counts the operations of one run (read from the
# source, so the divisor is the bench's own); `None`: the total, in millions.
LOOP_OPS = {
    "loop_allocate_bb": ("`allocate(Layout)` of a `u64`, layout black-boxed", "LOOP"),
    "loop_mixed": ("`allocate`, mixed sizes 1-97, alignments 1-8 (from an array)", "LOOP"),
    "loop_put_u64": ("`put` of a `u64`, no drop (`put_no_drop`, `alloc`)", "LOOP"),
    "loop_grow_bb": ("allocate 16 bytes and `grow` the tip to 32, layouts black-boxed", "LOOP"),
    "loop_shrink_bb": ("allocate 32 bytes and `shrink` the tip to 16, layouts black-boxed", "LOOP"),
    "from_iter_filter": ("`from_iter` of `(0..100).filter(x % 3 != 0)`, no drop, per call",
                         "FROM_ITER_CALLS"),
    "binary_trees": ("binary-trees, depth `TREE_DEPTH`, nodes by `put_no_drop`, total (M)", None),
    "put_string": ("put a `String`, dropped at reset", "STRINGS"),
    "loop_vec_push": ("`Vec<u64>` push, through `&arena`", "LOOP"),
    "tool_vec_push": ("the arena's own vector (`BlinkVec`, `collections::Vec`, `BumpVec`): "
                      "`u64` pushes from empty, then a slice", "LOOP"),
    "tool_format": ("`blink_format!` / `format!` / `bump_format!` of `\"item {} of {}\"`, "
                    "two `usize`s, per call", "FORMATS"),
}
# Rows of benches/global_callgrind.rs: the same frame of work with each global
# allocator; label and the constant that counts the frames of one run.
GLOBAL_OPS = {
    "global_frame": ("a request frame (200 formatted `String`s in a `Vec`, grouped in a "
                     "`BTreeMap<String, Vec<String>>`, a reply rendered, all dropped); "
                     "blink: `blink_mode` and the resetting `direct_mode` included", "FRAMES"),
}
# The global allocators in the order of their columns; `blink` is ours.
GLOBAL_NAMES = ["system", "mimalloc", OURS]
CALLGRIND_SOURCES = [os.path.join(os.path.dirname(__file__), "..", "benches", name)
                     for name in ("callgrind.rs", "global_callgrind.rs")]
# Hand-written notes the report ends with: what was tried and measured.
NOTES = os.path.join(os.path.dirname(__file__), "..", "benches", "NOTES.md")
CHART_DIR = "bench-charts"

GROUP_NOTES = {
    "alloc_u64": "10 000 `u64` placed, then reset",
    "mixed_layouts": "10 000 blocks, sizes 1-64 and alignments 1-16 read from a black-boxed array, then reset",
    "vec_push": "`allocator_api2::vec::Vec<u64>`: 10 000 pushes, then reset",
    "vec_reserve_exact_1": "`Vec<u64>`: 10 000 times `reserve_exact(1)` + push, then reset",
    "grow_tip": "10 000 times: allocate 16 bytes, grow that last block to 32; then reset",
    "grow_tip_bb": "as `grow_tip`, the layouts black-boxed (read anew each time, as a `Vec` passes them)",
    "shrink_tip": "10 000 times: allocate 32 bytes, shrink that last block to 16; then reset",
    "shrink_tip_bb": "as `shrink_tip`, the layouts black-boxed",
    "binary-trees": "the Benchmarks Game's binary-trees (depth in the name), each tree freed by a reset",
    "from_iter filter 100": "100 calls of `from_iter((0..100).filter(x % 3 != 0))` (no drop), then reset",
    "put String, dropped at reset": "1 000 `String`s placed with drop, all dropped at the reset",
    "reset_cycles": "100 frames of (64 `u64`, 64 mixed layouts, a 64-push `Vec`) each ended by a reset",
    "global_frame": "bench `global`: one request frame (`benches/global_frame.rs`: 200 formatted `String`s, "
                    "a `BTreeMap<String, Vec<String>>`, a rendered reply, all dropped) with every allocation "
                    "going to each global allocator; `blink` is `GlobalBlinkAlloc` in blink mode, its "
                    "`blink_mode` and resetting `direct_mode` included",
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


def bench_constants(paths=CALLGRIND_SOURCES):
    """`const NAME: TYPE = VALUE;` integers of the callgrind benches' sources."""
    consts = {}
    for path in paths:
        try:
            with open(path) as f:
                for m in re.finditer(r"const (\w+): \w+ = ([0-9_]+);", f.read()):
                    consts[m.group(1)] = int(m.group(2).replace("_", ""))
        except OSError:
            pass
    return consts


def slug(name):
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def esc(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def svg_chart(title, rows, unit):
    """A horizontal bar chart of `rows` ([(name, value)], lower is better) as
    each value's ratio to the lowest; plain SVG text."""
    rows = sorted(rows, key=lambda r: r[1])
    best = rows[0][1] or 1
    worst = max(ratio(v, best) for _, v in rows)
    label_w, bar_w, row_h, top = 260, 360, 22, 44
    height = top + row_h * len(rows) + 12
    width = label_w + bar_w + 150
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
           'font-family="sans-serif" font-size="12">' % (width, height),
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="8" y="18" font-size="14" font-weight="bold">%s</text>' % esc(title),
           '<text x="8" y="34" fill="#555">ratio to the fastest (%s); shorter is better</text>'
           % esc(unit)]
    for i, (name, value) in enumerate(rows):
        r = ratio(value, best)
        y = top + i * row_h
        w = max(1, int(bar_w * r / worst))
        colour = "#d9480f" if name.split()[0] in (OURS, OURS_SYNC) else "#4c6ef5"
        out.append('<text x="%d" y="%d" text-anchor="end">%s</text>' % (label_w - 8, y + 14, esc(name)))
        out.append('<rect x="%d" y="%d" width="%d" height="%d" fill="%s"/>' % (label_w, y + 3, w, row_h - 6, colour))
        out.append('<text x="%d" y="%d">%.2fx</text>' % (label_w + w + 6, y + 14, r))
    out.append("</svg>")
    return "\n".join(out) + "\n"


def write_chart(out_dir, chart_dir, name, title, rows, unit):
    """Writes the chart under `out_dir/chart_dir`; returns its path relative to `out_dir`."""
    os.makedirs(os.path.join(out_dir, chart_dir), exist_ok=True)
    rel = os.path.join(chart_dir, slug(name) + ".svg")
    with open(os.path.join(out_dir, rel), "w") as f:
        f.write(svg_chart(title, rows, unit))
    return rel


def loop_table(cg, ops, consts):
    """Markdown lines of the callgrind loop rows: instructions per operation,
    loop included, every allocator in one column; and a check that ours is
    at or below the best peer on each row. Returns (lines, checks, charts)
    with charts as [(op, title, [(name, value)])]."""
    rows = [op for op in LOOP_OPS if op in cg]
    if not rows:
        return [], [], []
    names = [n for n in dict.fromkeys(CALLGRIND_NAMES.values()) if any(n in cg[op] for op in rows)]
    lines, checks, charts = [], [], []
    w = lines.append
    w("| workload | " + " | ".join(names) + " | best peer | ours at or below it |")
    w("|---|" + "---:|" * len(names) + "---|---|")
    for op in rows:
        label, const = LOOP_OPS[op]
        label = label.replace("`TREE_DEPTH`", str(consts.get("TREE_DEPTH", "?")))
        divisor = consts.get(const, 0) if const else None
        values = {}
        for n in names:
            if n in cg[op]:
                ir = cg[op][n][0]
                values[n] = ir / 1e6 if divisor is None else ir / divisor if divisor else float("nan")
        fmt = (lambda v: "%.1f M" % v) if divisor is None else (lambda v: "%.1f" % v)
        peers = {n: v for n, v in values.items() if n not in (OURS, OURS_SYNC)}
        ours_col = OURS if OURS in values else None
        best_peer = min(peers.items(), key=lambda kv: kv[1]) if peers else None
        cells = []
        for n in names:
            if n not in values:
                cells.append("")
            elif n in (OURS, OURS_SYNC):
                cells.append("**%s**" % fmt(values[n]))
            else:
                cells.append(fmt(values[n]))
        verdict = ""
        if ours_col and best_peer:
            # Counts are integers over the loop; a tie within 0.05 per op is a tie.
            ok = values[ours_col] <= best_peer[1] + 0.05 * (1 if divisor else 0)
            verdict = "yes" if ok else "**no**"
            checks.append(("callgrind `%s`: ours at or below %s" % (op, best_peer[0]),
                           "%s vs %s" % (fmt(values[ours_col]), fmt(best_peer[1])),
                           "yes" if ok else "no"))
        if op == "loop_vec_push" and OURS_SYNC in values and OURS in values:
            r = values[OURS_SYNC] / values[OURS]
            checks.append(("callgrind `loop_vec_push`: shared arena at parity with `BlinkAlloc` (within 5%)",
                           "%.2fx" % r, "yes" if r <= 1.05 else "no"))
        w("| %s | %s | %s | %s |" % (label, " | ".join(cells),
                                     "%s %s" % (best_peer[0], fmt(best_peer[1])) if best_peer else "",
                                     verdict))
        charts.append((op, label, list(values.items())))
    return lines, checks, charts


def global_table(cg, consts):
    """Markdown lines of the global-allocator rows: instructions per frame for
    each global allocator, and a check that ours is below both others.
    Returns (lines, checks)."""
    rows = [op for op in GLOBAL_OPS if op in cg]
    if not rows:
        return [], []
    lines, checks = [], []
    w = lines.append
    w("| workload | " + " | ".join(GLOBAL_NAMES) + " | ours vs best other | ours below both |")
    w("|---|" + "---:|" * len(GLOBAL_NAMES) + "---:|---|")
    for op in rows:
        label, const = GLOBAL_OPS[op]
        divisor = consts.get(const, 0)
        values = {n: cg[op][n][0] / divisor for n in GLOBAL_NAMES if n in cg[op] and divisor}
        others = {n: v for n, v in values.items() if n != OURS}
        cells = [("**%.0f**" if n == OURS else "%.0f") % values[n] if n in values else ""
                 for n in GLOBAL_NAMES]
        verdict, vs = "", ""
        if OURS in values and others:
            best = min(others.items(), key=lambda kv: kv[1])
            ok = all(values[OURS] < v for v in others.values())
            verdict = "yes" if ok else "**no**"
            vs = "%.3fx (%s)" % (ratio(values[OURS], best[1]), best[0])
            checks.append(("callgrind `%s`: GlobalBlinkAlloc in blink mode below system and mimalloc" % op,
                           "%.0f vs %s" % (values[OURS], ", ".join("%s %.0f" % kv for kv in others.items())),
                           "yes" if ok else "no"))
        w("| %s | %s | %s | %s |" % (label, " | ".join(cells), vs, verdict))
    return lines, checks


def print_callgrind_table(path):
    """`--callgrind-table`: the loop and global tables alone, on stdout."""
    cg, ops = callgrind_results(path)
    consts = bench_constants()
    lines, _, _ = loop_table(cg, ops, consts)
    print("Instructions per operation (callgrind; loop included; fewer is better)")
    print()
    print("\n".join(lines))
    lines, _ = global_table(cg, consts)
    if lines:
        print()
        print("Instructions per frame, global allocators (callgrind; fewer is better)")
        print()
        print("\n".join(lines))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--criterion-dir", action="append", default=[],
                        help="a run's criterion directory; repeat for several runs")
    parser.add_argument("--callgrind-table", action="store_true",
                        help="print the callgrind loop table of --callgrind-json and exit")
    parser.add_argument("--criterion-log", default="")
    parser.add_argument("--callgrind-json", default="")
    parser.add_argument("--memory-table", default="",
                        help="the Markdown table printed by the `memory` bench")
    parser.add_argument("--command", default="scripts/bench-report.sh")
    parser.add_argument("--out", default="")
    args = parser.parse_args()
    if args.callgrind_table:
        print_callgrind_table(args.callgrind_json)
        return
    if not args.out or not args.criterion_dir:
        parser.error("--out and --criterion-dir are needed for a report")
    out_dir = os.path.dirname(os.path.abspath(args.out))

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
        chart = write_chart(out_dir, CHART_DIR, group, group, [(r[0], r[1]) for r in rows], "median time")
        w("![%s: ratio to the fastest](%s)" % (group, chart))
        w("")
        summary[group] = {r[0]: r[1] for r in rows}

    op_rows = [op for op in ops if op not in LOOP_OPS and op not in GLOBAL_OPS]
    if op_rows:
        names = [n for n in dict.fromkeys(CALLGRIND_NAMES.values())
                 if any(n in cg[op] for op in op_rows)]
        names += sorted({n for op in op_rows for n in cg[op]} - set(names))
        w("## Instructions per operation (callgrind)")
        w("")
        w("One operation in an `#[inline(never)]` function on a warm arena, counted by callgrind")
        w("through gungraun (`cargo bench -p blink-benches --bench callgrind`): instructions / branches, the")
        w("function's prologue and `ret` included. Exact and repeatable, unlike the times above.")
        w("")
        w("| operation | " + " | ".join(names) + " |")
        w("|---|" + "---:|" * len(names))
        for op in op_rows:
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

    consts = bench_constants()
    lines, loop_checks, charts = loop_table(cg, ops, consts)
    if lines:
        w("## Instructions per operation in loops (callgrind)")
        w("")
        w("Each row is one `#[inline(never)]` function that runs the workload in a loop on a warm")
        w("arena (binary-trees builds its own arenas), counted whole by callgrind and divided by its")
        w("operations (%d, or %d `from_iter` calls, or %d strings): the loop's own instructions are" % (
            consts.get("LOOP", 0), consts.get("FROM_ITER_CALLS", 0), consts.get("STRINGS", 0)))
        w("included. `blink-sync` is our `SyncBlinkAlloc` used from one thread (its thread's slot).")
        w("")
        lines_iter = iter(lines)
        w(next(lines_iter))
        w(next(lines_iter))
        for line in lines_iter:
            w(line)
        w("")
        for op, label, values in charts:
            chart = write_chart(out_dir, CHART_DIR, "callgrind-" + op, label, values, "instructions")
            w("![%s](%s)" % (esc(op), chart))
        w("")
    checks += loop_checks
    lines, global_checks = global_table(cg, consts)
    if lines:
        w("## Global allocators on a frame of work (callgrind)")
        w("")
        w("`benches/global_callgrind.rs`: the frame of `benches/global_frame.rs` with every")
        w("allocation going to the system allocator, to mimalloc, or to `GlobalBlinkAlloc` in blink")
        w("mode; %d frames after %d warm ones, counted whole and divided by %d. The criterion group" % (
            consts.get("FRAMES", 0), consts.get("WARM_FRAMES", 0), consts.get("FRAMES", 0)))
        w("`global_frame` (bench `global`) times the same frame.")
        w("")
        for line in lines:
            w(line)
        w("")
    checks += global_checks
    reset = cg.get("reset", {})
    if OURS in reset and OURS_SYNC in reset:
        r = ratio(reset[OURS_SYNC][0], reset[OURS][0])
        checks.append(("callgrind `reset` of one chunk: `SyncBlinkAlloc` within 2x of `BlinkAlloc`",
                       "%d vs %d (%.2fx)" % (reset[OURS_SYNC][0], reset[OURS][0], r),
                       "yes" if r <= 2 else "no"))

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
    if args.memory_table:
        with open(args.memory_table) as f:
            table = [line.rstrip("\n") for line in f if line.startswith("|")]
        if table:
            w("## Peak memory over reset cycles")
            w("")
            w("bench `memory` (`benches/memory.rs`): cycles of mixed blocks (sizes 1-97, alignments")
            w("1-8), each ended by a reset; the peak of bytes each arena holds from the system,")
            w("over the bytes one cycle asks for. `warm`: over 5 cycles after 3 warm-up cycles;")
            w("`from cold`: over all 8, the first included. Counted, not timed: the same on any run.")
            w("")
            out.extend(table)
            w("")
    if checks:
        w("## Targets")
        w("")
        w("| target | measured | met |")
        w("|---|---:|---|")
        for label, value, met in checks:
            w("| %s | %s | %s |" % (label, value, met))
        w("")

    if os.path.isfile(NOTES):
        with open(NOTES) as f:
            w(f.read().rstrip())
            w("")

    with open(args.out, "w") as f:
        f.write("\n".join(out))


if __name__ == "__main__":
    main()
