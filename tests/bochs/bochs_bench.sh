#!/usr/bin/env bash
# Benchmark: VM exits under Bochs (Intel VMX + EPT), one boot, two LPARs: 100000 trapped MMIO
# reads (EPT violation, instruction fetch through the guest page tables, decode, test device,
# write-back) and 100000 trapped port reads.  The hypervisor reports each LPAR's exits and run
# time from the TSC, which under Bochs is emulated time (ips=50M), so the rate is per emulated
# second; the host wall-clock time of the whole Bochs run (BIOS and GRUB included) is printed
# too, as the cost of a run on this machine.
set -u
cd "$(dirname "$0")/../.."
. tests/qemu/exit-rates.sh
B=${BUILD:-build}
for f in "$B/hv/hv.elf" "$B/tests/qemu/exitbench.elf"; do
  [ -f "$f" ] || { echo "bochs_bench: missing $f"; exit 1; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tests/bochs/mkiso.sh "$work/bench.iso" "$B/hv/hv.elf" tests/bochs/exitbench.cfg \
  "$B/tests/qemu/exitbench.elf" || exit 1
start=$(date +%s%N)
tests/bochs/run-bochs.sh "$work/bench.iso" "$work/serial.log" 300 3
end=$(date +%s%N)
echo "VM exits under Bochs 2.7 (vmx+ept, corei7_skylake_x), 100000 trapped accesses per LPAR"
fmt='%-26s %10s %12s %16s\n'
printf "$fmt" "workload" "exits" "emulated ms" "exits/emulated s"
exit_rate_rows "$work/serial.log" "$fmt"
echo "host wall-clock time of the whole Bochs run: $(( (end - start) / 1000000 )) ms"
