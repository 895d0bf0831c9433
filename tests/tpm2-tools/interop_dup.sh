#!/usr/bin/env bash
# Duplication interoperability with the reference TPM: tpm2_duplicate on one TPM (new parent =
# the other TPM's storage key, loaded with tpm2_loadexternal), tpm2_import + tpm2_load on the
# other, then a signature by the imported key checked with openssl.  swtpm/libtpms -> anchor
# and anchor -> swtpm, with an RSA and an ECC new parent (OAEP "DUPLICATE" / ECDH + KDFe seed),
# with the inner AES wrapper.  Each TPM sits behind its own tpm2-abrmd on a private bus.
# Output: one `ok - interop/<from>-to-<to>-<rsa|ecc>` line per case (docs/objects.md).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
ANCHOR_TPMD=${ANCHOR_TPMD:-$ROOT/build/sim/anchor-tpmd}
for tool in swtpm tpm2-abrmd dbus-daemon tpm2_duplicate openssl; do
  command -v "$tool" >/dev/null || { echo "skip - interop/setup $tool is not installed"; exit 0; }
done
[ -x "$ANCHOR_TPMD" ] || { echo "skip - interop/setup $ANCHOR_TPMD is not built"; exit 0; }

WORK=$(mktemp -d /tmp/anchor-interop.XXXXXX)
. "$HERE/tpm-procs.sh"
tpm_bus_start

# start_tpm <kind> <dir>: sets TCTI_OUT to the TPM2TOOLS_TCTI for it (no subshell: PIDS and
# SEQ must stay in this shell so that cleanup finds every process and bus names stay unique).
start_tpm() {
  tpm_start "$1" "$2" interop || return 1
  TCTI_OUT=$TPM_TCTI
}

# one_case <from> <to> <rsa|ecc>
one_case() {
  local from=$1 to=$2 alg=$3 d t1 t2
  d=$WORK/$from-$to-$alg
  mkdir -p "$d"
  start_tpm "$from" "$d/src" || { echo "source tpm did not start" >"$d/log"; return 1; }
  t1=$TCTI_OUT
  start_tpm "$to" "$d/dst" || { echo "target tpm did not start" >"$d/log"; return 1; }
  t2=$TCTI_OUT
  (
    set -e
    cd "$d"
    export TPM2TOOLS_TCTI=$t2
    tpm2_createprimary -C o -G "$alg" -c np.ctx
    tpm2_readpublic -c np.ctx -o np.pub
    export TPM2TOOLS_TCTI=$t1
    tpm2_loadexternal -C o -u np.pub -c npx.ctx
    tpm2_createprimary -C o -G rsa -c prim.ctx
    tpm2_startauthsession -S s.ctx
    tpm2_policycommandcode -S s.ctx -L dpolicy.dat TPM2_CC_Duplicate
    tpm2_flushcontext s.ctx
    tpm2_create -C prim.ctx -g sha256 -G ecc -r key.priv -u key.pub -L dpolicy.dat \
      -a "sensitivedataorigin|userwithauth|sign"
    tpm2_load -C prim.ctx -u key.pub -r key.priv -c key.ctx
    tpm2_readpublic -c key.ctx -o key.pem -f pem
    tpm2_startauthsession --policy-session -S s.ctx
    tpm2_policycommandcode -S s.ctx TPM2_CC_Duplicate
    tpm2_duplicate -C npx.ctx -c key.ctx -G aes -o sym.key -p session:s.ctx -r dup.priv -s dup.seed
    tpm2_flushcontext s.ctx
    export TPM2TOOLS_TCTI=$t2
    tpm2_import -C np.ctx -u key.pub -i dup.priv -r imp.priv -s dup.seed -k sym.key
    tpm2_load -C np.ctx -u key.pub -r imp.priv -c imp.ctx
    printf 'duplicated across TPMs' >m
    tpm2_sign -c imp.ctx -g sha256 -f plain -o sig m
    openssl dgst -sha256 -verify key.pem -signature sig m
    # a corrupted encrypted seed must not import (one bit flipped, so it always changes)
    python3 -c 'import sys; b = bytearray(open(sys.argv[1], "rb").read()); b[20] ^= 1; open(sys.argv[1], "wb").write(b)' dup.seed
    ! tpm2_import -C np.ctx -u key.pub -i dup.priv -r imp2.priv -s dup.seed -k sym.key
  ) >"$d/log" 2>&1 &
  local sc=$! wd rc
  # Watchdog: a hung TPM is killed, which makes the waiting tool fail (short sleeps: no
  # long-lived orphan when the watchdog itself is killed).
  ( for _ in $(seq 450); do sleep 0.2; done; kill "${PIDS[@]}" ) >/dev/null 2>&1 &
  wd=$!
  wait "$sc"; rc=$?
  kill "$wd" 2>/dev/null; wait "$wd" 2>/dev/null
  return $rc
}

for from_to in "swtpm anchor" "anchor swtpm"; do
  set -- $from_to
  for alg in rsa ecc; do
    name="interop/$1-to-$2-$alg"
    one_case "$1" "$2" "$alg"; rc=$?
    if [ $rc = 0 ]; then
      echo "ok - $name"
    else
      echo "not ok - $name $(tail -3 "$WORK/$1-$2-$alg/log" 2>/dev/null | tr '\n' ' ' | head -c 200)"
    fi
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    PIDS=()
  done
done
