#!/usr/bin/env bash
# QEMU/SVM integration tests of the hypervisor: the real loader (anchor.efi under OVMF), the
# real hv.elf, swtpm as the physical TPM, the test guest on two CPUs.  One boot per scenario,
# run one after the other; each boot ends as soon as the console shows its final line.
#
#   tests/qemu/qemu-svm.sh            (from the top of the tree, after `make all`)
# Environment: BUILD (default build), QEMU_TIMEOUT (seconds per boot, default 90).
set -u
cd "$(dirname "$0")/../.."
B=${BUILD:-build}
T=${QEMU_TIMEOUT:-90}
Q=tests/qemu
GUEST=$B/guests/testguest.elf
END='anchor: (all lpars stopped|boot stopped|panic)'
# What the test guest prints when all its MMIO checks passed (guests/testguest), after "[name] ".
GUEST_OK='mmio: all [0-9]+ checks passed'


ok() { echo "ok - $1"; }
nok() { echo "not ok - $1 $2"; }
skip() { echo "skip - $1 $2"; }

need_tools() {
  for t in qemu-system-x86_64 swtpm mcopy mformat python3; do
    command -v "$t" >/dev/null || { echo "missing $t"; return 1; }
  done
  [ -f /usr/share/OVMF/OVMF_CODE_4M.fd ] || { echo "missing OVMF"; return 1; }
  for f in "$B/boot/anchor.efi" "$B/hv/hv.elf" "$GUEST"; do
    [ -f "$f" ] || { echo "missing $f"; return 1; }
  done
}
if ! why=$(need_tools); then
  skip qemu-svm "$why"
  exit 0
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/anchor-qemu-test.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
# Boot a snapshot of the build, so the files the PCRs are recomputed from are the files booted
# even if the tree is rebuilt meanwhile.
mkdir -p "$WORK/b/boot" "$WORK/b/hv" "$WORK/b/guests"
cp "$B/boot/anchor.efi" "$WORK/b/boot/"
cp "$B/hv/hv.elf" "$WORK/b/hv/"
cp "$GUEST" "$WORK/b/guests/"
LOGDIR=${TEST_LOG_DIR:-$B/test-logs}/qemu-svm
B=$WORK/b
GUEST=$B/guests/testguest.elf
mkdir -p "$LOGDIR"

# boot NAME CFG [run-qemu options...]: boots, leaves the console (CR stripped) in $WORK/NAME.txt
boot() {
  local name=$1 cfg=$2
  shift 2
  timeout $((T + 20)) scripts/run-qemu.sh --build "$B" --cfg "$cfg" --image "$GUEST" \
    --log "$WORK/$name.raw" --until "$END" --timeout "$T" "$@" >/dev/null 2>&1
  local rc=$?
  tr -d '\r' <"$WORK/$name.raw" | sed 's/\x1b\[[0-9;=]*[a-zA-Z]//g' >"$WORK/$name.txt"
  cp "$WORK/$name.txt" "$LOGDIR/$name.log"
  return $rc
}
has() { grep -aqF -- "$2" "$WORK/$1.txt"; }
# check_re NAME DESCRIPTION REGEX
check_re() {
  if grep -aqE -- "$3" "$WORK/$1.txt"; then ok "$1: $2"; else nok "$1: $2" "(nothing matches '$3', see $LOGDIR/$1.log)"; fi
}
check_not_re() {
  if grep -aqE -- "$3" "$WORK/$1.txt"; then nok "$1: $2" "('$3' matched, see $LOGDIR/$1.log)"; else ok "$1: $2"; fi
}
# check NAME DESCRIPTION STRING: the console of boot NAME contains STRING
check() {
  if has "$1" "$3"; then ok "$1: $2"; else nok "$1: $2" "(no '$3' on the console, see $LOGDIR/$1.log)"; fi
}
check_not() {
  if has "$1" "$3"; then nok "$1: $2" "('$3' on the console, see $LOGDIR/$1.log)"; else ok "$1: $2"; fi
}
# line_value NAME PREFIX: the rest of the first console line starting with PREFIX
line_value() { grep -a -m1 -F -- "$2" "$WORK/$1.txt" | sed "s/^.*$2//" | tr -d ' '; }

# The PCRs as the loader extends them (docs/hypervisor.md): PCR 8 = hv.elf; PCR 9 = anchor.cfg,
# then each distinct image in the order anchor.cfg names them.  extend(p, d) = sha256(p || d).
expected_pcrs() {
  python3 - "$@" <<'PY'
import hashlib, sys
def ext(p, f):
    return hashlib.sha256(p + hashlib.sha256(open(f, 'rb').read()).digest()).digest()
hv, cfg, images = sys.argv[1], sys.argv[2], sys.argv[3:]
p8 = ext(b'\0' * 32, hv)
p9 = ext(b'\0' * 32, cfg)
for i in images:
    p9 = ext(p9, i)
print(p8.hex(), p9.hex())
PY
}

