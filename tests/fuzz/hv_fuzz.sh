#!/usr/bin/env bash
# Runs the decoder, config-parser and guest_walk fuzzers for a bounded time each (HV_FUZZ_SECONDS, default 15)
# and prints one test line per fuzzer: ok if libFuzzer found no crash, leak or UB.
# usage: hv_fuzz.sh <fuzz-build-dir>   (the build writes a wrapper that passes it)
set -u
. "$(dirname "$0")/libfuzzer.sh"
dir=$1
secs=${HV_FUZZ_SECONDS:-15}
for name in hv_decode_fuzz hv_config_fuzz hv_walk_fuzz; do
  corpus=$dir/corpus-$name
  mkdir -p "$corpus"
  fuzz_target "fuzz $name" "$dir/$name" "$secs" "$dir/$name.log" -timeout=5 -rss_limit_mb=1024 \
    -artifact_prefix="$dir/crash-$name-" "$corpus" $(ls -d "$dir/seeds-$name" 2>/dev/null)
done
