#!/usr/bin/env bash
# Runs the decoder, config-parser and guest_walk fuzzers for a bounded time each (HV_FUZZ_SECONDS, default 15)
# and prints one test line per fuzzer: ok if libFuzzer found no crash, leak or UB.
# usage: hv_fuzz.sh <fuzz-build-dir>   (the build writes a wrapper that passes it)
set -u
dir=$1
secs=${HV_FUZZ_SECONDS:-15}
for name in hv_decode_fuzz hv_config_fuzz hv_walk_fuzz; do
  bin=$dir/$name
  if [ ! -x "$bin" ]; then
    echo "skip - fuzz $name: not built (no libFuzzer runtime: install libclang-rt-14-dev)"
    continue
  fi
  corpus=$dir/corpus-$name
  mkdir -p "$corpus"
  log=$dir/$name.log
  "$bin" -max_total_time="$secs" -timeout=5 -rss_limit_mb=1024 -print_final_stats=1 \
    -artifact_prefix="$dir/crash-$name-" "$corpus" $(ls -d "$dir/seeds-$name" 2>/dev/null) \
    >"$log" 2>&1
  rc=$?
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
  if [ $rc -eq 0 ] && [ -n "$runs" ]; then
    echo "ok - fuzz $name: ${secs}s, $runs inputs, no crash"
  else
    echo "not ok - fuzz $name: exit $rc, see $log"
    grep -E 'ERROR|SUMMARY|runtime error' "$log" | head -5
  fi
done
