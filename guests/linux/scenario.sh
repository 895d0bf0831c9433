#!/bin/sh
# anchor-scenario: the tpm2-tools demo and test scenario of Anchor's Linux guest, run by /init.
#
# Uses only what a stock distribution offers: the kernel's TPM driver bound from ACPI, the
# kernel resource manager (/dev/tpmrm0, TCTI "device") and tpm2-tools.  Prints one line per
# check, "anchor-linux: ok - NAME", "anchor-linux: not ok - NAME: why" or
# "anchor-linux: skip - NAME: why", and at the end "anchor-linux: scenario done: N passed,
# N failed, N skipped".  A host test turns these lines into its own (tests/qemu/linux-*.sh).
#
# Reboot check (kernel command line anchor.reboot=1): the first boot stores the EK's digest
# in an NV index and extends PCR 23, then reboots; the second boot finds the index (NV kept),
# compares the EK (same vEK) and PCR 23 (reset), removes the index and carries on.
export TPM2TOOLS_TCTI=device:/dev/tpmrm0
W=/tmp/scenario
rm -rf $W; mkdir -p $W; cd $W || exit 1
passed=0 failed=0 skipped=0
REBOOT_NV=0x01500042

ok()   { passed=$((passed + 1)); echo "anchor-linux: ok - $1"; }
nok()  { failed=$((failed + 1)); echo "anchor-linux: not ok - $1: $2"; }
skip() { skipped=$((skipped + 1)); echo "anchor-linux: skip - $1: $2"; }
# check NAME COMMAND...: ok when the command succeeds; its output goes to $W/NAME.log
check() {
  name=$1; shift
  if "$@" >"$W/$name.log" 2>&1; then ok "$name"
  else nok "$name" "$(tail -n 3 "$W/$name.log" | tr '\n' ' ')"; fi
}
# sha256 PCR values as "N HEX" lines, from tpm2_pcrread or tpm2_eventlog output on stdin.
sha256_pcrs() {
  awk '/^ *sha256:/ {in256 = 1; next} /^ *sha[0-9]+:/ {in256 = 0}
       in256 && /^ +[0-9]+ *: *0x/ {gsub(/ /, ""); split($0, a, ":"); print a[1], tolower(a[2])}'
}

cmdline=$(cat /proc/cmdline)
reboot_test=0
case " $cmdline " in *" anchor.reboot=1 "*) reboot_test=1 ;; esac
reboot_second_boot=0
# (tpm2_nvreadpublic of an absent index crashes in tpm2-tools 5.4: ask GetCapability instead)
nv_exists() {
  for h in $(tpm2_getcap handles-nv-index 2>/dev/null | sed -n 's/^- //p'); do
    [ $((h)) -eq $(($1)) ] && return 0
  done
  return 1
}
[ $reboot_test = 1 ] && nv_exists $REBOOT_NV && reboot_second_boot=1

# --- the driver, bound from ACPI alone ------------------------------------------------------
if [ -c /dev/tpm0 ] && [ -c /dev/tpmrm0 ]; then ok "dev-nodes"
else nok "dev-nodes" "/dev/tpm0 or /dev/tpmrm0 missing"; fi
drv=$(basename "$(readlink /sys/class/tpm/tpm0/device/driver 2>/dev/null)" 2>/dev/null)
hid=$(cat /sys/class/tpm/tpm0/device/modalias 2>/dev/null)
case "$drv" in
  tpm_tis|tpm_crb) ok "driver-acpi ($drv, $hid)" ;;
  *) nok "driver-acpi" "no tpm_tis/tpm_crb driver bound (driver '$drv', hid '$hid')" ;;
esac
if dmesg | grep -qi 'tpm.*interrupt\|tpm.*polling'; then
  nok "no-irq-fallback" "$(dmesg | grep -i 'tpm.*interrupt\|tpm.*polling' | head -1)"
else ok "no-irq-fallback"; fi
[ -c /dev/tpmrm0 ] || { echo "anchor-linux: scenario done: $passed passed, $((failed + 1)) failed, $skipped skipped (no TPM)"; exit 1; }

