#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs examples/wscopy on a generated file: file to file, stdin to stdout,
# and failures (a missing source, a full destination). TAP output.
# usage: test-wscopy.sh PATH-TO-WSCOPY
set -u
wscopy=$1
dir=$(mktemp -d "${TMPDIR:-/tmp}/wscopy-test.XXXXXX")
trap 'rm -rf "$dir"' EXIT
n=0
failed=0
check () {
  n=$((n + 1))
  if [ "$1" = 0 ]; then echo "ok $n $2"; else echo "not ok $n $2"; failed=1; fi
}

echo "1..7"
# 48 MiB plus an odd tail, so that the last chunk is short.
head -c 50331877 /dev/urandom > "$dir/src"

"$wscopy" "$dir/src" "$dir/dst" 2> "$dir/err1"
status=$?
cmp -s "$dir/src" "$dir/dst"
check $(( status + $? )) "file to file is byte-identical"

"$wscopy" < "$dir/src" > "$dir/dst2" 2> "$dir/err2"
status=$?
cmp -s "$dir/src" "$dir/dst2"
check $(( status + $? )) "stdin to stdout is byte-identical"

cat "$dir/src" | "$wscopy" - - | cat > "$dir/dst3"
cmp -s "$dir/src" "$dir/dst3"
check $? "pipe to pipe is byte-identical"

"$wscopy" "$dir/missing" "$dir/dst4" 2> "$dir/err4"
status=$?
[ $status = 1 ] && grep -q "No such file" "$dir/err4" && [ ! -e "$dir/dst4" ]
check $? "a missing source fails with status 1"

"$wscopy" "$dir/src" - > /dev/full 2> "$dir/err5"
status=$?
[ $status = 1 ] && grep -q "copy failed after" "$dir/err5" && grep -q "No space left" "$dir/err5"
check $? "a full destination fails with status 1 and the write error"

printf 'old contents' > "$dir/keep"
"$wscopy" "$dir/src" "$dir/keep" 2>/dev/null
status=$?
cmp -s "$dir/src" "$dir/keep"
check $(( status + $? )) "a copy over an existing file replaces it"

# A copy that lasts longer than a second shows a progress line on stderr
# (the input itself takes 2.5 s to arrive).
{ head -c 100000 "$dir/src"; sleep 2.5; tail -c 100000 "$dir/src"; } | "$wscopy" - "$dir/slow" 2> "$dir/err7"
status=$?
[ $status = 0 ] && grep -q "copied 0.2 MiB in" "$dir/err7" && [ $(wc -c < "$dir/slow") = 200000 ]
check $? "a long copy shows its progress on stderr"

exit $failed