two_lpars_ran() {   # NAME: both LPARs started on their CPUs and passed their checks
  local n=$1
  check "$n" "lpar alpha started on cpu 1" "anchor: lpar alpha started on cpu 1"
  check "$n" "lpar beta started on cpu 2" "anchor: lpar beta started on cpu 2"
  check_re "$n" "alpha passed its MMIO checks" "^\[alpha\] $GUEST_OK"
  check_re "$n" "beta passed its MMIO checks" "^\[beta\] $GUEST_OK"
  check "$n" "alpha halted" "anchor: lpar alpha stopped: halted"
  check "$n" "beta halted" "anchor: lpar beta stopped: halted"
  check "$n" "all lpars stopped" "anchor: all lpars stopped"
}

pcr_check() {   # NAME: PCR 8 and 9 read back from the PTPM equal the host's recomputation
  local n=$1 exp p8 p9
  exp=$(expected_pcrs "$B/hv/hv.elf" "$Q/two-lpars.cfg" "$GUEST")
  p8=$(line_value "$n" "anchor: pcr 8 = ")
  p9=$(line_value "$n" "anchor: pcr 9 = ")
  if [ "$p8" = "${exp% *}" ]; then ok "$n: PCR 8 read back = sha256 chain over hv.elf"
  else nok "$n: PCR 8 read back = sha256 chain over hv.elf" "(got '$p8', want ${exp% *})"; fi
  if [ "$p9" = "${exp#* }" ]; then ok "$n: PCR 9 read back = sha256 chain over anchor.cfg, testguest.elf"
  else nok "$n: PCR 9 read back = sha256 chain over anchor.cfg, testguest.elf" "(got '$p9', want ${exp#* })"; fi
  check "$n" "the copied TCG2 event log replays to PCR 8" "replays to PCR 8"
  check "$n" "the copied TCG2 event log replays to PCR 9" "replays to PCR 9"
  check "$n" "log + final events replay the firmware's PCRs 0-7" "anchor: event log replays to PCRs 0-7"
  local h
  h=$(sha256sum "$B/hv/hv.elf" | cut -d' ' -f1)
  check "$n" "hv.elf measurement line" "anchor: measured hypervisor into PCR 8 sha256=$h"
  h=$(sha256sum "$Q/two-lpars.cfg" | cut -d' ' -f1)
  check "$n" "anchor.cfg measurement line" "anchor: measured config into PCR 9 sha256=$h"
}

# ---- 1. two LPARs, CRB physical TPM ----
boot two-lpars-crb "$Q/two-lpars.cfg" --tpm crb
two_lpars_ran two-lpars-crb
pcr_check two-lpars-crb

# ---- 2. the same with a TIS physical TPM ----
boot two-lpars-tis "$Q/two-lpars.cfg" --tpm tis
check_re two-lpars-tis "both LPARs passed their checks" "^\[beta\] $GUEST_OK"
check_re two-lpars-tis "alpha passed its checks" "^\[alpha\] $GUEST_OK"
pcr_check two-lpars-tis

# ---- 3. no TPM at all: loud warning, the LPARs still run ----
boot no-tpm "$Q/two-lpars.cfg" --tpm none
check no-tpm "the loader warns" "anchor: WARNING: no TPM"
check no-tpm "the hypervisor warns" "anchor: WARNING: no physical TPM"
check_not no-tpm "no PCR is claimed" "anchor: pcr 8 ="
check_re no-tpm "LPARs still run" "^\[beta\] $GUEST_OK"

# ---- 3b. an LPAR on CPU 0 shares the BSP ----
boot three-lpars "$Q/three-lpars.cfg"
check three-lpars "gamma started on the BSP" "anchor: lpar gamma started on cpu 0"
check_re three-lpars "gamma passed its MMIO checks" "^\[gamma\] $GUEST_OK"
check_re three-lpars "alpha passed its MMIO checks" "^\[alpha\] $GUEST_OK"
check_re three-lpars "beta passed its MMIO checks" "^\[beta\] $GUEST_OK"
check three-lpars "all lpars stopped" "anchor: all lpars stopped"

