#!/usr/bin/env bash
# Bochs / Intel VMX suite: the same hv.elf that anchor.efi boots, entered through Multiboot2
# from GRUB, runs LPARs under VMX with EPT.  Each scenario is one Bochs run (tests/bochs/
# run-bochs.sh) judged from the serial log only:
#   mmio      the test guest's MMIO checks against the test device in the TPM window all pass
#   oob       a guest reading outside its RAM is stopped with that reason (and the exact gpa)
#   triple    a guest that triple-faults is stopped ("triple fault")
#   hv        a guest writing where the hypervisor lives in host memory is stopped
#   insn      a string store into the TPM window is refused with the instruction bytes
#   overlap   LPAR memory over the hv image: the boot stops naming the line, no LPAR starts
#   bsp       an LPAR on CPU 0 (shared with the hypervisor services) next to an attacker on CPU 1
#   isolation two LPARs on CPUs 1 and 2: the attacker is stopped, the other finishes its checks
#   cr8       a guest on the BSP sets CR8 = 15: the BSP still wakes when the other LPAR stops
#   cache     INVD/WBINVD in a loop (no-ops), INVLPGA (#UD) next to an LPAR on the BSP
#   msr       CPUID's speculation-control promises kept, forbidden MSRs #GP, XSETBV contained
#   vtpm      two LPARs with vTPMs (TIS and CRB) answered by the HTPM on the BSP
#   reset     restart = reset on VMX: reset through 0xCF9, NV and vEK kept, PCRs reset (only
#             with BOCHS_ONLY=reset: ~4 minutes)
# Logs: $BUILD/bochs/suite-last/<scenario>.serial.log.  Each Bochs run is limited to
# BOCHS_LIMIT seconds (90; a run takes 6-20 s on an idle 2-core machine).  BOCHS_ONLY="a b"
# runs only the named scenarios.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
hv=$BUILD/hv/hv.elf
guest=$BUILD/guests/testguest.elf
limit=${BOCHS_LIMIT:-90}
# A private directory per run (the work tree may be shared by concurrent `make test` runs);
# the last finished run is kept as $BUILD/bochs/suite-last.
mkdir -p "$BUILD/bochs"
out=$(mktemp -d "$BUILD/bochs/suite.XXXXXX")
finish() {
  rm -rf "$BUILD/bochs/suite-last"
  mv "$out" "$BUILD/bochs/suite-last" 2>/dev/null || rm -rf "$out"
}
trap finish EXIT

for need in "$hv" "$guest"; do
  if [ ! -f "$need" ]; then
    echo "not ok - bochs prerequisites $need is missing (run make)"
    exit 1
  fi
done
for tool in bochs grub-mkrescue xorriso; do
  if ! command -v $tool >/dev/null; then
    echo "not ok - bochs prerequisites $tool is not installed (scripts/deps.sh)"
    exit 1
  fi
done

# GRUB looks for the header in the first 32 KiB, 8-byte aligned, with a zero checksum sum.
mb2_header_check() {
  python3 - "$hv" <<'PY'
import struct, sys
data = open(sys.argv[1], 'rb').read(32768)
for off in range(0, len(data) - 16, 8):
    magic, arch, length, csum = struct.unpack_from('<IIII', data, off)
    if magic == 0xE85250D6 and (magic + arch + length + csum) & 0xFFFFFFFF == 0 and arch == 0:
        print("ok - bochs hv.elf has a valid Multiboot2 header at file offset %#x" % off)
        sys.exit(0)
print("not ok - bochs hv.elf has a valid Multiboot2 header in its first 32 KiB (none found)")
PY
}
mb2_header_check

# lpar_cfg NAME CPU BASE ARGS
lpar_cfg() {
  cat <<EOF
[lpar $1]
uuid   = 7f3c9a10-2b4d-4e5f-8a6b-0c1d2e3f4a$(printf '%02x' "$2")
cpu    = $2
memory = $3 32M
image  = testguest.elf
args   = $4
tpm    = testdev

EOF
}

log_of() { echo "$out/$1.serial.log"; }

