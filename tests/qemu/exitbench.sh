#!/usr/bin/env bash
# Benchmark: VM exits per second under QEMU TCG (SVM + NPT), for trapped MMIO (nested fault,
# instruction fetch through the guest page tables, decode, test device, write-back) and for
# trapped port I/O.  One boot; the hypervisor reports each LPAR's exits and run time (TSC,
# calibrated against the PIT) when it stops.
set -u
cd "$(dirname "$0")/../.."
B=${BUILD:-build}
for f in "$B/boot/anchor.efi" "$B/hv/hv.elf" "$B/tests/qemu/exitbench.elf"; do
  [ -f "$f" ] || { echo "exitbench: missing $f"; exit 1; }
done
log=$(mktemp)
trap 'rm -f "$log"' EXIT
timeout 120 scripts/run-qemu.sh --build "$B" --cfg tests/qemu/exitbench.cfg \
  --image "$B/tests/qemu/exitbench.elf" --log "$log" \
  --until 'anchor: (all lpars stopped|boot stopped|panic)' --timeout 100 >/dev/null 2>&1
echo "VM exits under QEMU TCG (svm+npt), 100000 trapped accesses per LPAR"
printf '%-34s %10s %10s %12s\n' "workload" "exits" "ms" "exits/s"
for l in alpha:mmio beta:pio; do
  name=${l%%:*}; kind=${l#*:}
  line=$(tr -d '\r' <"$log" | grep -a -m1 "anchor: lpar $name: [0-9]* exits")
  exits=$(echo "$line" | sed -n 's/.*: \([0-9]*\) exits .*/\1/p')
  ms=$(echo "$line" | sed -n 's/.* in \([0-9]*\) ms.*/\1/p')
  if [ -z "$exits" ] || [ -z "$ms" ] || [ "$ms" -eq 0 ]; then
    printf '%-34s %10s\n' "$kind ($name)" "no result"
    continue
  fi
  printf '%-34s %10s %10s %12s\n' "$kind reads ($name)" "$exits" "$ms" "$((exits * 1000 / ms))"
done
