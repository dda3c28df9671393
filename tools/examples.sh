#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Installs the dependencies, builds wstream and runs the same small program
# in C, Python and JavaScript (examples/write-message.*): a message written
# chunk by chunk into a stream whose sink prints what it receives, with
# backpressure, then closed. Runs from the build tree; nothing is installed.
set -euo pipefail
cd "$(dirname "$0")/.."

bash tools/install-deps.sh

builddir=_build-examples
if [ ! -f "$builddir/build.ninja" ]; then
  meson setup "$builddir" -Dtests=disabled -Ddocumentation=disabled
fi
meson compile -C "$builddir"

# PyGObject is in Debian's python3; another python3 may come first on PATH.
python=/usr/bin/python3
if ! "$python" -c 'import gi' 2>/dev/null; then
  python=python3
fi

export GI_TYPELIB_PATH="$PWD/$builddir/wstream${GI_TYPELIB_PATH:+:$GI_TYPELIB_PATH}"
export LD_LIBRARY_PATH="$PWD/$builddir/wstream${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

echo "== C (examples/write-message.c)"
"$builddir/examples/write-message"
echo
echo "== Python (examples/write-message.py)"
PYTHONPATH="$PWD/wstream/bindings/python${PYTHONPATH:+:$PYTHONPATH}" "$python" examples/write-message.py
echo
echo "== JavaScript, GJS with the web-standard module (examples/write-message.js)"
gjs -m examples/write-message.js
