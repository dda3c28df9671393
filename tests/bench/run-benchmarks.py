#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Runs the issue-6 benchmarks on wstream and on Node's WritableStream and
prints one table: workload, wstream, node, ratio, goal, met?

  run-benchmarks.py --wstream BUILD/tests/bench/bench-wstream \
                    --node-script tests/bench/bench-node.mjs [--node node]
                    [--n 1000000] [--runs 3] [--rounds 2]

Each program runs every timed workload --runs times and reports its best
CPU time and its best wall-clock time per write; the driver starts each
program --rounds times, alternating wstream and node, and keeps the best
again. On a shared machine the wall clock also counts the time other
processes ran, so ratios and goals use CPU time (process CPU time; for Node
that includes its GC helper threads). Memory (W4) is
taken from the first round. This script never fails on a slow machine: it
exits non-zero only when a benchmark program fails (a sink that did not
receive every byte) or cannot run.
"""

import argparse
import math
import os
import re
import shutil
import subprocess
import sys


def run(cmd, env=None):
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, env=env)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"benchmark failed ({proc.returncode}): {' '.join(cmd)}")
    figures = {}
    for line in proc.stdout.splitlines():
        parts = line.split()
        if len(parts) == 3:
            figures[(parts[0], parts[1])] = float(parts[2])
    return figures


def merge_best(best, figures, first_round):
    for key, value in figures.items():
        if "ns_" in key[1]:
            best[key] = min(best.get(key, math.inf), value)
        elif first_round:
            best[key] = value


def fmt(value, unit):
    if value is None:
        return "n/a"
    return f"{value:.1f} {unit}"


def instructions_per_write(valgrind, wstream, workload, n, env):
    """Instructions per write under callgrind: the count for n writes minus
    the count for one write (start-up and stream set-up), over n - 1."""
    counts = []
    for size in (1, n):
        proc = subprocess.run([valgrind, "--tool=callgrind", "--callgrind-out-file=/dev/null",
                               wstream, "--runs", "1", "--n", str(size), workload],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
        match = re.search(r"refs:\s+([\d,]+)", proc.stderr)
        if proc.returncode != 0 or not match:
            sys.stderr.write(proc.stderr)
            raise SystemExit(f"callgrind failed on {workload}")
        counts.append(int(match.group(1).replace(",", "")))
    return (counts[1] - counts[0]) / (n - 1)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--wstream", required=True, help="the bench-wstream executable")
    parser.add_argument("--node-script", required=True, help="bench-node.mjs")
    parser.add_argument("--node", default=shutil.which("node"), help="the node executable")
    parser.add_argument("--n", type=int, default=1000000, help="writes per workload")
    parser.add_argument("--runs", type=int, default=3, help="runs per workload inside a program")
    parser.add_argument("--rounds", type=int, default=2, help="times each program is started")
    parser.add_argument("--valgrind", default=shutil.which("valgrind"),
                        help="valgrind, for the instruction counts (default: from PATH)")
    parser.add_argument("--callgrind-n", type=int, default=100000,
                        help="writes per workload under callgrind; 0 skips the instruction counts")
    args = parser.parse_args()

    # The test environment's malloc checking (MALLOC_CHECK_, MALLOC_PERTURB_)
    # would be measured too: drop it.
    env = dict(os.environ)
    for var in ("MALLOC_CHECK_", "MALLOC_PERTURB_", "G_SLICE", "G_DEBUG"):
        env.pop(var, None)

    common = ["--n", str(args.n), "--runs", str(args.runs)]
    ws, js = {}, {}
    for r in range(args.rounds):
        merge_best(ws, run([args.wstream] + common, env), r == 0)
        if args.node:
            merge_best(js, run([args.node, "--expose-gc", args.node_script] + common, env), r == 0)

    # Instruction counts do not depend on the machine's load: the figure to
    # compare between runs and revisions.
    instr = {}
    if args.valgrind and args.callgrind_n > 1:
        for workload in ("W1", "W2", "W5", "W5p", "R1", "GT"):
            instr[workload] = instructions_per_write(args.valgrind, args.wstream, workload,
                                                     args.callgrind_n, env)

    def get(d, w, k):
        return d.get((w, k))

    rows = []

    def ratio(w_val, j_val):
        if w_val is None or j_val is None or w_val <= 0:
            return None
        return j_val / w_val

    def fmt_ratio(r):
        return f"{r:.1f}x" if r else "n/a"

    def timed(w, what="write"):
        """CPU ns and wall ns of a workload, for wstream and node."""
        return (get(ws, w, f"cpu_ns_per_{what}"), get(ws, w, f"ns_per_{what}"),
                get(js, w, f"cpu_ns_per_{what}"), get(js, w, f"ns_per_{what}"))

    def fmt_time(cpu, wall):
        if cpu is None:
            return "n/a"
        return f"{cpu:.1f} ns ({wall:.0f})" if wall is not None else f"{cpu:.1f} ns"

    def time_row(label, w, limit, factor, what="write"):
        wc, ww, jc, jw = timed(w, what)
        r = ratio(wc, jc)
        if limit is None:
            goal, met = "(reported)", "-"
        else:
            goal = f"<= {limit} ns, >= {factor}x node"
            met = "yes" if wc is not None and wc <= limit and r and r >= factor else "no"
        rows.append((label, fmt_time(wc, ww), fmt_time(jc, jw), fmt_ratio(r), goal, met))
        return wc, jc

    w1, j1 = time_row("W1 pipelined writes", "W1", 40, 10)
    time_row("W2 awaited writes", "W2", 150, 3)

    w4, j4 = get(ws, "W4", "bytes_per_write"), get(js, "W4", "bytes_per_write")
    rows.append(("W4 queue memory (heap)", fmt(w4, "B"), fmt(j4, "B"), fmt_ratio(ratio(w4, j4)),
                 "<= 48 B/write", "yes" if w4 is not None and w4 <= 48 else "no"))
    w4r, j4r = get(ws, "W4", "rss_per_write"), get(js, "W4", "rss_per_write")
    rows.append(("W4 queue memory (RSS)", fmt(w4r, "B"), fmt(j4r, "B"), fmt_ratio(ratio(w4r, j4r)),
                 "(reported)", "-"))
    w4t, j4t = get(ws, "W4", "cpu_ns_per_queued_write"), get(js, "W4", "cpu_ns_per_queued_write")
    rows.append(("W4 time to queue a write", fmt(w4t, "ns"), fmt(j4t, "ns"), fmt_ratio(ratio(w4t, j4t)),
                 "(reported)", "-"))

    w5, j5 = time_row("W5 direct sink call", "W5", None, None)
    wc, ww, _, _ = timed("W5", "public_call")
    rows.append(("W5 via wstream_sink_write", fmt_time(wc, ww), "", "", "(reported)", "-"))
    if w1 is not None and w5 is not None:
        rows.append(("W1 - W5 (stream overhead)", fmt(w1 - w5, "ns"),
                     fmt(j1 - j5, "ns") if j1 is not None and j5 is not None else "n/a",
                     fmt_ratio(ratio(w1 - w5, (j1 - j5) if j1 is not None and j5 is not None else None)),
                     "(reported)", "-"))

    # The floors W1 is made of: one ready wait per write in steady state
    # (see PROFILE.md), and what one main-loop callback costs elsewhere.
    time_row("R1 ready wait alone (W1's floor)", "R1", None, None, "round_trip")
    wc, ww, _, _ = timed("GT", "round_trip")
    _, _, jc, jw = timed("P0", "round_trip")
    rows.append(("GT GTask round trip / P0 await", fmt_time(wc, ww), fmt_time(jc, jw), "",
                 "(reported)", "-"))

    by_label = {"W1 pipelined writes": "W1", "W2 awaited writes": "W2",
                "W5 direct sink call": "W5", "W5 via wstream_sink_write": "W5p",
                "R1 ready wait alone (W1's floor)": "R1", "GT GTask round trip / P0 await": "GT"}
    rows = [row[:2] + (f"{instr[by_label[row[0]]]:.0f}" if by_label.get(row[0]) in instr else "",)
            + row[2:] for row in rows]
    header = ("workload", "wstream", "wstream instr/write", "node", "node/wstream", "goal", "met?")
    widths = [max(len(str(row[i])) for row in rows + [header]) for i in range(len(header))]
    print(f"writes per workload: {args.n}; best of {args.runs} runs x {args.rounds} rounds; "
          f"times are CPU ns per write (wall-clock ns in parentheses); "
          f"ratios and goals use CPU time; instructions per write from callgrind with "
          f"{args.callgrind_n} writes (reproducible; empty without valgrind); W3 is bench-gio")
    print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths)) + " |")
    print("| " + " | ".join("-" * w for w in widths) + " |")
    for row in rows:
        print("| " + " | ".join(str(c).ljust(w) for c, w in zip(row, widths)) + " |")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
