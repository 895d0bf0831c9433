#!/usr/bin/env bash
# Runs every test suite given on the command line and totals their results.
# A suite is an executable that prints one line per check:
#   ok - <name>          passed
#   not ok - <name>      failed (anything else on the line is the reason)
#   skip - <name>        not applicable here (counted, never as a pass)
# A suite that exits non-zero without printing a failure counts as one failure, so a crash
# is never silent.  The last line is the CI summary: "N passed, N failed".
set -u
pass=0 fail=0 skip=0
log_dir=${TEST_LOG_DIR:-build/test-logs}
mkdir -p "$log_dir"
for suite in "$@"; do
  name=$(basename "$suite")
  echo "=== $name"
  out="$log_dir/$name.log"
  start=$(date +%s)
  "$suite" >"$out" 2>&1 </dev/null
  rc=$?
  secs=$(( $(date +%s) - start ))
  p=$(grep -c '^ok - ' "$out")
  f=$(grep -c '^not ok - ' "$out")
  s=$(grep -c '^skip - ' "$out")
  grep -E '^(ok|not ok|skip) - ' "$out"
  echo "--- $name: ${secs}s"
  if [ "$f" -gt 0 ] || [ "$rc" -ne 0 ]; then
    echo "--- $name: last lines of $out (exit $rc)"
    tail -n 25 "$out" | sed 's/^/    /'
  fi
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
    echo "not ok - $name exited $rc"
    f=1
  fi
  pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + s))
done
echo
if [ "$skip" -gt 0 ]; then
  echo "$pass passed, $fail failed, $skip skipped"
else
  echo "$pass passed, $fail failed"
fi
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