# ---- 4. attacks: the attacker is stopped with a reason, the other LPAR finishes ----
attack() {   # NAME EXPECTED-REASON
  local n=$1 reason=$2
  boot "$n" "$Q/$n.cfg"
  check "$n" "attacker stopped with a reason" "anchor: lpar alpha stopped: $reason"
  check_not_re "$n" "attacker did not pass as healthy" "^\[alpha\] $GUEST_OK"
  check_re "$n" "the other LPAR finished its checks" "^\[beta\] $GUEST_OK"
  check "$n" "the other LPAR halted normally" "anchor: lpar beta stopped: halted"
  check "$n" "the hypervisor carried on" "anchor: all lpars stopped"
}
attack attack-oob "access outside its memory at gpa 0x"
attack attack-hv "access outside its memory at gpa 0x"
attack attack-triple "triple fault"

# ---- 5. an instruction the decoder rejects (rep stosb into the window): stopped with the bytes ----
boot attack-insn "$Q/attack-insn.cfg"
check attack-insn "stopped with the instruction bytes" "anchor: lpar alpha stopped: unsupported instruction at rip 0x"
check attack-insn "bytes f3 aa (rep stosb) in the message" ": f3 aa"
check_not attack-insn "the guest did not go on" "[alpha] attack: FAILED"
check_re attack-insn "the other LPAR finished" "^\[beta\] $GUEST_OK"

# ---- 5b. hardening attacks (docs/security.md): contained, and the other LPAR finishes ----
survivor() {   # NAME: beta passed its checks, the hypervisor carried on
  check_re "$1" "the other LPAR finished its checks" "^\[beta\] $GUEST_OK"
  check "$1" "the other LPAR halted normally" "anchor: lpar beta stopped: halted"
  check "$1" "the hypervisor carried on" "anchor: all lpars stopped"
}
LONG_NAME=testguest-long-name-0123456789abcdefghijklmnopqrstuvwxyzABC.elf   # 63 characters
cp "$GUEST" "$WORK/$LONG_NAME"
boot attack-cache "$Q/attack-cache.cfg" --image "$GUEST" --image "$WORK/$LONG_NAME"
check attack-cache "a 63-character image name is measured whole" \
  "anchor: measured image $LONG_NAME into PCR 9"
check attack-cache "1000 INVD + WBINVD ran as no-ops" "[alpha] cache: 1000 INVD + WBINVD done"
check attack-cache "INVLPGA raised #UD" "[alpha] cache: INVLPGA -> #UD"
check attack-cache "the attacker went on and halted" "anchor: lpar alpha stopped: halted"
survivor attack-cache

boot attack-msr "$Q/attack-msr.cfg"
check attack-msr "every advertised speculation-control MSR works, no forbidden MSR reached" \
  "[alpha] msr: 0 incoherent, 0 forbidden MSRs reached"
check_re attack-msr "XSETBV with XCR0 = 0 raised #GP" '^\[alpha\] xsetbv: XCR0 = 0 -> #GP|^\[alpha\] xsetbv: no XSAVE'
survivor attack-msr

boot attack-flood "$Q/attack-flood.cfg"
check_re attack-flood "the flood was printed or its loss reported" \
  '^\[alpha\] flood: done|^anchor: console: [0-9]+ bytes from cpu 1 dropped'
check_not_re attack-flood "no line mixes two LPARs' output" '.\[(alpha|beta)\] '
survivor attack-flood

# gamma's RAM (0x28000000, 16 MiB) holds a 0xA5 pattern from before the firmware ran
python3 -c "import sys; sys.stdout.buffer.write(b'\xa5' * (1 << 20))" >"$WORK/stale.bin"
boot attack-walk "$Q/attack-walk.cfg" --preload "$WORK/stale.bin@0x28400000" \
  --preload "$WORK/stale.bin@0x28e00000"
check attack-walk "a load through a page walk into the TPM window is stopped, not emulated" \
  "anchor: lpar alpha stopped: fault in its page-table walk at gpa 0xfed40000"
check attack-walk "a #GP whose delivery reads the TPM window is stopped, not emulated" \
  "anchor: lpar beta stopped: fault at gpa 0xfed400d0 while delivering vector 13"
check_not attack-walk "neither attacker went on" "attack: FAILED"
check_re attack-walk "gamma's RAM is zero outside what the hypervisor put there" \
  '^\[gamma\] scan: 0 non-zero quadwords in [0-9]+ bytes$'
check attack-walk "gamma halted normally" "anchor: lpar gamma stopped: halted"
check attack-walk "the hypervisor carried on" "anchor: all lpars stopped"

