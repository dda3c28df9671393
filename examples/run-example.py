#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Runs an example and checks that it prints exactly the expected lines.

    run-example.py EXPECTED.out [--pythonpath DIR] COMMAND [ARGS...]

--pythonpath prepends DIR to the child's PYTHONPATH (the overrides of an
uninstalled build).
"""
import difflib
import os
import subprocess
import sys


def main(argv):
    expected_path = argv[1]
    command = argv[2:]
    env = dict(os.environ)
    if command[:1] == ['--pythonpath']:
        env['PYTHONPATH'] = os.pathsep.join(filter(None, [command[1], env.get('PYTHONPATH')]))
        command = command[2:]
    # The examples run from their own directory (the JavaScript one imports
    # the module relative to itself); paths given relative to here must
    # survive that.
    command = [os.path.abspath(arg) if os.path.exists(arg) else arg for arg in command]
    with open(expected_path, encoding='utf-8') as f:
        expected = f.read()
    proc = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60,
                          cwd=os.path.dirname(os.path.abspath(expected_path)))
    sys.stderr.write(proc.stderr)
    if proc.returncode != 0:
        print('%s exited with %d' % (command[0], proc.returncode))
        return 1
    if proc.stdout != expected:
        sys.stdout.writelines(difflib.unified_diff(
            expected.splitlines(True), proc.stdout.splitlines(True),
            expected_path, 'output of ' + ' '.join(command)))
        return 1
    print('output matches %s' % os.path.basename(expected_path))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