# run SCENARIO CPUS: builds the ISO from $out/SCENARIO.cfg and boots it.
run() {
  local name=$1 cpus=$2 start end
  # BOCHS_ONLY="mmio oob" runs a subset (debugging); the others print nothing.
  if [ -n "${BOCHS_ONLY:-}" ] && [[ " $BOCHS_ONLY " != *" $name "* ]]; then
    return 1
  fi
  start=$(date +%s%N)
  if ! tests/bochs/mkiso.sh "$out/$name.iso" "$hv" "$out/$name.cfg" "$guest" 2>"$out/$name.iso.log"; then
    echo "not ok - bochs $name: ISO build failed: $(tail -n 1 "$out/$name.iso.log")"
    return 1
  fi
  tests/bochs/run-bochs.sh "$out/$name.iso" "$(log_of "$name")" "$limit" "$cpus"
  local rc=$?
  sed -i 's/\r$//' "$(log_of "$name")"      # the console writes CRLF
  end=$(date +%s%N)
  echo "# bochs $name: $(( (end - start) / 1000000 )) ms" >&2
  if [ $rc -ne 0 ]; then
    echo "not ok - bochs $name: finished within ${limit}s last line: $(tail -n 1 "$(log_of "$name")")"
    return 1
  fi
  echo "ok - bochs $name: hypervisor finished within ${limit}s"
}

# expect SCENARIO CHECK-NAME REGEX: one check on the serial log.
expect() {
  local log
  log=$(log_of "$1")
  if grep -Eq -- "$3" "$log"; then
    echo "ok - bochs $1: $2"
  else
    echo "not ok - bochs $1: $2 (no line matching '$3' in $log)"
  fi
}

refute() {
  local log line
  log=$(log_of "$1")
  line=$(grep -E -m1 -- "$3" "$log")
  if [ -z "$line" ]; then
    echo "ok - bochs $1: $2"
  else
    echo "not ok - bochs $1: $2 (found: $line)"
  fi
}

common_checks() {
  expect "$1" "entered through multiboot2" '^anchor: hypervisor started \(loader multiboot2\)'
  expect "$1" "loud no-TPM warning" '^anchor: WARNING: no TPM'
  expect "$1" "vmx back end chosen" '^anchor: using vmx$'
  refute "$1" "no panic" 'anchor: (panic|boot stopped)'
}

# ---- mmio ----
lpar_cfg alpha 1 0x8000000 mmio >"$out/mmio.cfg"
if run mmio 2; then
  common_checks mmio
  expect mmio "lpar started on cpu 1" '^anchor: lpar alpha started on cpu 1$'
  expect mmio "guest checks all passed" '^\[alpha\] mmio: all [1-9][0-9]* checks passed$'
  refute mmio "no failed guest check" '^\[alpha\] mmio: .*FAIL'
  expect mmio "lpar stopped: halted" '^anchor: lpar alpha stopped: halted$'
  n=$(grep -c '^\[alpha\] mmio: .* ok$' "$(log_of mmio)")
  echo "# bochs mmio: $n individual MMIO checks reported ok" >&2
fi

# ---- oob: guest RAM is 32 MiB, the guest reads ram_size + 16 MiB = 0x3000000 ----
lpar_cfg alpha 1 0x8000000 attack-oob >"$out/oob.cfg"
if run oob 2; then
  common_checks oob
  expect oob "guest attempted the read" '^\[alpha\] attack: reading outside my RAM at 0x3000000$'
  expect oob "stopped: access outside its memory at the exact gpa" \
    '^anchor: lpar alpha stopped: access outside its memory at gpa 0x3000000 \(read\)$'
  refute oob "guest did not get past the access" 'attack: FAILED'
  expect oob "hypervisor carried on" '^anchor: all lpars stopped$'
fi

# ---- triple fault ----
lpar_cfg alpha 1 0x8000000 attack-triple >"$out/triple.cfg"
if run triple 2; then
  expect triple "stopped: triple fault" '^anchor: lpar alpha stopped: triple fault$'
  refute triple "guest did not continue" 'attack: FAILED'
  refute triple "no panic" 'anchor: (panic|boot stopped)'
fi

# ---- write towards the hypervisor's memory ----
lpar_cfg alpha 1 0x8000000 attack-hv >"$out/hv.cfg"
if run hv 2; then
  expect hv "stopped: write outside its memory" \
    '^anchor: lpar alpha stopped: access outside its memory at gpa 0x2000000 \(write\)$'
  refute hv "guest did not continue" 'attack: FAILED'
fi

