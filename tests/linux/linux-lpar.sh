#!/usr/bin/env bash
# Linux in an LPAR under QEMU/SVM (OVMF, swtpm as the PTPM): the guest image of guests/linux
# loaded by the hypervisor with the Linux boot protocol (hv/linux_lpar.c).  Two boots:
#   linux-one         a Linux LPAR on CPU 1 next to a test-guest LPAR on CPU 2: the loader
#                     measured bzImage and initrd into PCR 9, the kernel's decompressor ran
#                     (it programmed the UART from earlyprintk= on the command line we gave it),
#                     the LPAR stops with a reason of its own and the other LPAR passes its
#                     checks.  How far Linux gets is printed (docs/linux-guests.md: today the
#                     kernel proper stops at its first WRMSR, MSR_GS_BASE);
#   linux-bad-initrd  an initrd too large for the LPAR's RAM: the boot stops, naming the LPAR
#                     (the other refusals, such as a corrupt bzImage, take the same path and are
#                     unit-tested: test_linux_boot, test_linux_lpar).
#
#   tests/linux/linux-lpar.sh        (from the top of the tree, after make and make linux-image)
# Environment: BUILD (default build), QEMU_TIMEOUT (seconds per boot, default 120).
set -u
cd "$(dirname "$0")/../.."
B=${BUILD:-build}
T=${QEMU_TIMEOUT:-120}
D=tests/linux
END='anchor: (all lpars stopped|boot stopped|panic)'
ok() { echo "ok - $1"; }
nok() { echo "not ok - $1 $2"; }
for f in "$B/boot/anchor.efi" "$B/hv/hv.elf" "$B/guests/testguest.elf" "$B/linux/bzImage" "$B/linux/initrd.img"; do
  [ -f "$f" ] || { echo "skip - linux-lpar: missing $f (make all linux-image)"; exit 0; }
done
for t in qemu-system-x86_64 swtpm mcopy; do
  command -v $t >/dev/null || { echo "skip - linux-lpar: missing $t"; exit 0; }
done
WORK=$(mktemp -d "${TMPDIR:-/tmp}/anchor-linux-lpar.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
LOGDIR=${TEST_LOG_DIR:-$B/test-logs}/linux-lpar
mkdir -p "$LOGDIR"

# boot NAME CFG [run-qemu options...]: the console, CR and escapes stripped, in $WORK/NAME.txt
boot() {
  local name=$1 cfg=$2
  shift 2
  timeout $((T + 20)) scripts/run-qemu.sh --build "$B" --cfg "$cfg" --log "$WORK/$name.raw" \
    --until "$END" --timeout "$T" "$@" >/dev/null 2>&1
  tr -d '\r' <"$WORK/$name.raw" | sed 's/\x1b\[[0-9;=]*[a-zA-Z]//g' >"$WORK/$name.txt"
  cp "$WORK/$name.txt" "$LOGDIR/$name.log"
}
check() {   # NAME DESCRIPTION STRING
  if grep -aqF -- "$3" "$WORK/$1.txt"; then ok "$1: $2"; else nok "$1: $2" "(no '$3', see $LOGDIR/$1.log)"; fi
}
check_re() {
  if grep -aqE -- "$3" "$WORK/$1.txt"; then ok "$1: $2"; else nok "$1: $2" "(nothing matches '$3', see $LOGDIR/$1.log)"; fi
}

start=$SECONDS
boot linux-one "$D/linux-one.cfg" --smp 3 --image "$B/linux/bzImage" --image "$B/linux/initrd.img" \
  --image "$B/guests/testguest.elf"
n=linux-one
check $n "loader measured the bzImage into PCR 9" \
  "anchor: measured image bzImage into PCR 9 sha256=$(sha256sum "$B/linux/bzImage" | cut -d' ' -f1)"
check $n "loader measured the initrd into PCR 9" \
  "anchor: measured image initrd.img into PCR 9 sha256=$(sha256sum "$B/linux/initrd.img" | cut -d' ' -f1)"
check $n "the Linux LPAR started on cpu 1" "anchor: lpar penguin started on cpu 1"
pio=$(sed -n 's/^anchor: lpar penguin: [0-9]* exits ([0-9]* mmio, \([0-9]*\) pio).*/\1/p' "$WORK/$n.txt")
if [ "${pio:-0}" -ge 8 ]; then ok "$n: the decompressor programmed the UART from our command line ($pio port accesses)"
else nok "$n: the decompressor programmed the UART from our command line" "(${pio:-no} port accesses)"; fi
reason=$(sed -n 's/^anchor: lpar penguin stopped: //p' "$WORK/$n.txt" | head -1)
if [ -n "$reason" ]; then ok "$n: the Linux LPAR stopped with a reason ($reason)"
else nok "$n: the Linux LPAR stopped with a reason" "(see $LOGDIR/$n.log)"; fi
check_re $n "the test-guest LPAR passed its checks alongside" '^\[alpha\] mmio: all [0-9]+ checks passed'
check $n "all lpars stopped" "anchor: all lpars stopped"

boot linux-bad-initrd "$D/linux-bad-initrd.cfg" --smp 2 --image "$B/linux/bzImage" --image "$B/linux/initrd.img"
check_re linux-bad-initrd "refused at boot, naming the LPAR" \
  "anchor.cfg:[0-9]+: lpar penguin: initrd too large for the LPAR's RAM"
check linux-bad-initrd "no LPAR started" "anchor: boot stopped"

echo "# linux-lpar: 2 boots in $((SECONDS - start)) s"
