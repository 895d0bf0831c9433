#!/usr/bin/env bash
# build-lib.sh OUT.a "CC FLAGS..." SRC...  — compiles every source (in parallel) into a static archive.
set -euo pipefail
out=$1; cc=$2; shift 2
objdir=$out.objs
rm -rf "$objdir"; mkdir -p "$objdir"
jobs=$(nproc)
printf '%s\n' "$@" | xargs -P "$jobs" -I{} sh -c 'o="$1/$(echo "$2" | tr / _).o"; $3 -c "$2" -o "$o"' _ "$objdir" {} "$cc"
rm -f "$out"
ar rcs "$out" "$objdir"/*.o