# ---- string MMIO store: refused, with the instruction bytes (f3 aa = rep stosb) ----
lpar_cfg alpha 1 0x8000000 attack-insn >"$out/insn.cfg"
if run insn 2; then
  expect insn "stopped with the instruction bytes" \
    '^anchor: lpar alpha stopped: unsupported instruction .*f3 aa'
  refute insn "guest did not continue" 'attack: FAILED'
fi

# ---- LPAR memory over the hypervisor image (32 MiB): the Multiboot2 map marks it hypervisor
# memory, so the core refuses the configuration before any LPAR starts ----
lpar_cfg alpha 1 0x2000000 mmio >"$out/overlap.cfg"
if run overlap 2; then
  expect overlap "boot stopped naming the line and the range" \
    '^anchor: boot stopped: anchor.cfg:1: lpar alpha: memory 0x2000000-0x4000000 is not free RAM$'
  refute overlap "no lpar started" 'anchor: lpar .* started'
fi

# ---- an LPAR sharing the BSP: alpha on cpu 0 keeps running while mallory (cpu 1) is
# stopped and its CPU sends the BSP a wake-up IPI (an external-interrupt exit under VMX) ----
{ lpar_cfg alpha 0 0x8000000 mmio; lpar_cfg mallory 1 0xA000000 attack-oob; } >"$out/bsp.cfg"
if run bsp 2; then
  expect bsp "lpar started on cpu 0" '^anchor: lpar alpha started on cpu 0$'
  expect bsp "the AP's lpar stopped" '^anchor: lpar mallory stopped: access outside its memory'
  expect bsp "guest on the BSP passed all its checks" '^\[alpha\] mmio: all [1-9][0-9]* checks passed$'
  expect bsp "guest on the BSP halted normally" '^anchor: lpar alpha stopped: halted$'
fi

# ---- isolation: two LPARs on CPUs 1 and 2 ----
{ lpar_cfg alpha 1 0x8000000 mmio; lpar_cfg mallory 2 0xA000000 attack-oob; } >"$out/isolation.cfg"
if run isolation 3; then
  expect isolation "both lpars started" '^anchor: lpar mallory started on cpu 2$'
  expect isolation "attacker stopped" '^anchor: lpar mallory stopped: access outside its memory'
  expect isolation "the other lpar passed all its checks" '^\[alpha\] mmio: all [1-9][0-9]* checks passed$'
  expect isolation "the other lpar halted normally" '^anchor: lpar alpha stopped: halted$'
fi
# ---- cr8: mallory on the BSP raises CR8 to 15 and halts; without CR8 exiting that is the
# physical TPR, which masks the wake-up IPI the BSP sleeps for when alpha (cpu 1) stops ----
{ lpar_cfg mallory 0 0xA000000 attack-cr8; lpar_cfg alpha 1 0x8000000 mmio; } >"$out/cr8.cfg"
if run cr8 2; then
  expect cr8 "the guest's CR8 reads back 15 (virtual TPR)" '^\[mallory\] cr8: reads back 15$'
  expect cr8 "a CR8 write with reserved bits is #GP" '^\[mallory\] cr8: write of 16 \(reserved bits\) -> #GP$'
  expect cr8 "the other lpar passed all its checks" '^\[alpha\] mmio: all [1-9][0-9]* checks passed$'
  expect cr8 "the BSP woke up when the last lpar stopped" '^anchor: all lpars stopped$'
fi

# ---- cache: INVD and WBINVD exit on VMX (INVD always, WBINVD with WBINVD exiting) and are
# no-ops; INVLPGA does not exist on Intel (#UD) ----
{ lpar_cfg alpha 0 0x8000000 mmio; lpar_cfg mallory 1 0xA000000 attack-cache; } >"$out/cache.cfg"
if run cache 2; then
  expect cache "1000 INVD + WBINVD ran as no-ops" '^\[mallory\] cache: 1000 INVD \+ WBINVD done$'
  expect cache "INVLPGA raised #UD" '^\[mallory\] cache: INVLPGA -> #UD$'
  expect cache "the attacker halted normally" '^anchor: lpar mallory stopped: halted$'
  expect cache "the other lpar passed all its checks" '^\[alpha\] mmio: all [1-9][0-9]* checks passed$'
  expect cache "the hypervisor carried on" '^anchor: all lpars stopped$'
