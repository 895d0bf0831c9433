#!/usr/bin/env bash
# The event log writer (hv/tcg_log.c) read by an independent parser: test_tcg_log writes the log
# of a measured direct boot (SHA-1 + SHA-256; the part in use, as Linux hands it out in
# binary_bios_measurements); tpm2_eventlog (tpm2-tools) must parse it, list every
# event, and its replayed PCRs must equal the extends computed here with Python's hashlib.
#
#   tests/linux/tcg-log.sh       (from the top of the tree, after make)
set -u
cd "$(dirname "$0")/../.."
B=${BUILD:-build}
T=$B/unit/test_tcg_log
command -v tpm2_eventlog >/dev/null || { echo "skip - tcg-log: no tpm2_eventlog"; exit 0; }
[ -x "$T" ] || { echo "skip - tcg-log: $T not built"; exit 0; }
W=$(mktemp -d "${TMPDIR:-/tmp}/anchor-tcglog.XXXXXX")
trap 'rm -rf "$W"' EXIT
"$T" "$W" | grep 'measured-boot log written' || { echo "not ok - tcg-log: log written"; exit 0; }

if tpm2_eventlog "$W/log.bin" >"$W/log.yaml" 2>"$W/err"; then
  echo "ok - tcg-log: tpm2_eventlog parses the log"
else
  echo "not ok - tcg-log: tpm2_eventlog parses the log ($(head -1 "$W/err"))"; exit 0
fi
n=$(grep -c 'EventNum:' "$W/log.yaml")
[ "$n" = 13 ] && echo "ok - tcg-log: 13 events (Spec ID + 12)" || echo "not ok - tcg-log: 13 events ($n)"
grep -q 'Spec ID Event03' "$W/log.yaml" && grep -q 'EV_S_CRTM_VERSION' "$W/log.yaml" &&
  [ "$(grep -c 'EV_SEPARATOR' "$W/log.yaml")" = 8 ] && [ "$(grep -c 'EV_IPL' "$W/log.yaml")" = 3 ] &&
  echo "ok - tcg-log: event types" || echo "not ok - tcg-log: event types"
python3 - "$W/events.txt" "$W/log.yaml" <<'PY'
import hashlib, re, sys
pcr = {}
for line in open(sys.argv[1]):
    i, alg, d = line.split()
    size = 20 if alg == "sha1" else 32
    cur = pcr.get((alg, int(i)), bytes(size))
    pcr[(alg, int(i))] = hashlib.new(alg, cur + bytes.fromhex(d)).digest()
got, bank = {}, None
section = False
for line in open(sys.argv[2]):
    if line.startswith("pcrs:"):
        section = True; continue
    if not section: continue
    m = re.match(r"\s+(sha1|sha256):", line)
    if m: bank = m.group(1); continue
    m = re.match(r"\s+(\d+)\s*:\s*0x([0-9A-Fa-f]+)", line)
    if m and bank: got[(bank, int(m.group(1)))] = bytes.fromhex(m.group(2))
bad = [k for k in pcr if got.get(k) != pcr[k]]
extra = [k for k in got if k not in pcr]
if pcr and not bad and not extra:
    print("ok - tcg-log: tpm2_eventlog's replay equals hashlib's (%d PCR values in 2 banks)" % len(pcr))
else:
    print("not ok - tcg-log: replay differs at %s, extra %s" % (bad[:3], extra[:3]))
PY
