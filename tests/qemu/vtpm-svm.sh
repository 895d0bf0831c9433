#!/usr/bin/env bash
# The vTPMs end to end under QEMU/SVM with swtpm as the physical TPM: two LPARs running the test
# guest's TPM modes (guests/testguest, docs/testguest.md), alpha through the TIS and beta through
# the CRB.  Each boot is judged from the console only:
#   e2e         both run `tpm 1000`: Startup is TPM_RC_INITIALIZE, GetRandom, PCRs, both EK
#               templates, EK certificates and chain from NV; the host verifies every EK
#               certificate against the platform CA PEM on the console (openssl verify), and that
#               the key in it is the EK the guest created and the hash on the anchoring line
#               (vtpm_console.py); then 1000+ commands each, carrying the LPAR's name, at the
#               same time: 0 lost, 0 misrouted
#   same-state  same swtpm state; alpha's config unchanged, beta's image and args changed (beta
#               runs tpm-hostile next to alpha's e2e + load): every vEK as in e2e, alpha still
#               passes everything, beta's attacks are refused
#   new-uuid    same swtpm state, only beta's uuid changed: beta's vEK changes, alpha's does not;
#               alpha resets itself through port 0xCF9 (restart = reset): vEK and NV kept, PCRs
#               reset
#   new-ptpm    a fresh swtpm (another physical TPM), e2e's identities: every vEK changes; alpha
#               attacks through the TIS (localities 3/4, aborts, floods) next to beta's load
# Bad `tpm` and `interface` values are configuration errors naming the line: tests/unit/test_config
# (the messages) and the bad-interface and bad-cpu0-vtpm boots of tests/qemu/qemu-svm.sh.
# Environment: BUILD (default build), QEMU_TIMEOUT (seconds per boot, default 240).
set -u
cd "$(dirname "$0")/../.."
B=${BUILD:-build}
T=${QEMU_TIMEOUT:-240}
Q=tests/qemu
END='anchor: (all lpars stopped|boot stopped|panic)'

ok() { echo "ok - $1"; }
nok() { echo "not ok - $1 $2"; }
skip() { echo "skip - $1 $2"; }

need_tools() {
  for t in qemu-system-x86_64 swtpm mcopy mformat python3 openssl; do
    command -v "$t" >/dev/null || { echo "missing $t"; return 1; }
  done
  [ -f /usr/share/OVMF/OVMF_CODE_4M.fd ] || { echo "missing OVMF"; return 1; }
  for f in "$B/boot/anchor.efi" "$B/hv/hv.elf" "$B/guests/testguest.elf"; do
    [ -f "$f" ] || { echo "missing $f"; return 1; }
  done
  # a hypervisor without the HTPM has no `interface` key in its configuration parser
  strings -a "$B/hv/hv.elf" | grep -qx interface || { echo "this hv.elf has no vTPM (HTPM)"; return 1; }
}
if ! why=$(need_tools); then
  skip vtpm-svm "$why"
  exit 0
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/anchor-vtpm-test.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/b/boot" "$WORK/b/hv" "$WORK/b/guests" "$WORK/ptpm1" "$WORK/ptpm2"
cp "$B/boot/anchor.efi" "$WORK/b/boot/"
cp "$B/hv/hv.elf" "$WORK/b/hv/"
cp "$B/guests/testguest.elf" "$WORK/b/guests/"
# Another image for beta: the same program with 4 KiB more bytes (another measurement).
cp "$B/guests/testguest.elf" "$WORK/b/guests/testguest-b.elf"
head -c 4096 /dev/zero >>"$WORK/b/guests/testguest-b.elf"
LOGDIR=${TEST_LOG_DIR:-$B/test-logs}/vtpm-svm
B=$WORK/b
mkdir -p "$LOGDIR"

