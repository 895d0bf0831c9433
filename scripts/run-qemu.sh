#!/usr/bin/env bash
# Boots Anchor under QEMU (TCG, AMD SVM + NPT, OVMF, swtpm as the physical TPM).
#
#   scripts/run-qemu.sh [options]
#     --cfg FILE        anchor.cfg to put on the ESP (default: boot/demo/anchor.cfg)
#     --image FILE      a guest image to put on the ESP (repeatable; default: the test guest)
#     --tpm crb|tis|none  the physical TPM QEMU emulates (default: crb)
#     --tpmstate DIR    keep swtpm's state in DIR (reused by the next boot; default: fresh)
#     --smp N           CPUs (default: 3)
#     --mem SIZE        RAM (default: 1G)
#     --log FILE        copy the serial console to FILE (default: only the terminal)
#     --until REGEX     batch mode: stop QEMU as soon as the console matches REGEX (needs --log)
#     --timeout S       batch mode: give up after S seconds (default: 60)
#     --gdb             start QEMU halted with its gdbstub on :1234 (-s -S)
#     --build DIR       build directory (default: build)
#     --preload FILE@ADDR  put FILE into guest RAM at ADDR before the firmware runs (repeatable;
#                       QEMU's loader device), e.g. to leave stale data where an LPAR will live
# Interactive by default: the console is this terminal (quit with Ctrl-A X).
set -euo pipefail

cd "$(dirname "$0")/.."
BUILD=build
CFG=boot/demo/anchor.cfg
IMAGES=()
TPM=crb
TPMSTATE=
SMP=3
MEM=1G
LOG=
UNTIL=
TIMEOUT=60
GDB=()
PRELOAD=()
while [ $# -gt 0 ]; do
  case "$1" in
    --cfg) CFG=$2; shift 2 ;;
    --image) IMAGES+=("$2"); shift 2 ;;
    --tpm) TPM=$2; shift 2 ;;
    --tpmstate) TPMSTATE=$2; shift 2 ;;
    --smp) SMP=$2; shift 2 ;;
    --mem) MEM=$2; shift 2 ;;
    --log) LOG=$2; shift 2 ;;
    --until) UNTIL=$2; shift 2 ;;
    --timeout) TIMEOUT=$2; shift 2 ;;
    --gdb) GDB=(-s -S); shift ;;
    --build) BUILD=$2; shift 2 ;;
    --preload) PRELOAD+=(-device "loader,file=${2%@*},addr=${2##*@},force-raw=on"); shift 2 ;;
    *) echo "run-qemu.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[ ${#IMAGES[@]} -gt 0 ] || IMAGES=("$BUILD/guests/testguest.elf")

OVMF_CODE=/usr/share/OVMF/OVMF_CODE_4M.fd
OVMF_VARS=/usr/share/OVMF/OVMF_VARS_4M.fd
for f in "$BUILD/boot/anchor.efi" "$BUILD/hv/hv.elf" "$CFG" "${IMAGES[@]}" "$OVMF_CODE"; do
  [ -f "$f" ] || { echo "run-qemu.sh: missing $f (run make first)" >&2; exit 2; }
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/anchor-qemu.XXXXXX")
SWTPM_PID= QEMU_PID=
cleanup() {
  [ -n "$QEMU_PID" ] && kill "$QEMU_PID" 2>/dev/null || true
  [ -n "$SWTPM_PID" ] && kill "$SWTPM_PID" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

# The ESP: a FAT image with the loader as the removable-media default, hv.elf, the config and
# the guest images at the root.
ESP=$WORK/esp.img
mformat -i "$ESP" -C -T 131072 -h 64 -s 32 -F :: >/dev/null
mmd -i "$ESP" ::/EFI ::/EFI/BOOT
mcopy -i "$ESP" "$BUILD/boot/anchor.efi" ::/EFI/BOOT/BOOTX64.EFI
mcopy -i "$ESP" "$BUILD/hv/hv.elf" ::/hv.elf
mcopy -i "$ESP" "$CFG" ::/anchor.cfg
for img in "${IMAGES[@]}"; do mcopy -o -i "$ESP" "$img" "::/$(basename "$img")"; done
cp "$OVMF_VARS" "$WORK/vars.fd"

TPM_ARGS=()
if [ "$TPM" != none ]; then
  mkdir -p "$WORK/tpm" "${TPMSTATE:=$WORK/tpm}"
  swtpm socket --tpm2 --tpmstate dir="$TPMSTATE" --ctrl type=unixio,path="$WORK/tpm/swtpm.sock" \
    --flags not-need-init,startup-clear >/dev/null 2>&1 &
  SWTPM_PID=$!
  for _ in $(seq 50); do [ -S "$WORK/tpm/swtpm.sock" ] && break; sleep 0.1; done
  case "$TPM" in
    crb) dev=tpm-crb ;;
    tis) dev=tpm-tis ;;
    *) echo "run-qemu.sh: --tpm crb|tis|none" >&2; exit 2 ;;
  esac
  TPM_ARGS=(-chardev "socket,id=chrtpm,path=$WORK/tpm/swtpm.sock" -tpmdev emulator,id=tpm0,chardev=chrtpm
            -device "$dev,tpmdev=tpm0")
fi

QEMU=(qemu-system-x86_64 -machine q35 -accel tcg -cpu qemu64,+svm,+npt -smp "$SMP" -m "$MEM"
      -drive "if=pflash,format=raw,unit=0,readonly=on,file=$OVMF_CODE"
      -drive "if=pflash,format=raw,unit=1,file=$WORK/vars.fd"
      -drive "format=raw,file=$ESP,if=none,id=d0" -device virtio-blk-pci,drive=d0,bootindex=1
      -no-reboot -net none "${TPM_ARGS[@]}" "${GDB[@]}" "${PRELOAD[@]}")

if [ -z "$UNTIL" ]; then
  if [ -n "$LOG" ]; then
    "${QEMU[@]}" -nographic -serial mon:stdio | tee "$LOG"
  else
    "${QEMU[@]}" -nographic -serial mon:stdio
  fi
  exit 0
fi

# Batch mode: the console goes to the log; stop at the first line matching UNTIL.
[ -n "$LOG" ] || { echo "run-qemu.sh: --until needs --log" >&2; exit 2; }
: >"$LOG"
"${QEMU[@]}" -display none -monitor none -serial "file:$LOG" &
QEMU_PID=$!
deadline=$((SECONDS + TIMEOUT))
while kill -0 "$QEMU_PID" 2>/dev/null; do
  if tr -d '\r' <"$LOG" | grep -aEq "$UNTIL"; then
    sleep 0.3   # let the rest of the burst reach the log
    exit 0
  fi
  if [ $SECONDS -ge $deadline ]; then
    echo "run-qemu.sh: timeout after ${TIMEOUT}s" >&2
    exit 124
  fi
  sleep 0.2
done
tr -d '\r' <"$LOG" | grep -aEq "$UNTIL" && exit 0
exit 1
