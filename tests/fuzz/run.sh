#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Builds the libFuzzer target tests/fuzz/fuzz-stream.c with clang, the library
# instrumented too (ASan, UBSan, coverage), and runs it for a bounded time:
#
#   tests/fuzz/run.sh [SECONDS] [libFuzzer options...]     (default 60 s)
#
# New interesting inputs go to _build-rel-fuzz/corpus; the seed corpus in
# tests/fuzz/corpus is only read.  To fold new inputs into the kept corpus:
#   _build-rel-fuzz/fuzz-stream -merge=1 tests/fuzz/corpus _build-rel-fuzz/corpus
# To see the sequence an input decodes to (differential-test grammar):
#   FUZZ_PRINT=1 _build-rel-fuzz/fuzz-stream crash-<hash>
set -eu
cd "$(dirname "$0")/../.."
secs=${1:-60}
[ $# -gt 0 ] && shift
build=_build-rel-fuzz

if [ ! -f "$build/build.ninja" ]; then
  CC=clang meson setup "$build" -Db_sanitize=address,undefined -Db_lundef=false \
    -Dc_args=-fsanitize=fuzzer-no-link -Dintrospection=disabled \
    -Ddocumentation=disabled -Dtests=disabled >"$build.setup.log" 2>&1 \
    || { cat "$build.setup.log"; exit 1; }
fi
ninja -C "$build" wstream/libwstream-1.so.0.100.0 >/dev/null
clang -g -O1 -fsanitize=fuzzer,address,undefined \
  -I wstream -I "$build/wstream" \
  tests/fuzz/fuzz-stream.c tests/differential/engine.c \
  -o "$build/fuzz-stream" $(pkg-config --cflags --libs gio-2.0) \
  -L "$build/wstream" -lwstream-1 -lm -Wl,-rpath,"$PWD/$build/wstream"
mkdir -p "$build/corpus"
export G_SLICE=always-malloc
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
exec "$build/fuzz-stream" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
  -print_final_stats=1 "$@" "$build/corpus" tests/fuzz/corpus
