#!/usr/bin/env bash
# Runs the vTPM front-end fuzzer for a bounded time (FRONTEND_FUZZ_SECONDS, default 15) and prints
# one test line: ok if libFuzzer found no crash, leak, UB or broken invariant.
# usage: frontend_fuzz.sh <fuzz-build-dir>   (the build writes a wrapper that passes it)
set -u
dir=$1
secs=${FRONTEND_FUZZ_SECONDS:-15}
bin=$dir/frontend_fuzz
if [ ! -x "$bin" ]; then
  echo "skip - fuzz frontend_fuzz: not built (no libFuzzer runtime: install libclang-rt-14-dev)"
  exit 0
fi
corpus=$dir/corpus
mkdir -p "$corpus"
log=$dir/frontend_fuzz.log
"$bin" -max_total_time="$secs" -timeout=5 -rss_limit_mb=1024 -max_len=4096 -print_final_stats=1 \
  -artifact_prefix="$dir/crash-" "$corpus" $(ls -d "$dir/seeds" 2>/dev/null) >"$log" 2>&1
rc=$?
runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
if [ $rc -eq 0 ] && [ -n "$runs" ]; then
  echo "ok - fuzz frontend_fuzz (TIS + CRB MMIO sequences): ${secs}s, $runs inputs, no crash"
else
  echo "not ok - fuzz frontend_fuzz: exit $rc, see $log"
  grep -E 'ERROR|SUMMARY|runtime error|deadly' "$log" | head -5
  exit 1
fi
