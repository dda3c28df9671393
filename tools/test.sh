#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Installs the dependencies, builds wstream and runs the whole test suite.
# Ends with the line "N passed, M failed"; exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."

bash tools/install-deps.sh || { echo "dependency installation failed"; echo "0 passed, 1 failed"; exit 1; }

passed=0
failed=0

# count_results BUILDDIR [LOGBASE]: adds the results of
# BUILDDIR/meson-logs/LOGBASE.json (default testlog)
count_results () {
  local log="$1/meson-logs/${2:-testlog}.json"
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

# run_valgrind BUILDDIR: the C tests and the fuzz corpus replay of BUILDDIR under valgrind's memcheck
# with GLib's suppressions; any error or definite leak fails the test.
run_valgrind () {
  local builddir="$1"
  [ -f "$builddir/build.ninja" ] || return
  if ! command -v valgrind >/dev/null; then
    echo "valgrind is not installed"
    failed=$((failed + 1))
    return
  fi
  # The executables of the c and fuzz suites; scripts (test-wscopy.sh) would put
  # the shell itself under valgrind.
  local tests
  tests=$(meson test -C "$builddir" --list --no-rebuild --suite c --suite fuzz 2>/dev/null \
          | sed -n 's|^[^ ]* / ||p' | grep -v -x -e wscopy)
  [ -n "$tests" ] || { echo "no C tests found in $builddir"; failed=$((failed + 1)); return; }
  # shellcheck disable=SC2086
  meson test -C "$builddir" --no-rebuild --print-errorlogs --num-processes 2 \
    --timeout-multiplier 10 $tests \
    --wrap "valgrind --quiet --leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite --error-exitcode=1 --suppressions=/usr/share/glib-2.0/valgrind/glib.supp"
  count_results "$builddir" testlog-valgrind   # meson names the log after the wrapper
}

run_suite _build-ci
# The C tests again under valgrind (issue 7).
run_valgrind _build-ci
# The whole suite again with gcc's AddressSanitizer and UBSan (issue 7);
# tests/meson.build preloads libasan into python3 and gjs.
run_suite _build-ci-asan -Db_sanitize=address,undefined -Db_lundef=false

echo "${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ]