UUID_A=0b1e7a52-4c3d-4f0e-9a8b-1c2d3e4f5a6b
UUID_B=1c2f8b63-5d4e-4a1f-8b9c-2d3e4f5a6b7c
UUID_B2=1c2f8b63-5d4e-4a1f-8b9c-2d3e4f5a6b7d

# lpar NAME UUID CPU BASE INTERFACE IMAGE ARGS [RESTART]
lpar() {
  cat <<EOF
[lpar $1]
uuid      = $2
cpu       = $3
memory    = $4 32M
image     = $6
args      = $7
tpm       = vtpm
interface = $5
restart   = ${8:-stop}

EOF
}
alpha() { lpar alpha $UUID_A 1 0x20000000 tis testguest.elf "$@"; }
beta() { lpar beta "${BETA_UUID:-$UUID_B}" 2 0x24000000 crb "${BETA_IMAGE:-testguest.elf}" "$@"; }

# boot NAME PTPM-STATE-DIR: boots $WORK/NAME.cfg; the console (CR stripped) in $WORK/NAME.txt
boot() {
  local name=$1 state=$2 start=$SECONDS
  timeout $((T + 20)) scripts/run-qemu.sh --build "$B" --cfg "$WORK/$name.cfg" \
    --image "$B/guests/testguest.elf" --image "$B/guests/testguest-b.elf" --tpmstate "$state" \
    --log "$WORK/$name.raw" --until "$END" --timeout "$T" >/dev/null 2>&1
  local rc=$?
  tr -d '\r' <"$WORK/$name.raw" | sed 's/\x1b\[[0-9;=]*[a-zA-Z]//g' >"$WORK/$name.txt"
  cp "$WORK/$name.txt" "$LOGDIR/$name.log"
  cp "$WORK/$name.cfg" "$LOGDIR/$name.cfg"
  echo "# vtpm-svm $name: $((SECONDS - start)) s" >&2
  return $rc
}
has() { grep -aqE -- "$2" "$WORK/$1.txt"; }
check() {   # NAME DESCRIPTION REGEX
  if has "$1" "$3"; then ok "$1: $2"; else nok "$1: $2" "(nothing matches '$3', see $LOGDIR/$1.log)"; fi
}
refute() {
  local line
  line=$(grep -aE -m1 -- "$3" "$WORK/$1.txt")
  if [ -z "$line" ]; then ok "$1: $2"; else nok "$1: $2" "(found: $line)"; fi
}
vek() {   # BOOT LPAR: "<interface> <rsa hash> <ecc hash>" from the anchoring line
  python3 $Q/vtpm_console.py veks "$WORK/$1.txt" | awk -v n="$2" '$1 == n { print $2, $3, $4 }'
}
same_vek() {   # BOOT1 BOOT2 LPAR DESCRIPTION
  local a b
  a=$(vek "$1" "$3"); b=$(vek "$2" "$3")
  if [ -n "$a" ] && [ "$a" = "$b" ]; then ok "$2: $4"; else nok "$2: $4" "($1: '$a', $2: '$b')"; fi
}
other_vek() {   # BOOT1 BOOT2 LPAR DESCRIPTION: both EK hashes differ
  local a b
  a=$(vek "$1" "$3"); b=$(vek "$2" "$3")
  if [ -n "$a" ] && [ -n "$b" ] && [ "${a#* }" != "${b#* }" ] &&
     [ "$(echo "$a" | cut -d' ' -f2)" != "$(echo "$b" | cut -d' ' -f2)" ] &&
     [ "$(echo "$a" | cut -d' ' -f3)" != "$(echo "$b" | cut -d' ' -f3)" ]; then
    ok "$2: $4"
  else
    nok "$2: $4" "($1: '$a', $2: '$b')"
  fi
}
guest_passed() {   # BOOT LPAR
  check "$1" "$2 passed all its vTPM checks" "^\[$2\] vtpm: all [0-9]+ checks passed"
  refute "$1" "$2 reported no failed check" "^\[$2\] vtpm: .*FAIL"
}
load_clean() {   # BOOT LPAR: its load line says >= 1000 commands, all ok
  local line sent okc
  line=$(grep -a -m1 "^\[$2\] vtpm: load [0-9]* commands" "$WORK/$1.txt")
  sent=$(echo "$line" | sed -n 's/.*load \([0-9]*\) commands, \([0-9]*\) ok, 0 lost, 0 misrouted.*/\1/p')
  okc=$(echo "$line" | sed -n 's/.*commands, \([0-9]*\) ok.*/\1/p')
  if [ -n "$sent" ] && [ "$sent" -ge 1000 ] && [ "$sent" = "$okc" ]; then
    ok "$1: $2 sent $sent commands under load: $okc ok, 0 lost, 0 misrouted"
  else
    nok "$1: $2 sent >= 1000 commands under load, all ok" "(line: '$line')"
  fi
}
overlapped() {   # BOOT: each LPAR's load started before the other's ended (console order)
  local sa sb ea eb
  sa=$(grep -an '^\[alpha\] vtpm: load start' "$WORK/$1.txt" | head -1 | cut -d: -f1)
  sb=$(grep -an '^\[beta\] vtpm: load start' "$WORK/$1.txt" | head -1 | cut -d: -f1)
  ea=$(grep -an '^\[alpha\] vtpm: load [0-9]* commands' "$WORK/$1.txt" | head -1 | cut -d: -f1)
  eb=$(grep -an '^\[beta\] vtpm: load [0-9]* commands' "$WORK/$1.txt" | head -1 | cut -d: -f1)
  if [ -n "$sa" ] && [ -n "$sb" ] && [ -n "$ea" ] && [ -n "$eb" ] && [ "$sa" -lt "$eb" ] && [ "$sb" -lt "$ea" ]; then
    ok "$1: the two loads ran at the same time"
  else
    nok "$1: the two loads ran at the same time" "(console lines: starts $sa $sb, ends $ea $eb)"
  fi
}
stopped_cleanly() {   # BOOT
  check "$1" "alpha halted" "^anchor: lpar alpha stopped: halted"
  check "$1" "beta halted" "^anchor: lpar beta stopped: halted"
  check "$1" "all lpars stopped" "^anchor: all lpars stopped"
  refute "$1" "no panic" "anchor: (panic|boot stopped)"
}

