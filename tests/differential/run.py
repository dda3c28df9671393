#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Differential test of wstream against Node's built-in WritableStream.

    run.py --driver PATH-TO-driver --node node [--seed S] [--count N]
           [--minimize] [--show K] [--file SEQS]

Generates COUNT random operation sequences from SEED (gen.py), runs all of
them in one wstream process (driver.c) and one Node process (driver.mjs),
normalises the documented Node deviations (normalise_node below) and
compares the traces.  Exits 1 if any sequence differs; with --minimize each
differing sequence is shrunk first (ops, then sink modes) while it still
differs.  --file runs the sequences of a file instead (one per line).
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gen  # noqa: E402


def child_env(cmd):
    """Under AddressSanitizer tests/meson.build preloads libasan into the
    interpreters with leak detection off.  Node must not get the preload; the
    (instrumented) wstream driver gets leak detection back on."""
    env = dict(os.environ)
    if "LD_PRELOAD" in env and "asan" in env["LD_PRELOAD"]:
        del env["LD_PRELOAD"]
        if cmd[0].endswith("node") or cmd[-1].endswith(".mjs"):
            env.pop("ASAN_OPTIONS", None)
        else:
            env["ASAN_OPTIONS"] = "detect_leaks=1"
    return env


def run_driver(cmd, seqs):
    with tempfile.NamedTemporaryFile("w", suffix=".seq", delete=False) as f:
        f.write("\n".join(seqs) + "\n")
        path = f.name
    try:
        p = subprocess.run(cmd + [path], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           universal_newlines=True, timeout=600, env=child_env(cmd))
    finally:
        os.unlink(path)
    return p.returncode, p.stdout, p.stderr


def split_traces(text):
    traces = {}
    cur = None
    for line in text.split("\n"):
        if line.startswith("### "):
            cur = int(line[4:])
            traces[cur] = []
        elif cur is not None and line != "":
            traces[cur].append(line)
    return traces


# Node v20 deviates from the Standard in these places; the comparator maps
# Node's behaviour onto what the Standard says before comparing.
THREW = re.compile(r"^p(\d+) (\w+) threw (\S+)$")


def normalise_node(trace):
    out = []
    for line in trace:
        m = THREW.match(line)
        if m and m.group(2) == "write" and m.group(3) in ("TypeError", "other:ERR_INTERNAL_ASSERTION"):
            # Node's WritableStreamDefaultWriterWrite throws a TypeError
            # synchronously on a closing or closed stream (it checks
            # writableStreamCloseQueuedOrInFlight with a throw, see
            # whatwg/streams#1341 and #1218 for the discussion).  The
            # Standard says "If ! WritableStreamCloseQueuedOrInFlight(stream)
            # is true or state is "closed", return a promise rejected with a
            # TypeError exception indicating that the stream is closing or
            # closed." -- a rejection, observed one microtask later, which is
            # what wstream reports.  Any synchronous throw is therefore a
            # rejection at this point in the trace; reactions that ran in the
            # same checkpoint could only be reordered, and the comparator
            # below allows exactly that reordering (see settle_block).
            out.append("p%s write rej TypeError" % m.group(1))
            continue
        out.append(line)
    return out


SIGNAL_ABORT_ERROR = "signal abort AbortError"
CREATING = {"w", "c", "a", "sc", "sa", "rd", "cl"}
SETTLED = re.compile(r"^p(\d+) ")


def normalise_signal(trace):
    # DOM "signal abort": "Set signal's abort reason to reason if it is
    # given; otherwise to a new "AbortError" DOMException."  writer.abort()
    # without a reason gives controller.signal an AbortError in Node, while
    # sink.abort() and the promises get undefined.  wstream has a single
    # default reason for both, WSTREAM_ERROR_ABORTED ("undefined" in the
    # trace), which is what wstream_default_controller_get_abort_reason()
    # returns: the two are the same event.
    return ["signal abort undefined" if l == SIGNAL_ABORT_ERROR else l for l in trace]


