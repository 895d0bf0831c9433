#!/usr/bin/env bash
# Runs each benchmark suite and shows its table; benchmarks never pass or fail.
set -u
for b in "$@"; do echo "=== $(basename "$b")"; "$b" </dev/null || echo "(benchmark $b exited $?)"; done