# ---- e2e: both interfaces, certificates, isolation under load ----
{ alpha "tpm 1000"; beta "tpm 1000"; } >"$WORK/e2e.cfg"
boot e2e "$WORK/ptpm1"
check e2e "alpha's vTPM is a TIS" "^anchor: lpar alpha vtpm tis ek rsa2048 sha256=[0-9a-f]{64} ecc-p256 sha256=[0-9a-f]{64}$"
check e2e "beta's vTPM is a CRB" "^anchor: lpar beta vtpm crb ek rsa2048 sha256=[0-9a-f]{64} ecc-p256 sha256=[0-9a-f]{64}$"
check e2e "alpha's guest found a TIS" "^\[alpha\] vtpm: interface tis"
check e2e "beta's guest found a CRB with its buffer in RAM" "^\[beta\] vtpm: interface crb did_vid 0x[0-9a-f]+ buffer in RAM"
check e2e "alpha: Startup is TPM_RC_INITIALIZE" "^\[alpha\] vtpm: Startup\(CLEAR\) is TPM_RC_INITIALIZE .* ok$"
check e2e "beta: Startup is TPM_RC_INITIALIZE" "^\[beta\] vtpm: Startup\(CLEAR\) is TPM_RC_INITIALIZE .* ok$"
guest_passed e2e alpha
guest_passed e2e beta
python3 $Q/vtpm_console.py certs "$WORK/e2e.txt" alpha beta | sed 's/^\(not \)\{0,1\}ok - /&e2e: /'
load_clean e2e alpha
load_clean e2e beta
overlapped e2e
stopped_cleanly e2e

