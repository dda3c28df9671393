#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Installs the dependencies, builds wstream and runs the whole test suite.
# Ends with the line "N passed, M failed"; exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."

bash tools/install-deps.sh || { echo "dependency installation failed"; echo "0 passed, 1 failed"; exit 1; }

passed=0
failed=0

# count_results BUILDDIR: adds the results of BUILDDIR/meson-logs/testlog.json
count_results () {
  local log="$1/meson-logs/testlog.json"
  if [ ! -s "$log" ]; then
    failed=$((failed + 1))
    return
  fi
  read -r p f < <(/usr/bin/python3 - "$log" <<'PY'
import json, sys
p = f = 0
for line in open(sys.argv[1]):
    line = line.strip()
    if not line:
        continue
    r = json.loads(line)
    if r.get("result") in ("OK", "EXPECTEDFAIL"):
        p += 1
    else:
        f += 1
        print("FAILED: %s (%s)" % (r.get("name"), r.get("result")), file=sys.stderr)
print(p, f)
PY
  )
  passed=$((passed + p))
  failed=$((failed + f))
}

# run_suite BUILDDIR [meson setup options...]
run_suite () {
  local builddir="$1"; shift
  rm -rf "$builddir"
  if ! meson setup "$builddir" "$@" >"$builddir.setup.log" 2>&1; then
    cat "$builddir.setup.log"
    echo "meson setup of $builddir failed"
    failed=$((failed + 1))
    return
  fi
  if ! meson compile -C "$builddir"; then
    echo "build in $builddir failed"
    failed=$((failed + 1))
    return
  fi
  meson test -C "$builddir" --print-errorlogs --num-processes 2
  count_results "$builddir"
}

run_suite _build-ci

echo "${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ]