fi
# ---- msr: every speculation-control feature CPUID shows works, the forbidden MSRs give #GP;
# XSETBV (which always exits on VMX and is not emulated) stops only the prober ----
{ lpar_cfg alpha 0 0x8000000 mmio; lpar_cfg mallory 1 0xA000000 attack-msr; } >"$out/msr.cfg"
if run msr 2; then
  expect msr "no advertised MSR is missing, no forbidden MSR reached" \
    '^\[mallory\] msr: 0 incoherent, 0 forbidden MSRs reached$'
  expect msr "XSETBV stopped the prober alone, naming the exit" \
    '^anchor: lpar mallory stopped: unhandled vmx exit 0x37 '
  expect msr "the other lpar passed all its checks" '^\[alpha\] mmio: all [1-9][0-9]* checks passed$'
  expect msr "the hypervisor carried on" '^anchor: all lpars stopped$'
fi

# ---- vTPMs on VMX+EPT: alpha through the TIS, beta through the CRB (Bochs has no TPM: the
# unanchored development mode) ----
{ printf '[platform]\nvtpm_anchor = unanchored-development\n\n'
  lpar_cfg alpha 1 0x8000000 'tpm-load 20' | sed 's/^tpm .*/tpm    = vtpm\ninterface = tis/'
  lpar_cfg beta 2 0xA000000 'tpm-load 20' | sed 's/^tpm .*/tpm    = vtpm\ninterface = crb/'
} >"$out/vtpm.cfg"
# Creating both EKs of both LTPMs in the firmware step takes ~2 minutes of Bochs (RSA-2048).
if limit=${BOCHS_VTPM_LIMIT:-300} run vtpm 3; then
  refute vtpm "no panic" 'anchor: (panic|boot stopped)'
  expect vtpm "development mode warning" '^anchor: WARNING: .*unanchored.development'
  expect vtpm "alpha's LTPM provisioned (EKs on the console)" '^anchor: lpar alpha vtpm tis ek rsa2048 sha256='
  expect vtpm "beta's LTPM provisioned (EKs on the console)" '^anchor: lpar beta vtpm crb ek rsa2048 sha256='
  expect vtpm "alpha: 20 commands through the TIS, none lost or misrouted" \
    '^\[alpha\] vtpm: load 2[0-9] commands, 2[0-9] ok, 0 lost, 0 misrouted'
  expect vtpm "beta: 20 commands through the CRB, none lost or misrouted" \
    '^\[beta\] vtpm: load 2[0-9] commands, 2[0-9] ok, 0 lost, 0 misrouted'
  refute vtpm "no guest check failed" 'FAIL'
  expect vtpm "LTPMs destroyed with their figures" '^anchor: lpar beta vtpm crb: [0-9]+ commands,'
fi

# ---- reset on VMX: the guest resets through port 0xCF9, the LPAR restarts (restart = reset):
# vCPU re-initialised on its VMCS, image reloaded, vTPM power-cycled (NV and vEK kept) ----
{ printf '[platform]\nvtpm_anchor = unanchored-development\n\n'
  lpar_cfg alpha 1 0x8000000 tpm-reset | sed 's/^tpm .*/tpm    = vtpm\ninterface = crb\nrestart = reset/'
} >"$out/reset.cfg"
# ~4 minutes of Bochs (the restart waits 5x the emulated EK provisioning, then provisions
# again): run on request only (BOCHS_ONLY=reset), not in make test's time budget.
if [[ " ${BOCHS_ONLY:-} " != *" reset "* ]]; then
  echo "skip - bochs reset: restart = reset on VMX (about 4 min; BOCHS_ONLY=reset runs it)"
elif limit=${BOCHS_VTPM_LIMIT:-300} run reset 2; then
  expect reset "the lpar restarted after its reset request" \
    '^anchor: lpar alpha reset: reset request \(port 0xcf9\) \(restart 1\)$'
  expect reset "second life: NV and vEK kept, PCRs reset" '^\[alpha\] vtpm: reset: PCR 16 was reset ok$'
  expect reset "second life: every check passed" '^\[alpha\] vtpm: all 7 checks passed$'
  refute reset "no guest check failed" 'FAIL'
  expect reset "halted normally" '^anchor: lpar alpha stopped: halted$'
fi
exit 0
