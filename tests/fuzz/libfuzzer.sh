# Sourced by the fuzz suites (hv_fuzz.sh, tpm2_fuzz.sh): runs one libFuzzer target for a bounded
# time and prints its test line.
# fuzz_target NAME BINARY SECONDS LOG [libFuzzer options and corpus directories...]
#   ok      the target ran out its time: exit 0 and no sanitizer, leak or libFuzzer report
#   not ok  anything else, with the first report lines (as "#" comments) and the log's path
#   skip    the binary was not built (no libFuzzer runtime, or its code has not landed)
fuzz_target() {
  local name=$1 bin=$2 secs=$3 log=$4 rc runs
  shift 4
  if [ ! -x "$bin" ]; then
    echo "skip - $name: not built (needs the libFuzzer runtime, libclang-rt-14-dev)"
    return
  fi
  timeout $((secs + 60)) "$bin" -max_total_time="$secs" -print_final_stats=1 "$@" >"$log" 2>&1
  rc=$?
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
  if [ $rc -eq 0 ] && [ -n "$runs" ] &&
     ! grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:' "$log"; then
    echo "ok - $name: ${secs}s, $runs inputs, no crash, leak or UB"
  else
    echo "not ok - $name: exit $rc: $(grep -m1 -E 'ERROR|runtime error' "$log") (log: $log)"
    grep -A12 -m1 -E 'ERROR|runtime error' "$log" | sed 's/^/#   /'
  fi
}