# --- reboot check, second boot: before anything extends a PCR -----------------------------
if [ $reboot_second_boot = 1 ]; then
  tpm2_nvread $REBOOT_NV -C o -s 32 -o ek_before.bin >/dev/null 2>&1
  tpm2_createek -c ek0.ctx -G rsa -u ek0.pub >/dev/null 2>&1
  if [ -s ek_before.bin ] && openssl dgst -sha256 -binary ek0.pub | cmp -s - ek_before.bin
  then ok "reboot-keeps-ek-and-nv"; else nok "reboot-keeps-ek-and-nv" "EK or NV differ after reboot"; fi
  tpm2_flushcontext -t >/dev/null 2>&1
  p23=$(tpm2_pcrread sha256:23 | sha256_pcrs | awk '{print $2}')
  case "$p23" in
    0x0000000000000000000000000000000000000000000000000000000000000000) ok "reboot-resets-pcrs" ;;
    *) nok "reboot-resets-pcrs" "PCR 23 is $p23 after reboot" ;;
  esac
  tpm2_nvundefine $REBOOT_NV -C o >/dev/null 2>&1
fi

# --- tpm2-tools ------------------------------------------------------------------------------
check getrandom sh -c 'tpm2_getrandom --hex 16 | grep -Eq "^[0-9a-f]{32}$"'
check pcrread tpm2_pcrread sha256:0,1,2,3,4,5,6,7,8,9,10
check createek tpm2_createek -c ek.ctx -G rsa -u ek.pub

# The EK certificate (TCG EK credential profile: RSA 2048 at NV 0x01c00002) and its key; the
# chain's first certificate at NV 0x01c00100 (Anchor's platform CA, docs/anchoring.md).
if nv_exists 0x1c00002; then
  tpm2_nvread 0x1c00002 -C o -o ekcert.der >ekcert.log 2>&1
  if openssl x509 -inform DER -in ekcert.der -noout -pubkey >ekcert_pub.pem 2>>ekcert.log &&
     tpm2_readpublic -c ek.ctx -f pem -o ek.pem >>ekcert.log 2>&1 && cmp -s ek.pem ekcert_pub.pem
  then ok "ekcert-matches-ek"; else nok "ekcert-matches-ek" "$(tail -n 2 ekcert.log | tr '\n' ' ')"; fi
  if nv_exists 0x1c00100; then
    tpm2_nvread 0x1c00100 -C o -o ca.der >ca.log 2>&1
    openssl x509 -inform DER -in ca.der -out ca.pem >>ca.log 2>&1
    openssl x509 -inform DER -in ekcert.der -out ekcert.pem >>ca.log 2>&1
    check ekcert-verify openssl verify -CAfile ca.pem ekcert.pem
    # the host test compares this with the CA the hypervisor printed
    echo "anchor-linux: platform CA $(openssl x509 -in ca.pem -noout -fingerprint -sha256 2>/dev/null)"
  else skip "ekcert-verify" "no certificate chain at NV 0x01c00100"; fi
else
  skip "ekcert-matches-ek" "no EK certificate at NV 0x01c00002"
fi

# AK, quote, checkquote.
echo "anchor-nonce-$$" | sha256sum | cut -c1-32 >nonce.hex
check createak tpm2_createak -C ek.ctx -c ak.ctx -G rsa -g sha256 -s rsassa -u ak.pem -f pem
check quote tpm2_quote -c ak.ctx -l sha256:0,1,2,3,4,5,6,7,10 -q "$(cat nonce.hex)" \
    -m quote.msg -s quote.sig -o quote.pcrs -g sha256
check checkquote tpm2_checkquote -u ak.pem -m quote.msg -s quote.sig -f quote.pcrs -g sha256 \
    -q "$(cat nonce.hex)"
tpm2_flushcontext -t >/dev/null 2>&1

