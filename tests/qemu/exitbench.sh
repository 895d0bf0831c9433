#!/usr/bin/env bash
# Benchmark: VM exits per second under QEMU TCG (SVM + NPT), for trapped MMIO (nested fault,
# instruction fetch through the guest page tables, decode, test device, write-back) and for
# trapped port I/O.  One boot; the hypervisor reports each LPAR's exits and run time (TSC,
# calibrated against the PIT) when it stops.
set -u
cd "$(dirname "$0")/../.."
. tests/qemu/exit-rates.sh
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
fmt='%-34s %10s %10s %12s\n'
printf "$fmt" "workload" "exits" "ms" "exits/s"
exit_rate_rows "$log" "$fmt"
