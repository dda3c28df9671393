#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Runs a documentation sample and compares what it prints with the output
the guide shows.

  run-sample.py EXPECTED.out COMMAND [ARGS...]
  run-sample.py --node EXPECTED.out NODE SAMPLE.js

Fails when the command exits non-zero, writes anything to stderr (a GLib
warning or critical, a Python or GJS warning), or prints anything else than
EXPECTED.out on stdout.

With --node, SAMPLE.js is a script for wstream's web-standard module: it
runs in Node's built-in WritableStream instead, with its import of the
module replaced by a `print` for Node, to show that it behaves the same.
"""
import difflib
import os
import re
import subprocess
import sys
import tempfile

NODE_SHIM = 'const print = (...args) => console.log(...args);'


def node_command(node, sample, tmpdir):
    with open(sample, encoding='utf-8') as f:
        source = f.read()
    source, n = re.subn(r"^import \{[^}]*\} from '[^']*wstream-web\.js';$", NODE_SHIM,
                        source, flags=re.M)
    if n != 1:
        raise SystemExit(f'{sample} does not import wstream-web.js on one line')
    script = os.path.join(tmpdir, os.path.basename(sample).replace('.js', '.mjs'))
    with open(script, 'w', encoding='utf-8') as f:
        f.write(source)
    return [node, script]


def main():
    args = sys.argv[1:]
    node = args[:1] == ['--node']
    if node:
        args = args[1:]
    if len(args) < 2 or (node and len(args) != 3):
        print(__doc__, file=sys.stderr)
        return 2
    expected_path, command = args[0], args[1:]
    with open(expected_path, encoding='utf-8') as f:
        expected = f.read()
    with tempfile.TemporaryDirectory() as tmpdir:
        if node:
            command = node_command(command[0], command[1], tmpdir)
        return run(expected_path, expected, command)


def run(expected_path, expected, command):
    proc = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          encoding='utf-8', errors='replace', timeout=60)
    ok = True
    if proc.returncode != 0:
        print(f'{command[-1]} exited with {proc.returncode}')
        ok = False
    if proc.stderr:
        print(f'{command[-1]} wrote to stderr:\n{proc.stderr}')
        ok = False
    if proc.stdout != expected:
        print(f'{command[-1]} printed something else than {expected_path}:')
        sys.stdout.writelines(difflib.unified_diff(expected.splitlines(True),
                                                   proc.stdout.splitlines(True),
                                                   'expected', 'actual'))
        ok = False
    if ok:
        print(proc.stdout, end='')
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