# Seal to a PCR policy on PCR 16 (resettable), unseal, extend, unseal must fail.
echo "anchor sealed secret $$" >secret.txt
seal() {
  tpm2_pcrreset 16 &&
  tpm2_createprimary -C o -c prim.ctx &&
  tpm2_pcrread -o pcr16.bin sha256:16 &&
  tpm2_createpolicy --policy-pcr -l sha256:16 -f pcr16.bin -L pol.dat &&
  tpm2_create -C prim.ctx -L pol.dat -i secret.txt -u seal.pub -r seal.priv &&
  tpm2_load -C prim.ctx -u seal.pub -r seal.priv -c seal.ctx
}
check seal seal
check unseal sh -c 'tpm2_unseal -c seal.ctx -p pcr:sha256:16 | cmp - secret.txt'
tpm2_pcrextend 16:sha256=0000000000000000000000000000000000000000000000000000000000000001 >/dev/null 2>&1
if tpm2_unseal -c seal.ctx -p pcr:sha256:16 >unseal2.out 2>&1; then
  nok "unseal-refused-after-extend" "unsealed although PCR 16 changed"
else ok "unseal-refused-after-extend"; fi
tpm2_pcrreset 16 >/dev/null 2>&1
tpm2_flushcontext -t >/dev/null 2>&1

# NV define/write/read/undefine.
head -c 32 /dev/urandom >nv.in
nv() {
  tpm2_nvdefine 0x01500001 -C o -s 32 -a "ownerread|ownerwrite" &&
  tpm2_nvwrite 0x01500001 -C o -i nv.in &&
  tpm2_nvread 0x01500001 -C o -s 32 -o nv.out &&
  cmp nv.in nv.out &&
  tpm2_nvundefine 0x01500001 -C o
}
check nv nv
# The kernel resource manager flushed every transient object of the commands above.
check rm-flushed sh -c '[ -z "$(tpm2_getcap handles-transient)" ]'

# --- the event log and IMA ---------------------------------------------------------------
LOG=/sys/kernel/security/tpm0/binary_bios_measurements
if [ -r $LOG ]; then
  if tpm2_eventlog $LOG >eventlog.yaml 2>eventlog.err; then
    sha256_pcrs <eventlog.yaml >log.pcrs
    tpm2_pcrread sha256 | sha256_pcrs >tpm.pcrs
    bad=$(awk 'NR == FNR {tpm[$1] = $2; next} tpm[$1] != $2 {print "PCR " $1}' tpm.pcrs log.pcrs | tr '\n' ' ')
    if [ -s log.pcrs ] && [ -z "$bad" ]; then ok "eventlog-replays ($(wc -l <log.pcrs) PCRs)"
    else nok "eventlog-replays" "mismatch: ${bad:-no sha256 PCRs in the log}"; fi
  else nok "eventlog-replays" "tpm2_eventlog: $(tail -n 1 eventlog.err)"; fi
else skip "eventlog-replays" "no $LOG"; fi
IMA=/sys/kernel/security/ima/ascii_runtime_measurements
if head -n 1 $IMA 2>/dev/null | grep -q boot_aggregate; then
  p10=$(tpm2_pcrread sha256:10 | sha256_pcrs | awk '{print $2}')
  case "$p10" in
    ""|0x0000000000000000000000000000000000000000000000000000000000000000)
      nok "ima-pcr10" "PCR 10 not extended ($p10)" ;;
    *) ok "ima-pcr10 ($(wc -l <$IMA) measurements)" ;;
  esac
else skip "ima-pcr10" "IMA has no boot_aggregate"; fi

# --- reboot check, first boot ------------------------------------------------------------
if [ $reboot_test = 1 ] && [ $reboot_second_boot = 0 ]; then
  openssl dgst -sha256 -binary ek.pub >ekdigest.bin
  tpm2_nvdefine $REBOOT_NV -C o -s 32 -a "ownerread|ownerwrite" >/dev/null 2>&1 &&
    tpm2_nvwrite $REBOOT_NV -C o -i ekdigest.bin >/dev/null 2>&1 &&
    tpm2_pcrextend 23:sha256=0000000000000000000000000000000000000000000000000000000000000001 >/dev/null 2>&1
  echo "anchor-linux: scenario first boot done: $passed passed, $failed failed, $skipped skipped; rebooting"
  reboot -f
  sleep 10
fi

echo "anchor-linux: scenario done: $passed passed, $failed failed, $skipped skipped"
[ $failed = 0 ]
