#!/usr/bin/env bash
# Runs anchoring's fuzzer (TPM responses into vtpm/anchor/tpmcmd.c) for a bounded time
# (ANCHOR_FUZZ_SECONDS, default 10; or FUZZ_RUNS executions under make fuzz).
# usage: anchor_fuzz.sh <fuzz-build-dir>   (the build writes a wrapper that passes it)
set -u
. "$(dirname "$0")/libfuzzer.sh"
dir=$1
secs=${ANCHOR_FUZZ_SECONDS:-10}
mkdir -p "$dir/corpus"
fuzz_target "fuzz anchor_tpmc_fuzz (TPM responses into anchoring's command layer)" \
  "$dir/anchor_tpmc_fuzz" "$secs" "$dir/anchor_tpmc_fuzz.log" -timeout=5 -rss_limit_mb=1024 \
  -max_len=8192 -artifact_prefix="$dir/crash-" "$dir/corpus"
