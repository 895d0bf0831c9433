#!/usr/bin/env bash
# Benchmark (make bench): the vTPM as the test guest's Linux-like drivers see it under QEMU TCG
# (SVM + NPT, swtpm as the physical TPM), N GetRandom(32) per LPAR (guests/testguest mode
# tpm-bench: 12-byte command, 44-byte response).  Three boots: the TIS alone, the CRB alone,
# then both at once.  Prints per LPAR:
#   - VM exits per command from the hypervisor's counters (its MMIO exits less the guest's probe
#     accesses, over N) against the targets: CRB <= 6 (the writes Linux's tpm_crb must make),
#     TIS <= command + response bytes + 16 = 72; and the driver's register accesses per command;
#   - commands per second (N over the LPAR's run time, console output included);
#   - the HTPM's queue wait and engine time per command (hv/htpm.c's line when an LTPM is
#     destroyed) and their ratio against the target queue <= 10 % of engine time (alone: the
#     overhead of queueing; together: also the other LPAR's commands ahead in the FIFO);
#   - the boot time anchoring adds, for the platform and per LPAR (hv/anchoring.c's lines).
# Benchmarks never pass or fail; "no result" says what was missing.
set -u
cd "$(dirname "$0")/../.."
B=${BUILD:-build}
N=${VTPM_BENCH_N:-200}
for f in "$B/boot/anchor.efi" "$B/hv/hv.elf" "$B/guests/testguest.elf"; do
  [ -f "$f" ] || { echo "vtpm-bench: missing $f"; exit 1; }
done
strings -a "$B/hv/hv.elf" | grep -qx interface || { echo "vtpm-bench: this hv.elf has no vTPM (HTPM)"; exit 0; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
logs=${TEST_LOG_DIR:-$B/test-logs}/vtpm-bench
mkdir -p "$logs"

lpar() {   # NAME CPU BASE INTERFACE
  printf '[lpar %s]\nuuid      = 0b1e7a52-4c3d-4f0e-9a8b-1c2d3e4f5a%02x\ncpu       = %s\n' "$1" "$2" "$2"
  printf 'memory    = %s 32M\nimage     = testguest.elf\nargs      = tpm-bench %s\n' "$3" "$N"
  printf 'tpm       = vtpm\ninterface = %s\n\n' "$4"
}
boot() {   # NAME: boots $work/NAME.cfg, console in $work/NAME.txt
  timeout 300 scripts/run-qemu.sh --build "$B" --cfg "$work/$1.cfg" --image "$B/guests/testguest.elf" \
    --log "$work/$1.raw" --until 'anchor: (all lpars stopped|boot stopped|panic)' --timeout 280 \
    >/dev/null 2>&1
  tr -d '\r' <"$work/$1.raw" >"$work/$1.txt"
  cp "$work/$1.txt" "$logs/$1.log"
}

fmt='%-18s %-5s %9s %7s %6s %9s %8s %9s %8s %9s %7s\n'
row() {   # BOOT LPAR INTERFACE TARGET
  local log=$work/$1.txt name=$2 g h s
  g=$(grep -a -m1 "^\[$name\] vtpm: bench $N GetRandom(32)" "$log")
  h=$(grep -a -m1 "^anchor: lpar $name: [0-9]* exits" "$log")
  s=$(grep -a -m1 "^anchor: lpar $name vtpm [a-z]*: [0-9]* commands" "$log")
  if [ -z "$g" ] || [ -z "$h" ]; then
    printf "%-18s %-5s %s\n" "$1 ($name)" "$3" "no result (see $logs/$1.log)"
    return
  fi
  field() { echo "$1" | sed -n "s/.*$2.*/\\1/p"; }
  awk -v reads="$(field "$g" ': \([0-9]*\) reads')" -v writes="$(field "$g" ' \([0-9]*\) writes')" \
      -v setup="$(field "$g" 'setup \([0-9]*\) accesses')" -v mmio="$(field "$h" '(\([0-9]*\) mmio')" \
      -v loop="$(field "$g" 'accesses, \([0-9]*\) tsc of')" -v mode="$(field "$g" 'tsc of \([0-9]*\) in')" \
      -v ms="$(field "$h" ' in \([0-9]*\) ms')" -v c="$(field "$s" ': \([0-9]*\) commands')" \
      -v w="$(field "$s" 'queue wait avg \([0-9]*\) us')" -v wmax="$(field "$s" 'max \([0-9]*\) us')" \
      -v e="$(field "$s" 'engine avg \([0-9]*\) us')" -v o="$(field "$s" 'htpm overhead avg \([0-9]*\) ns')" \
      -v n="$N" -v t="$4" -v f="$fmt" -v l="$1 ($name)" -v i="$3" 'BEGIN {
      x = (mmio - setup) / n; if (x < 0) x = mmio / n
      # the loop s time: its TSC ticks at the rate the mode s ticks took over the LPAR s life
      rate = "-"; if (ms > 0 && mode > 0 && loop > 0) rate = sprintf("%.0f", n * 1000 / (loop * ms / mode))
      # queue wait without the longest one (the uncounted first command may wait for anchoring)
      qa = "-"; q = "-"
      if (w != "" && c > 1) { qa = (w * c - wmax) / (c - 1); if (qa < 0) qa = 0 }
      if (qa != "" && qa != "-" && e + 0 > 0) q = sprintf("%.2f", qa / e)
      if (qa != "-") qa = sprintf("%.0f", qa)
      if (e == "") e = "-"
      ov = "-"; if (o != "") ov = sprintf("%.1f", o / 1000)
      printf f, l, i, sprintf("%.1f", x), t, sprintf("%.2f", x / t),
             sprintf("%.1f", (reads + writes) / n), rate, qa, ov, e, q
    }'
}

lpar alpha 1 0x20000000 tis >"$work/tis-alone.cfg"
lpar beta 2 0x24000000 crb >"$work/crb-alone.cfg"
{ lpar alpha 1 0x20000000 tis; lpar beta 2 0x24000000 crb; } >"$work/together.cfg"
for b in tis-alone crb-alone together; do boot $b; done

echo "vTPM under QEMU TCG (svm+npt): $N GetRandom(32) per LPAR (12 + 44 bytes) through the test"
echo "guest's Linux-like drivers; exits/cmd from the hypervisor's MMIO exit count; per command from"
echo "the HTPM: queue wait (without the longest: the first command's, which may wait for another"
echo "LPAR's anchoring), the HTPM's own overhead, engine time; target queue/engine <= 0.10"
printf "$fmt" "boot (lpar)" "intf" "exits/cmd" "target" "ratio" "accs/cmd" "cmds/s" "queue us" "ovh us" "engine us" "q/e"
row tis-alone alpha tis 72
row crb-alone beta crb 6
row together alpha tis 72
row together beta crb 6
# Boot time anchoring adds (hv/anchoring.c): once for the platform (the pSK, the platform CA),
# then per LPAR (seeds from the PTPM, both EKs, their certificates signed through the PTPM).
echo "boot time added by anchoring (boot 'together'):"
log=$work/together.txt
line=$(grep -a -m1 '^anchor: anchoring ready in' "$log")
echo "  platform: ${line:-no result (no 'anchor: anchoring ready' line)}" | sed 's/anchor: //'
for name in alpha beta; do
  line=$(grep -a -m1 "^anchor: lpar $name anchored in" "$log")
  echo "  lpar $name: ${line:-no result}" | sed "s/anchor: lpar $name //"
done