# ---- 5c. the HTPM: alpha's vTPM through the TIS under load, beta's through the CRB with a reset ----
boot htpm-probe "$Q/htpm-probe.cfg"
check_re htpm-probe "alpha's LTPM anchored (its EKs on the console)" \
  "^anchor: lpar alpha vtpm tis ek rsa2048 sha256=[0-9a-f]{64} ecc-p256 sha256=[0-9a-f]{64}$"
check_re htpm-probe "beta's LTPM anchored (its EKs on the console)" \
  "^anchor: lpar beta vtpm crb ek rsa2048 sha256=[0-9a-f]{64} ecc-p256 sha256=[0-9a-f]{64}$"
check_re htpm-probe "alpha: 200+ commands through the TIS, 0 lost, 0 misrouted" \
  "^\[alpha\] vtpm: load 2[0-9][0-9] commands, 2[0-9][0-9] ok, 0 lost, 0 misrouted"
check_re htpm-probe "alpha: every client check passed (Startup, GetRandom, PCRs, EKs, certificates)" \
  "^\[alpha\] vtpm: all [0-9]+ checks passed"
check htpm-probe "beta: first life" "[beta] vtpm: reset: first life"
check htpm-probe "beta reset through port 0xcf9 and restarted" \
  "anchor: lpar beta reset: reset request (port 0xcf9) (restart 1)"
check htpm-probe "beta: second life" "[beta] vtpm: reset: second life"
check htpm-probe "beta: NV kept across the reset" "[beta] vtpm: reset: NV kept (the marker index exists) ok"
check htpm-probe "beta: the vEK is the same after the reset" "[beta] vtpm: reset: the vEK is the one from before the reset ok"
check htpm-probe "beta: PCR 16 reset (_TPM_Init + Startup by the HTPM)" "[beta] vtpm: reset: PCR 16 was reset ok"
check htpm-probe "beta: Startup answers TPM_RC_INITIALIZE again" "[beta] vtpm: reset: Startup is TPM_RC_INITIALIZE again ok"
check_not htpm-probe "no guest check failed" "FAIL"
check_re htpm-probe "alpha's LTPM destroyed at stop, with its figures" "^anchor: lpar alpha vtpm tis: [0-9]+ commands,"
check_re htpm-probe "beta's LTPM destroyed at stop, with its figures" "^anchor: lpar beta vtpm crb: [0-9]+ commands,"
check htpm-probe "all lpars stopped" "anchor: all lpars stopped"

# ---- 6. bad configurations stop the boot before any LPAR starts ----
bad_config() {   # NAME EXPECTED-MESSAGE
  local n=$1 msg=$2
  boot "$n" "$Q/$n.cfg"
  if grep -a "anchor: boot stopped: " "$WORK/$n.txt" | grep -aqF -- "$msg"; then
    ok "$n: boot stopped naming the problem"
  else
    nok "$n: boot stopped naming the problem" "(no 'anchor: boot stopped: ...$msg' line, see $LOGDIR/$n.log)"
  fi
  check_not "$n" "no LPAR started" "started on cpu"
}
bad_config bad-overlap "lpar alpha memory overlaps lpar beta"
bad_config bad-unknown-key "anchor.cfg:9: unknown key 'colour'"
bad_config bad-missing-image "anchor.cfg:2: image 'nosuchguest.elf' of lpar alpha not found"
bad_config bad-too-many "4 LPARs but this machine has only 3 CPUs"
# SMT: with 2 threads per core, CPU 1 (APIC ID 1) is the BSP's sibling: refused
boot bad-smt "$Q/two-lpars.cfg" --smp 4,threads=2
check bad-smt "an LPAR on the BSP's SMT sibling stops the boot" \
  "anchor: boot stopped: anchor.cfg:2: lpar alpha on cpu 1 shares a physical core (SMT) with the BSP"
check_not bad-smt "no LPAR started" "started on cpu"
# ... unless anchor.cfg accepts the risk: the same placement then boots and both LPARs run
boot smt-allowed "$Q/smt-allowed.cfg" --smp 4,threads=2
check_re smt-allowed "allow_smt_sharing = yes: alpha runs on the BSP's sibling" "^\[alpha\] $GUEST_OK"
check_re smt-allowed "allow_smt_sharing = yes: beta runs too" "^\[beta\] $GUEST_OK"

bad_config bad-cpu0-vtpm "lpar beta cannot use cpu 0: the HTPM runs there and serves the vTPM of lpar alpha"
bad_config bad-interface "anchor.cfg:8: bad interface 'fifo' (crb or tis)"
bad_config bad-hv-overlap "anchor.cfg:2: memory 0x1000000-0x3000000 of lpar alpha overlaps the hypervisor"
exit 0
