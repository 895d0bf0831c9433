#!/usr/bin/env bash
# Boots an ISO (tests/bochs/mkiso.sh) in Bochs with Intel VMX + EPT (cpu model
# corei7_skylake_x), headless, COM1 to a file, and stops Bochs as soon as the hypervisor says it
# is done ("anchor: all lpars stopped", "anchor: boot stopped", "anchor: panic") or after the
# time limit.  Bochs always exits 1, so callers judge the run by the serial log only.
# BOCHS_STREAM=1 also copies the console to stdout as it comes.  Bochs's own log goes next to
# the serial log (SERIAL_LOG minus .log, plus .bochs.log).  Exit status 0 if the hypervisor
# printed its final line.
#   run-bochs.sh ISO SERIAL_LOG [SECONDS] [CPUS]
set -u
[ $# -ge 2 ] || { echo "usage: $0 ISO SERIAL_LOG [SECONDS] [CPUS]" >&2; exit 2; }
iso=$(realpath "$1") serial=$2 limit=${3:-60} cpus=${4:-2}
command -v bochs >/dev/null || { echo "bochs is not installed (scripts/deps.sh)" >&2; exit 2; }
mkdir -p "$(dirname "$serial")"
serial=$(realpath "$serial")
bochs_log=${serial%.log}.bochs.log
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rm -f "$serial"
: >"$serial"

# Every EPT violation is an "error" to Bochs (one log line each, ~100k/s): ignore them per CPU
# (naming a CPU Bochs does not have crashes it).
quiet=""
# BOCHS_CPU_ERRORS=1 keeps them (and Bochs's "VMENTER FAIL: <check>" lines, same level).
if [ -z "${BOCHS_CPU_ERRORS:-}" ]; then
  for ((i = 0; i < cpus; i++)); do quiet="$quiet, cpu$i=ignore"; done
fi

cat >"$work/bochsrc" <<RC
megs: 256
cpu: model=corei7_skylake_x, count=$cpus, ips=50000000, reset_on_triple_fault=0
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/seabios/vgabios-isavga.bin
ata0-master: type=cdrom, path="$iso", status=inserted
boot: cdrom
display_library: rfb, options="timeout=0"
sound: driver=dummy
speaker: enabled=0
com1: enabled=1, mode=file, dev="$serial"
clock: sync=none, time0=local
log: $bochs_log
error: action=report$quiet
info: action=report
debug: action=ignore
panic: action=fatal
RC
echo c >"$work/rc"

timeout "$limit" bochs -q -f "$work/bochsrc" -rc "$work/rc" </dev/null >"$work/stdout" 2>&1 &
pid=$!
if [ -n "${BOCHS_STREAM:-}" ]; then
  tail -n +1 -f --pid="$pid" "$serial" | tr -d '\r' &
fi
done_re='anchor: (all lpars stopped|boot stopped|panic)'
while kill -0 "$pid" 2>/dev/null; do
  if grep -Eq "$done_re" "$serial"; then
    sleep 0.3            # let the last line reach the file
    kill "$pid" 2>/dev/null
    break
  fi
  sleep 0.2
done
wait "$pid" 2>/dev/null
[ -z "${BOCHS_STREAM:-}" ] || sleep 1.2   # tail --pid notices the end within a second
grep -Eq "$done_re" "$serial"
