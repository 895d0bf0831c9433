#!/usr/bin/env bash
# Unpacks Debian's bearssl source package into $1 (needs deb-src; scripts/deps.sh enables it).
set -euo pipefail
dest=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && apt-get source -qq bearssl >/dev/null 2>&1) || {
  echo "fetch-bearssl: 'apt-get source bearssl' failed; run scripts/deps.sh (enables deb-src)" >&2
  exit 1
}
rm -rf "$dest"
mv "$tmp"/bearssl-*/ "$dest"
