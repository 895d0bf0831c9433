#!/usr/bin/env bash
# The front-ends as the hypervisor links them (FREE_CC/FREE_CFLAGS): every object must need
# nothing from outside but lib/'s memcpy/memset (no libc, no compiler runtime, no globals).
# usage: frontend_freestanding.sh <object>...
set -u
for obj in "$@"; do
  name=$(basename "$obj")
  if [ ! -f "$obj" ]; then
    echo "not ok - freestanding $name: not built"
    continue
  fi
  extra=$(nm -u "$obj" | awk '{print $2}' | grep -vxE 'memcpy|memset' | tr '\n' ' ')
  if [ -z "$extra" ]; then
    echo "ok - freestanding $name: needs only memcpy/memset"
  else
    echo "not ok - freestanding $name: undefined $extra"
  fi
  data=$(nm "$obj" | awk '$2 ~ /^[bBdD]$/ {print $3}' | tr '\n' ' ')
  if [ -z "$data" ]; then
    echo "ok - freestanding $name: no global or static data (contexts are caller-owned)"
  else
    echo "not ok - freestanding $name: has data $data"
  fi
done
