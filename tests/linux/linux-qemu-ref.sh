#!/usr/bin/env bash
# The Linux guest image (guests/linux) on QEMU's own platform: a plain direct-kernel boot
# (-kernel/-initrd under SeaBIOS, TCG) with QEMU's tpm-crb in front of swtpm.  It proves the
# image and its scenario on a reference PC, independent of Anchor: the kernel binds tpm_crb
# from ACPI, the tpm2-tools scenario passes (the EK certificate swtpm_setup put in NV matches
# the EK) and the SeaBIOS event log replays.  One boot (the
# reboot check, anchor.reboot=1, belongs to the Anchor LPAR tests; it passes here too).
#
#   tests/linux/linux-qemu-ref.sh      (from the top of the tree, after make linux-image)
# Environment: BUILD (default build), LINUX_TIMEOUT (seconds, default 300).
set -u
cd "$(dirname "$0")/../.."
B=${BUILD:-build}
T=${LINUX_TIMEOUT:-300}
IMG=$B/linux

ok() { echo "ok - $1"; }
nok() { echo "not ok - $1 $2"; }
skip() { echo "skip - $1 $2"; }

for f in "$IMG/bzImage" "$IMG/initrd.img"; do
  [ -f "$f" ] || { skip linux-qemu-ref "missing $f (make linux-image)"; exit 0; }
done
for t in qemu-system-x86_64 swtpm; do
  command -v $t >/dev/null || { skip linux-qemu-ref "missing $t"; exit 0; }
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/anchor-linux-ref.XXXXXX")
SWTPM_PID=
trap '[ -n "$SWTPM_PID" ] && kill $SWTPM_PID 2>/dev/null; rm -rf "$WORK"' EXIT
# A manufactured swtpm (EK certificate in NV 0x01c00002 from swtpm's local CA), as a vendor's TPM.
if ! swtpm_setup --tpm2 --tpmstate "$WORK" --create-ek-cert --overwrite >"$WORK/setup.log" 2>&1; then
  skip linux-qemu-ref "swtpm_setup failed: $(tail -n 1 "$WORK/setup.log")"; exit 0
fi
swtpm socket --tpm2 --tpmstate dir="$WORK" --ctrl type=unixio,path="$WORK/swtpm.sock" \
  --flags not-need-init,startup-clear >/dev/null 2>&1 &
SWTPM_PID=$!
for _ in $(seq 50); do [ -S "$WORK/swtpm.sock" ] && break; sleep 0.1; done

LOG=$WORK/console.log
start=$(date +%s.%N)
timeout "$T" qemu-system-x86_64 -machine q35 -accel tcg -m 256M -smp 1 -net none \
  -kernel "$IMG/bzImage" -initrd "$IMG/initrd.img" \
  -append "console=ttyS0" \
  -chardev "socket,id=chrtpm,path=$WORK/swtpm.sock" -tpmdev emulator,id=tpm0,chardev=chrtpm \
  -device tpm-crb,tpmdev=tpm0 \
  -display none -monitor none -serial "file:$LOG"
rc=$?
secs=$(echo "$(date +%s.%N) - $start" | bc 2>/dev/null || echo "?")
tr -d '\r' <"$LOG" >"$LOG.txt"

# QEMU exits by itself when the guest powers off (the scenario's last step).
if [ $rc -eq 0 ]; then ok "linux-ref: powered off by the guest (${secs%.*} s)"
else nok "linux-ref: powered off by the guest" "(qemu exit $rc; timeout ${T}s)"; fi
n=$(grep -c 'anchor-linux: init reached' "$LOG.txt")
if [ "$n" -eq 1 ]; then ok "linux-ref: init reached ($(grep -o 'init reached at [0-9.]* s' "$LOG.txt" | head -1))"
else nok "linux-ref: init reached" "($n times)"; fi
# The guest's own checks, as this suite's lines.
sed -n 's/^anchor-linux: \(ok\|not ok\|skip\) - /\1 - linux-ref: /p' "$LOG.txt"
if grep -q 'anchor-linux: scenario done: [0-9]* passed, 0 failed' "$LOG.txt"; then
  ok "linux-ref: scenario complete"
else
  nok "linux-ref: scenario complete" "$(grep 'scenario done' "$LOG.txt" || tail -n 5 "$LOG.txt" | tr '\n' ' ')"
fi
