#!/usr/bin/env bash
# Runs the vTPM front-end fuzzer (TIS + CRB MMIO sequences) for a bounded time
# (FRONTEND_FUZZ_SECONDS, default 15; or FUZZ_RUNS executions under make fuzz) and prints one
# test line: ok if libFuzzer found no crash, leak, UB or broken invariant.
# usage: frontend_fuzz.sh <fuzz-build-dir>   (the build writes a wrapper that passes it)
set -u
. "$(dirname "$0")/libfuzzer.sh"
dir=$1
secs=${FRONTEND_FUZZ_SECONDS:-15}
corpus=$dir/corpus
mkdir -p "$corpus"
fuzz_target "fuzz frontend_fuzz (TIS + CRB MMIO sequences)" "$dir/frontend_fuzz" "$secs" \
  "$dir/frontend_fuzz.log" -timeout=5 -rss_limit_mb=1024 -max_len=4096 \
  -artifact_prefix="$dir/crash-" "$corpus" $(ls -d "$dir/seeds" 2>/dev/null)
