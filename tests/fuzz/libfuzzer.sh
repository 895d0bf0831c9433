# Sourced by the fuzz suites (hv_fuzz.sh, tpm2_fuzz.sh, frontend_fuzz.sh): runs one libFuzzer
# target and prints its test line.
# fuzz_target NAME BINARY SECONDS LOG [libFuzzer options and corpus directories...]
#   Bounded by time (SECONDS, as in make test), or by executions when FUZZ_RUNS is set
#   (make fuzz: -runs=FUZZ_RUNS, no time limit; FUZZ_SECONDS then limits time instead).
#   ok      the target ran out its budget: exit 0 and no sanitizer, leak or libFuzzer report;
#           the line gives the figures (inputs, seconds, executions/s, coverage, peak RSS)
#   not ok  anything else, with the first report lines (as "#" comments) and the log's path
#   skip    the binary was not built (no libFuzzer runtime, or its code has not landed)
fuzz_target() {
  local name=$1 bin=$2 secs=$3 log=$4 rc runs budget start elapsed cov rss eps tmo unit
  shift 4
  if [ ! -x "$bin" ]; then
    echo "skip - $name: not built (needs the libFuzzer runtime, libclang-rt-14-dev)"
    return
  fi
  if [ -n "${FUZZ_RUNS:-}" ]; then
    budget="-runs=$FUZZ_RUNS"
    [ -n "${FUZZ_SECONDS:-}" ] && budget="$budget -max_total_time=$FUZZ_SECONDS"
  else
    budget="-max_total_time=$secs"
  fi
  # libFuzzer's per-input -timeout is wall-clock: under make fuzz (meant for nice 19 on a busy
  # machine) a descheduled process overran the suites' 5-10 s in the allocator, not in the
  # target, and an RSA-3072 CreatePrimary (1.7 s of CPU under ASan) took 62 s at load 31.
  # FUZZ_UNIT_TIMEOUT (make fuzz default 600 s) comes last, so it wins.
  unit=${FUZZ_UNIT_TIMEOUT:-}
  [ -z "$unit" ] && [ -n "${FUZZ_RUNS:-}" ] && unit=600
  # make test: the time budget plus a minute; make fuzz: FUZZ_TIMEOUT (default 12 h) per target
  tmo=${FUZZ_TIMEOUT:-}
  if [ -z "$tmo" ]; then
    if [ -n "${FUZZ_RUNS:-}" ]; then tmo=43200; else tmo=$((secs + 60)); fi
  fi
  start=$(date +%s)
  timeout "$tmo" "$bin" $budget -print_final_stats=1 "$@" ${unit:+-timeout=$unit} >"$log" 2>&1
  rc=$?
  elapsed=$(( $(date +%s) - start ))
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
  rss=$(grep -o 'stat::peak_rss_mb: *[0-9]*' "$log" | grep -o '[0-9]*$')
  cov=$(grep -oE '(DONE|INITED|pulse|NEW|REDUCE) +cov: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+$')
  [ -n "$runs" ] && eps=$(( runs / (elapsed > 0 ? elapsed : 1) ))
  if [ $rc -eq 0 ] && [ -n "$runs" ] &&
     ! grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:' "$log"; then
    echo "ok - $name: $runs inputs in ${elapsed}s (${eps:-?}/s, cov ${cov:-?}, peak RSS ${rss:-?} MB), no crash, leak or UB"
  elif grep -q 'libFuzzer: run interrupted' "$log"; then   # SIGINT: keep the figures so far
    echo "not ok - $name: interrupted after ${runs:-?} inputs in ${elapsed}s (${eps:-?}/s, cov ${cov:-?}), no crash, leak or UB until then"
  else
    echo "not ok - $name: exit $rc: $(grep -m1 -E 'ERROR|runtime error' "$log") (log: $log)"
    grep -A12 -m1 -E 'ERROR|runtime error' "$log" | sed 's/^/#   /'
  fi
}