def canonical(trace):
    """Promise settlements are compared in order, with one exception.

    A promise that settles synchronously inside the call that made it (a
    write() on an errored stream, a wait on a settled ready promise) gets its
    JavaScript reaction queued only when the caller attaches .then() after
    the call returned, i.e. after the reactions of every promise that the
    call settled on the way.  A wstream callback is registered by the call
    itself and runs in the order the promises settled, as DESIGN.md rule 3
    asks.  So within each run of consecutive settlement lines, the lines of
    promises made during the current step move, in their own order, after
    the others; both traces get the same treatment."""
    out = []
    next_id = 0
    step_ids = set()
    run = []

    def flush():
        own = [l for l in run if int(SETTLED.match(l).group(1)) in step_ids]
        other = [l for l in run if int(SETTLED.match(l).group(1)) not in step_ids]
        out.extend(other + own)
        run.clear()

    for k, line in enumerate(trace):
        if SETTLED.match(line):
            run.append(line)
            continue
        flush()
        if line.startswith("> "):
            step_ids = set()
        if line.startswith(">"):
            name = line.lstrip("> ").split("/")[0]
            nxt = trace[k + 1] if k + 1 < len(trace) else ""
            if name in CREATING and nxt not in ("nowriter", "nostream"):
                step_ids.add(next_id)
                next_id += 1
        out.append(line)
    flush()
    return sink_tick_exception(out)


def sink_tick_exception(trace):
    """Node reacts to a promise that an underlying sink returned one
    microtask later than the Standard: it wraps the result again, where the
    Standard says "Let sinkWritePromise be the result of performing
    controller.[[writeAlgorithm]], passing in chunk" and reacts to that
    promise itself ("Upon fulfillment of sinkWritePromise"); for start,
    "Let startPromise be a promise resolved with startResult" is the
    promise itself when startResult is a promise (PromiseResolve).  With
    `p.then(t1).then(t2)` next to a sink promise resolved at the same time,
    the Standard gives "write settles, t1, ..." and Node v20 "t1, t2, write
    settles".  This is only visible when a sink promise is settled inside a
    synchronous call (a size function or sink method that settles it, ">>
    st/" in the trace) whose own promise then races with it.  In such a step
    the settlements of the promises the step made move to the end of the
    step, in both traces."""
    out = []
    block = []
    next_id = 0

    def flush():
        nonlocal next_id
        ids = set()
        for k, line in enumerate(block):
            if line.startswith(">"):
                name = line.lstrip("> ").split("/")[0]
                nxt = block[k + 1] if k + 1 < len(block) else ""
                if name in CREATING and nxt not in ("nowriter", "nostream"):
                    ids.add(next_id)
                    next_id += 1
        if any(l.startswith(">> st/") for l in block):
            own = [l for l in block if SETTLED.match(l) and int(SETTLED.match(l).group(1)) in ids]
            rest = [l for l in block if l not in own]
            block[:] = rest + own
        out.extend(block)
        block.clear()

    for line in trace:
        if line.startswith("> ") or line == "end":
            flush()
        block.append(line)
    flush()
    return out


def compare(seqs, c_traces, n_traces):
    bad = []
    for i in range(len(seqs)):
        c = c_traces.get(i)
        n = n_traces.get(i)
        if c is None or n is None:
            bad.append(i)
            continue
        if canonical(c) != canonical(normalise_signal(normalise_node(n))):
            bad.append(i)
    return bad


def differs(args, seq):
    _, c_out, _ = run_driver(args.c_cmd, [seq])
    _, n_out, _ = run_driver(args.n_cmd, [seq])
    c = split_traces(c_out).get(0)
    n = split_traces(n_out).get(0)
    if c is None or n is None:
        return True
    return canonical(c) != canonical(normalise_signal(normalise_node(n)))


