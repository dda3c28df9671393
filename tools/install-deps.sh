#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Installs what wstream needs to build, test and run its examples on Debian 12.
# Run as root. Safe to run again.
set -euo pipefail

packages=(
  meson ninja-build pkg-config gcc clang
  libglib2.0-dev libglib2.0-dev-bin libgirepository1.0-dev gobject-introspection
  python3-gi gjs gi-docgen valgrind
)
# Node's built-in WritableStream is the reference the tests compare with.
if ! command -v node >/dev/null 2>&1; then
  packages+=(nodejs)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
