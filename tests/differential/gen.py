# SPDX-License-Identifier: LGPL-2.1-or-later
"""Random operation sequences for the differential test.

One sequence is one line of space-separated tokens (both drivers parse it,
see README.md in this directory for the grammar):

    hwm=<h> size=<s> start=<modes> write=<modes> close=<modes> abort=<modes> <op> <op> ...
"""

import random

REASONS = ["E%d" % i for i in range(1, 10)]


def _reason(rng):
    return rng.choice(REASONS)


def _chunk(rng, size_kind):
    if size_kind == "bytes":
        # Only byte chunks: a string or a number has no byteLength in JS, so
        # its size is undefined, which EnqueueValueWithSize rejects later
        # with a RangeError, while wstream's byte-length strategy fails to
        # measure it (WSTREAM_ERROR_INVALID_CHUNK_TYPE), which the Standard
        # treats as a throwing size function: the write is rejected at once
        # instead of when the stream finishes erroring.  That is wstream's
        # documented choice (DESIGN.md, "Chunks are GValues"); test-hostile.c
        # covers it.
        return "b%d" % rng.randint(0, 5)
    r = rng.random()
    if r < 0.7:
        return "s%s" % rng.choice(["a", "b", "c", "d", "e", "f", "g", "h"])
    if r < 0.85:
        return "i%d" % rng.randint(0, 9)
    return "b%d" % rng.randint(0, 5)


def _action(rng, size_kind):
    """An op a sink method or a size function runs synchronously inside."""
    return rng.choice([
        lambda: "w/0/" + _chunk(rng, size_kind),
        lambda: "c/0",
        lambda: "a/0/" + _reason(rng),
        lambda: "sa/" + _reason(rng),
        lambda: "ce/" + _reason(rng),
        lambda: "r/0",
        lambda: "g",
        lambda: "ds/0",
        lambda: "st/-",
        lambda: "st/" + _reason(rng),
    ])()


def _modes(rng, op, size_kind):
    n = rng.choice([1, 1, 2, 3, 4])
    out = []
    for _ in range(n):
        r = rng.random()
        if op == "start":
            weights = [("ok", 0.55), ("later", 0.35), ("fail", 0.05), ("nerr", 0.05)]
        else:
            weights = [("ok", 0.45), ("later", 0.35), ("fail", 0.12), ("nerr", 0.08)]
        acc = 0.0
        mode = "ok"
        for m, w in weights:
            acc += w
            if r < acc:
                mode = m
                break
        if mode == "fail":
            mode = "f:" + _reason(rng)
        if rng.random() < 0.12:
            mode += "+" + _action(rng, size_kind)
        out.append(mode)
    return ",".join(out)


def _size(rng):
    r = rng.random()
    if r < 0.45:
        return "count"
    if r < 0.6:
        return "bytes"
    n = rng.choice([1, 1, 2, 3])
    vals = []
    for _ in range(n):
        x = rng.random()
        if x < 0.6:
            v = rng.choice(["0", "1", "1", "2", "0.5", "3"])
        elif x < 0.7:
            v = "nan"
        elif x < 0.78:
            v = "neg"
        elif x < 0.86:
            v = "inf"
        elif x < 0.94:
            v = "t:" + _reason(rng)
        else:
            v = "nerr"
        if rng.random() < 0.1:
            v += "+" + _action(rng, "custom")
        vals.append(v)
    return "custom:" + ",".join(vals)


def _hwm(rng):
    return rng.choice(["0", "0", "1", "1", "1", "2", "3.5", "inf", "inf"]
                      + (["-1", "nan"] if rng.random() < 0.05 else []))


def _op(rng, size_kind):
    w = str(rng.choice([0, 0, 0, 1, 2]))
    table = [
        (8, lambda: "w/%s/%s" % (w, _chunk(rng, size_kind))),
        (2, lambda: "c/" + w),
        (1.5, lambda: "a/%s/%s" % (w, rng.choice(REASONS + ["-"]))),
        (0.7, lambda: "sc"),
        (0.7, lambda: "sa/" + rng.choice(REASONS + ["-"])),
        (1.2, lambda: "r/" + w),
        (1.5, lambda: "g"),
        (2, lambda: "rd/" + w),
        (1.5, lambda: "cl/" + w),
        (2, lambda: "ds/" + w),
        (0.7, lambda: "lk"),
        (1, lambda: "ce/" + _reason(rng)),
        (5, lambda: "st/-"),
        (1.5, lambda: "st/" + _reason(rng)),
    ]
    total = sum(t[0] for t in table)
    x = rng.random() * total
    for weight, f in table:
        if x < weight:
            return f()
        x -= weight
    return "lk"


def sequence(rng):
    size = _size(rng)
    size_kind = "bytes" if size == "bytes" else "other"
    head = [
        "hwm=" + _hwm(rng),
        "size=" + size,
        "start=" + _modes(rng, "start", size_kind),
        "write=" + _modes(rng, "write", size_kind),
        "close=" + _modes(rng, "close", size_kind),
        "abort=" + _modes(rng, "abort", size_kind),
    ]
    ops = ["g"] if rng.random() < 0.9 else []
    for _ in range(rng.randint(1, 24)):
        ops.append(_op(rng, size_kind))
    return " ".join(head + ops)


def sequences(seed, count):
    rng = random.Random(seed)
    return [sequence(rng) for _ in range(count)]