def minimize(args, seq):
    tokens = seq.split()
    head = [t for t in tokens if "=" in t]
    ops = [t for t in tokens if "=" not in t]

    def build(h, o):
        return " ".join(h + o)

    changed = True
    while changed:
        changed = False
        # Remove ops, one at a time, from the end.
        i = len(ops) - 1
        while i >= 0:
            trial = ops[:i] + ops[i + 1:]
            if differs(args, build(head, trial)):
                ops = trial
                changed = True
            i -= 1
        # Simplify the sink modes and the size list.
        for k, t in enumerate(head):
            key, _, val = t.partition("=")
            if key in ("start", "write", "close", "abort") or val.startswith("custom:"):
                prefix = "custom:" if val.startswith("custom:") else ""
                items = val[len(prefix):].split(",")
                for j in range(len(items) - 1, -1, -1):
                    cands = []
                    if len(items) > 1:
                        cands.append(items[:j] + items[j + 1:])
                    if "+" in items[j]:
                        cands.append(items[:j] + [items[j].split("+")[0]] + items[j + 1:])
                    for cand in cands:
                        h2 = list(head)
                        h2[k] = key + "=" + prefix + ",".join(cand)
                        if differs(args, build(h2, ops)):
                            head = h2
                            items = cand
                            changed = True
                            break
    return build(head, ops)


def show(args, seq, c, n):
    print("sequence: " + seq)
    width = max([len(x) for x in c] + [10])
    nn = canonical(normalise_signal(normalise_node(n)))
    c = canonical(c)
    for k in range(max(len(c), len(nn))):
        a = c[k] if k < len(c) else ""
        b = nn[k] if k < len(nn) else ""
        mark = "  " if a == b else "!!"
        print("  %s %-*s | %s" % (mark, width, a, b))
    print("  (left: wstream, right: node after normalisation)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--driver", required=True)
    ap.add_argument("--node", default="node")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=10000)
    ap.add_argument("--file")
    ap.add_argument("--minimize", action="store_true")
    ap.add_argument("--show", type=int, default=5)
    args = ap.parse_args()
    args.c_cmd = [args.driver]
    args.n_cmd = [args.node, os.path.join(HERE, "driver.mjs")]

    if args.file:
        with open(args.file) as f:
            seqs = [l.strip() for l in f if l.strip() and not l.startswith("#")]
    else:
        seqs = gen.sequences(args.seed, args.count)

    n_rc, n_out, n_err = run_driver(args.n_cmd, seqs)
    if n_rc != 0:
        print("node driver failed (%d):\n%s" % (n_rc, n_err))
        return 1
    status = 0
    # The wstream driver runs all sequences in one process; when it crashes
    # the sequence it was running is marked and the rest run in a new one.
    c_tr = {}
    start = 0
    while start < len(seqs):
        c_rc, c_out, c_err = run_driver(args.c_cmd, seqs[start:])
        part = split_traces(c_out)
        for k, v in part.items():
            c_tr[start + k] = v
        if c_rc != 0:
            status = 1
            print("wstream driver stderr (rc %d):\n%s" % (c_rc, c_err[-3000:]))
        elif c_err.strip():
            print(c_err.strip())   # the lifetime figures
        if c_rc < 0:
            crashed = start + len(part)
            c_tr[crashed] = ["CRASH (signal %d): %s" % (-c_rc, c_err.strip().split("\n")[-1])]
            start = crashed + 1
        else:
            break
    n_tr = split_traces(n_out)
    bad = compare(seqs, c_tr, n_tr)
    origin = args.file if args.file else "seed %d" % args.seed
    print("%d sequences (%s), %d differ" % (len(seqs), origin, len(bad)))
    shown = set()
    for i in bad[:args.show]:
        seq = seqs[i]
        if args.minimize:
            seq = minimize(args, seq)
            if seq in shown:
                continue
            shown.add(seq)
            _, c1, _ = run_driver(args.c_cmd, [seq])
            _, n1, _ = run_driver(args.n_cmd, [seq])
            show(args, seq, split_traces(c1).get(0, []), split_traces(n1).get(0, []))
        else:
            show(args, seq, c_tr.get(i, []), n_tr.get(i, []))
    return 1 if bad or status else 0


if __name__ == "__main__":
    sys.exit(main())