# ---- same-state: the same PTPM; beta's image and args changed, beta attacks ----
{ alpha "tpm 1000"; BETA_IMAGE=testguest-b.elf beta "tpm-hostile 300"; } >"$WORK/same-state.cfg"
boot same-state "$WORK/ptpm1"
same_vek e2e same-state alpha "second boot with the same PTPM: alpha's vEK is the same"
same_vek e2e same-state beta "beta's image and args changed: beta's vEK is the same"
guest_passed same-state alpha
load_clean same-state alpha
check same-state "beta: NV_UndefineSpace(owner) of the EK certificates refused" \
  "^\[beta\] vtpm: NV_UndefineSpace\(owner, EK cert\) refused ok"
check same-state "beta: ChangeEPS refused" "^\[beta\] vtpm: ChangeEPS refused ok"
check same-state "beta: locality 3 refused" "^\[beta\] vtpm: locality 3 refused ok"
check same-state "beta: flooded 300 commands" "^\[beta\] vtpm: flood 300 commands started and abandoned"
guest_passed same-state beta
stopped_cleanly same-state

# ---- new-uuid: only beta's identity changes; alpha resets itself ----
{ alpha "tpm-reset" reset; BETA_UUID=$UUID_B2 beta "tpm-bench 5"; } >"$WORK/new-uuid.cfg"
boot new-uuid "$WORK/ptpm1"
same_vek e2e new-uuid alpha "beta's uuid changed: alpha's vEK is the same"
other_vek e2e new-uuid beta "beta's uuid changed: both of beta's EKs changed"
check new-uuid "alpha reset itself" "^\[alpha\] vtpm: reset: resetting through port 0xcf9"
check new-uuid "alpha restarted after the reset" "^\[alpha\] vtpm: reset: second life"
check new-uuid "the vEK survived the reset" "^\[alpha\] vtpm: reset: the vEK is the one from before the reset ok"
check new-uuid "NV survived the reset" "^\[alpha\] vtpm: reset: NV kept .* ok"
check new-uuid "the PCRs were reset" "^\[alpha\] vtpm: reset: PCR 16 was reset ok"
refute new-uuid "alpha reported no failed check" "^\[alpha\] vtpm: .*FAIL"
n=$(grep -ac '^anchor: lpar alpha vtpm tis ek ' "$WORK/new-uuid.txt")
a=$(grep -a '^anchor: lpar alpha vtpm tis ek ' "$WORK/new-uuid.txt" | sort -u | wc -l)
if [ "$n" -ge 2 ] && [ "$a" -eq 1 ]; then ok "new-uuid: the anchoring line after the reset is the same"
else skip "new-uuid: the anchoring line after the reset is the same" "($n lines, $a distinct)"; fi
stopped_cleanly new-uuid

# ---- new-ptpm: a fresh swtpm is another physical TPM; now the TIS guest attacks ----
{ alpha "tpm-hostile 300"; beta "tpm-load 300"; } >"$WORK/new-ptpm.cfg"
boot new-ptpm "$WORK/ptpm2"
other_vek e2e new-ptpm alpha "another PTPM: alpha's EKs changed"
other_vek e2e new-ptpm beta "another PTPM: beta's EKs changed"
check new-ptpm "alpha (TIS): localities 3 and 4 refused" \
  "^\[alpha\] vtpm: locality 4 refused ok"
check new-ptpm "alpha (TIS): abandoned half-written and running commands" \
  "^\[alpha\] vtpm: abort in Reception, then a command works ok"
guest_passed new-ptpm alpha
guest_passed new-ptpm beta
check new-ptpm "beta's load next to the attacker: 0 lost, 0 misrouted" \
  "^\[beta\] vtpm: load [0-9]+ commands, [0-9]+ ok, 0 lost, 0 misrouted"

exit 0
