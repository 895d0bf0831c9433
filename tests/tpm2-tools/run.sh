#!/usr/bin/env bash
# tpm2-tools conformance suite: every scenario runs against a fresh swtpm (the reference),
# then against a fresh anchor-tpmd, each behind its own tpm2-abrmd on a private D-Bus session
# bus.  Scenarios check RESULTS (digests recomputed with openssl/sha256sum, signatures verified
# with openssl, NV contents, counters, lockout...), not just exit codes.
#
#   ok - <family>/<scenario> [swtpm]          passes on the reference
#   ok - <family>/<scenario> [anchor]         passes on ours (listed in expected-anchor.txt)
#   not ok - ... [anchor]                     listed, passes on swtpm, fails on ours
#   skip - ... [anchor] not yet implemented (<rc>)   not listed yet; never counted as ok
#
# Usage: run.sh [-k] [scenario-glob...]   (-k keeps the work directory)
# Env:   ANCHOR_TPMD (default build/sim/anchor-tpmd), ONLY=swtpm|anchor, VERBOSE=1,
#        ANCHOR_PROTOCOL=mssim|swtpm (how abrmd reaches anchor-tpmd; default mssim),
#        PCAP_DIR=dir (pcapng of every swtpm command, for tests/fuzz/tpm2_corpus.py)
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
ANCHOR_TPMD=${ANCHOR_TPMD:-$ROOT/build/sim/anchor-tpmd}
EXPECTED=$HERE/expected-anchor.txt
KEEP=0
[ "${1:-}" = "-k" ] && { KEEP=1; shift; }
PATTERNS=("$@")
[ ${#PATTERNS[@]} -eq 0 ] && PATTERNS=("*")

WORK=$(mktemp -d /tmp/anchor-tpm2-tools.XXXXXX)
. "$HERE/tpm-procs.sh"

for tool in swtpm tpm2-abrmd dbus-daemon tpm2_getrandom openssl; do
  command -v "$tool" >/dev/null || { echo "not ok - tpm2-tools/setup $tool is not installed"; exit 1; }
done

# A private session bus for the whole run; each scenario gets its own abrmd bus name.
tpm_bus_start

# ---- helpers ---------------------------------------------------------------------------------

# start_tpm <swtpm|anchor> <dir>: sets TPM_PID, ABRMD_PID, TPM2TOOLS_TCTI, TPM2OPENSSL_TCTI.
start_tpm() {
  tpm_start "$1" "$2" anchor || return 1
  export TPM2TOOLS_TCTI="$TPM_TCTI"
  export TPM2OPENSSL_TCTI="$TPM_TCTI"
}

stop_tpm() {
  kill "$ABRMD_PID" "$TPM_PID" 2>/dev/null
  wait "$ABRMD_PID" "$TPM_PID" 2>/dev/null
}

# Inside scenarios (run in a subshell with errexit): fail <reason>, expect_eq a b what,
# expect_fail <cmd...> (the command must fail; its output is kept in the log).
fail() { echo "$*" >"$W/reason"; exit 1; }
expect_eq() { [ "$1" = "$2" ] || fail "$3: got '$1' expected '$2'"; }
expect_fail() { if "$@" >>"$W/log" 2>&1; then fail "unexpectedly succeeded: $*"; fi; }
hexof() { od -An -v -tx1 "$1" | tr -d ' \n'; }
sha256hex() { sha256sum "$1" | cut -c1-64; }
unhex() { perl -e 'local $/; my $h = <STDIN>; $h =~ s/\s//g; print pack("H*", $h)'; }   # perl is Essential; xxd is not

# ---- scenarios: sc_<family>__<name> ------------------------------------------------------------

sc_random__getrandom() {
  tpm2_getrandom -o r1 32
  tpm2_getrandom -o r2 32
  expect_eq "$(stat -c %s r1)" 32 "length"
  [ "$(hexof r1)" != "$(hexof r2)" ] || fail "two GetRandom results are equal"
  [ "$(hexof r1)" != "$(printf '%064d' 0)" ] || fail "all zero"
  head -c 16 /dev/urandom >stir
  tpm2_stirrandom <stir
}

sc_hash__sha256() {
  head -c 700 /dev/urandom >m
  tpm2_hash -g sha256 -C o -o d -t t m
  expect_eq "$(hexof d)" "$(sha256hex m)" "sha256 digest"
  tpm2_hash -g sha1 -C o -o d1 m
  expect_eq "$(hexof d1)" "$(sha1sum m | cut -c1-40)" "sha1 digest"
  tpm2_hash -g sha384 -C o -o d3 m
  expect_eq "$(hexof d3)" "$(openssl dgst -sha384 -r m | cut -c1-96)" "sha384 digest"
}

sc_hash__sequence() {
  # More than one TPM buffer: tpm2_hash uses HashSequenceStart/SequenceUpdate/SequenceComplete.
  head -c 5000 /dev/urandom >m
  tpm2_hash -g sha256 -C o -o d m
  expect_eq "$(hexof d)" "$(sha256hex m)" "sha256 over a sequence"
}

sc_hmac__import_and_hmac() {
  head -c 32 /dev/urandom >k
  head -c 100 /dev/urandom >m
  tpm2_createprimary -C o -c p.ctx >/dev/null
  tpm2_import -C p.ctx -G hmac -i k -u k.pub -r k.priv >/dev/null
  tpm2_load -C p.ctx -u k.pub -r k.priv -c k.ctx >/dev/null
  tpm2_hmac -c k.ctx --hex m >h
  expect_eq "$(cat h)" "$(openssl dgst -sha256 -mac HMAC -macopt hexkey:"$(hexof k)" -r m | cut -c1-64)" "hmac"
  # More than one buffer: HMAC_Start / SequenceUpdate / SequenceComplete.
  head -c 5000 /dev/urandom >big
  tpm2_hmac -c k.ctx --hex big >hb
  expect_eq "$(cat hb)" "$(openssl dgst -sha256 -mac HMAC -macopt hexkey:"$(hexof k)" -r big | cut -c1-64)" "hmac sequence"
}

sc_pcr__extend_read() {
  local d=$(printf 'anchor' | sha256sum | cut -c1-64)
  tpm2_pcrread sha256:16 -o before
  expect_eq "$(hexof before)" "$(printf '%064d' 0)" "PCR 16 after startup"
  tpm2_pcrextend "16:sha256=$d"
  tpm2_pcrread sha256:16 -o after
  expect_eq "$(hexof after)" "$( (hexof before; echo -n "$d") | unhex | sha256sum | cut -c1-64)" "extended PCR"
  tpm2_pcrextend "16:sha1=$(printf 'x' | sha1sum | cut -c1-40)"
  tpm2_pcrread sha1:16 -o s1
  expect_eq "$(hexof s1)" "$( (printf '%040d' 0; printf 'x' | sha1sum | cut -c1-40) | unhex | sha1sum | cut -c1-40)" "sha1 bank"
}

sc_pcr__event_reset() {
  printf 'event data' >e
  tpm2_pcrevent 16 e >/dev/null
  tpm2_pcrread sha256:16 -o v
  expect_eq "$(hexof v)" "$( (printf '%064d' 0; sha256hex e) | unhex | sha256sum | cut -c1-64)" "PCR_Event"
  tpm2_pcrreset 16
  tpm2_pcrread sha256:16 -o z
  expect_eq "$(hexof z)" "$(printf '%064d' 0)" "PCR 16 after PCR_Reset"
  expect_fail tpm2_pcrreset 0      # PCR 0 is not resettable from locality 0
}

sc_nv__ordinary() {
  head -c 32 /dev/urandom >data
  tpm2_nvdefine 0x1500016 -C o -s 32 -a "ownerread|ownerwrite|authread|authwrite"
  expect_fail tpm2_nvread 0x1500016 -C o -s 32    # not written yet: TPM_RC_NV_UNINITIALIZED
  tpm2_nvwrite 0x1500016 -C o -i data
  tpm2_nvread 0x1500016 -C o -s 32 -o back
  expect_eq "$(hexof back)" "$(hexof data)" "NV content"
  tpm2_nvread 0x1500016 -C o -s 8 --offset 8 -o part
  expect_eq "$(hexof part)" "$(hexof data | cut -c17-32)" "NV partial read"
  tpm2_nvreadpublic 0x1500016 | grep -q 'size: 32' || fail "NV_ReadPublic size"
  tpm2_nvundefine 0x1500016 -C o
  expect_fail tpm2_nvread 0x1500016 -C o -s 32
}

sc_nv__counter() {
  tpm2_nvdefine 0x1500017 -C o -s 8 -a "ownerread|ownerwrite|nt=counter"
  tpm2_nvincrement 0x1500017 -C o
  tpm2_nvread 0x1500017 -C o -s 8 -o c1
  tpm2_nvincrement 0x1500017 -C o
  tpm2_nvincrement 0x1500017 -C o
  tpm2_nvread 0x1500017 -C o -s 8 -o c2
  expect_eq "$(( 0x$(hexof c2) - 0x$(hexof c1) ))" 2 "counter increments"
  expect_fail tpm2_nvwrite 0x1500017 -C o -i c1    # counters cannot be written
}

sc_nv__bits_extend() {
  tpm2_nvdefine 0x1500018 -C o -s 8 -a "ownerread|ownerwrite|nt=bits"
  tpm2_nvsetbits 0x1500018 -C o -i 0x1
  tpm2_nvsetbits 0x1500018 -C o -i 0x14
  tpm2_nvread 0x1500018 -C o -s 8 -o b
  expect_eq "$(hexof b)" "0000000000000015" "bits OR-ed"
  tpm2_nvdefine 0x1500019 -C o -g sha256 -a "ownerread|ownerwrite|nt=extend"
  printf 'measure me' >x
  tpm2_nvextend 0x1500019 -C o -i x
  tpm2_nvread 0x1500019 -C o -o e
  expect_eq "$(hexof e)" "$( (printf '%064d' 0; hexof x) | unhex | sha256sum | cut -c1-64)" "NV_Extend"
}

sc_keys__rsa_sign() {
  printf 'message to sign' >m
  tpm2_createprimary -C o -c p.ctx >/dev/null
  tpm2_create -C p.ctx -G rsa2048 -u k.pub -r k.priv >/dev/null
  tpm2_load -C p.ctx -u k.pub -r k.priv -c k.ctx >/dev/null
  tpm2_readpublic -c k.ctx -f pem -o k.pem >/dev/null
  tpm2_sign -c k.ctx -g sha256 -s rsassa -f plain -o sig m
  openssl dgst -sha256 -verify k.pem -signature sig m >/dev/null || fail "openssl rejects the RSASSA signature"
  tpm2_sign -c k.ctx -g sha256 -s rsapss -f plain -o pss m
  openssl dgst -sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:-2 -verify k.pem \
    -signature pss m >/dev/null || fail "openssl rejects the RSAPSS signature"
  tpm2_sign -c k.ctx -g sha256 -o tss m
  tpm2_verifysignature -c k.ctx -g sha256 -m m -s tss -t ticket
  printf 'other' >m2
  expect_fail tpm2_verifysignature -c k.ctx -g sha256 -m m2 -s tss
}

sc_keys__ecc_sign() {
  printf 'message to sign' >m
  tpm2_createprimary -C o -G ecc -c p.ctx >/dev/null
  tpm2_create -C p.ctx -G ecc256 -u k.pub -r k.priv >/dev/null
  tpm2_load -C p.ctx -u k.pub -r k.priv -c k.ctx >/dev/null
  tpm2_readpublic -c k.ctx -f pem -o k.pem >/dev/null
  tpm2_sign -c k.ctx -g sha256 -s ecdsa -f plain -o sig m
  openssl dgst -sha256 -verify k.pem -signature sig m >/dev/null || fail "openssl rejects the ECDSA signature"
}

sc_keys__ecc384_sign() {
  printf 'message to sign with P-384' >m
  tpm2_createprimary -C o -G ecc -c p.ctx >/dev/null
  tpm2_create -C p.ctx -G ecc384:ecdsa-sha384 -u k.pub -r k.priv >/dev/null
  tpm2_load -C p.ctx -u k.pub -r k.priv -c k.ctx >/dev/null
  tpm2_readpublic -c k.ctx -f pem -o k.pem >/dev/null
  openssl ec -pubin -in k.pem -text -noout 2>/dev/null | grep -q 'P-384\|secp384r1' || fail "not a P-384 key"
  tpm2_sign -c k.ctx -g sha384 -s ecdsa -f plain -o sig m
  openssl dgst -sha384 -verify k.pem -signature sig m >/dev/null || fail "openssl rejects the P-384 signature"
}

sc_keys__primary_deterministic() {
  tpm2_createprimary -C e -G rsa2048 -c a.ctx -o a.pem -f pem >/dev/null
  tpm2_flushcontext -t
  tpm2_createprimary -C e -G rsa2048 -c b.ctx -o b.pem -f pem >/dev/null
  expect_eq "$(sha256hex b.pem)" "$(sha256hex a.pem)" "same template, same key"
  tpm2_flushcontext -t
  tpm2_createprimary -C e -G rsa2048 -u <(printf 'other unique') -c c.ctx -o c.pem -f pem >/dev/null 2>&1 ||
    tpm2_createprimary -C o -G rsa2048 -c c.ctx -o c.pem -f pem >/dev/null
  [ "$(sha256hex c.pem)" != "$(sha256hex a.pem)" ] || fail "a different template gave the same key"
}

sc_keys__evictcontrol() {
  tpm2_createprimary -C o -G ecc -c p.ctx >/dev/null
  tpm2_readpublic -c p.ctx -n n1 >/dev/null
  tpm2_evictcontrol -C o -c p.ctx 0x81000010 >/dev/null
  tpm2_getcap handles-persistent | grep -qi 0x81000010 || fail "persistent handle not listed"
  tpm2_readpublic -c 0x81000010 -n n2 >/dev/null
  expect_eq "$(hexof n2)" "$(hexof n1)" "persistent object name"
  tpm2_evictcontrol -C o -c 0x81000010 >/dev/null
  ! tpm2_getcap handles-persistent | grep -qi 0x81000010 || fail "persistent handle still listed"
}

sc_crypto__rsa_encrypt_decrypt() {
  head -c 48 /dev/urandom >msg
  tpm2_createprimary -C o -c p.ctx >/dev/null
  tpm2_create -C p.ctx -G rsa2048:oaep -a "decrypt|fixedtpm|fixedparent|sensitivedataorigin|userwithauth" \
    -u k.pub -r k.priv >/dev/null
  tpm2_load -C p.ctx -u k.pub -r k.priv -c k.ctx >/dev/null
  tpm2_rsaencrypt -c k.ctx -s oaep -o ct msg
  tpm2_rsadecrypt -c k.ctx -s oaep -o pt ct
  expect_eq "$(hexof pt)" "$(hexof msg)" "RSA OAEP round trip"
  tpm2_readpublic -c k.ctx -f pem -o k.pem >/dev/null
  openssl pkeyutl -encrypt -pubin -inkey k.pem -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256 -in msg -out ct2
  tpm2_rsadecrypt -c k.ctx -s oaep -o pt2 ct2
  expect_eq "$(hexof pt2)" "$(hexof msg)" "decrypt of an openssl OAEP ciphertext"
}

sc_crypto__aes_encrypt_decrypt() {
  head -c 64 /dev/urandom >msg
  tpm2_createprimary -C o -c p.ctx >/dev/null
  tpm2_create -C p.ctx -G aes128cfb -u k.pub -r k.priv >/dev/null
  tpm2_load -C p.ctx -u k.pub -r k.priv -c k.ctx >/dev/null
  head -c 16 /dev/urandom >iv
  tpm2_encryptdecrypt -c k.ctx -t iv -o ct msg
  [ "$(hexof ct)" != "$(hexof msg)" ] || fail "ciphertext equals plaintext"
  expect_eq "$(stat -c %s ct)" 64 "ciphertext length"
  tpm2_encryptdecrypt -d -c k.ctx -t iv -o pt ct
  expect_eq "$(hexof pt)" "$(hexof msg)" "AES-CFB round trip"
}

sc_crypto__aes_modes_vs_openssl() {
  # A known AES-128 key imported into the TPM: its CBC/CTR/ECB ciphertexts must equal openssl's.
  head -c 16 /dev/urandom >k
  head -c 16 /dev/urandom >iv
  head -c 64 /dev/urandom >msg
  tpm2_createprimary -C o -c p.ctx >/dev/null
  tpm2_import -C p.ctx -G aes -i k -u k.pub -r k.priv >/dev/null
  tpm2_load -C p.ctx -u k.pub -r k.priv -c k.ctx >/dev/null
  local mode
  for mode in cbc ctr ecb; do
    if [ $mode = ecb ]; then
      tpm2_encryptdecrypt -c k.ctx -G $mode -o ct.$mode msg
      openssl enc -aes-128-$mode -K "$(hexof k)" -nopad -in msg -out ref.$mode
    else
      tpm2_encryptdecrypt -c k.ctx -G $mode -t iv -o ct.$mode msg
      openssl enc -aes-128-$mode -K "$(hexof k)" -iv "$(hexof iv)" -nopad -in msg -out ref.$mode
    fi
    expect_eq "$(hexof ct.$mode)" "$(hexof ref.$mode)" "AES-128-$mode ciphertext vs openssl"
  done
}

sc_crypto__aes256_rsa3072() {
  # The larger sizes: AES-256-CBC against openssl, RSA-3072 PSS signature verified by openssl.
  head -c 32 /dev/urandom >k
  head -c 16 /dev/urandom >iv
  head -c 48 /dev/urandom >msg
  tpm2_createprimary -C o -c p.ctx >/dev/null
  tpm2_import -C p.ctx -G aes -i k -u k.pub -r k.priv >/dev/null
  tpm2_load -C p.ctx -u k.pub -r k.priv -c k.ctx >/dev/null
  tpm2_encryptdecrypt -c k.ctx -G cbc -t iv -o ct msg
  openssl enc -aes-256-cbc -K "$(hexof k)" -iv "$(hexof iv)" -nopad -in msg -out ref
  expect_eq "$(hexof ct)" "$(hexof ref)" "AES-256-CBC ciphertext vs openssl"
  tpm2_create -C p.ctx -G rsa3072 -u r.pub -r r.priv >/dev/null
  tpm2_load -C p.ctx -u r.pub -r r.priv -c r.ctx >/dev/null
  tpm2_readpublic -c r.ctx -f pem -o r.pem >/dev/null
  openssl rsa -pubin -in r.pem -text -noout 2>/dev/null | grep -q '3072 bit' || fail "not a 3072-bit key"
  tpm2_sign -c r.ctx -g sha256 -s rsapss -f plain -o sig msg
  openssl dgst -sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:-2 -verify r.pem \
    -signature sig msg >/dev/null || fail "openssl rejects the RSA-3072 PSS signature"
}

sc_crypto__ecdh() {
  tpm2_createprimary -C o -G ecc -c p.ctx >/dev/null
  tpm2_create -C p.ctx -G ecc256:ecdh -a "decrypt|fixedtpm|fixedparent|sensitivedataorigin|userwithauth" \
    -u k.pub -r k.priv >/dev/null
  tpm2_load -C p.ctx -u k.pub -r k.priv -c k.ctx >/dev/null
  tpm2_ecdhkeygen -c k.ctx -u eph.pub -o z1
  tpm2_ecdhzgen -c k.ctx -u eph.pub -o z2
  [ -s z1 ] || fail "no shared secret from ECDH_KeyGen"
  expect_eq "$(hexof z2)" "$(hexof z1)" "ECDH_ZGen(ephemeral) = ECDH_KeyGen's Z"
}

sc_seal__pcr_policy() {
  head -c 24 /dev/urandom >secret
  tpm2_startauthsession -S s.ctx
  tpm2_policypcr -S s.ctx -l sha256:16 -L pol >/dev/null
  tpm2_flushcontext s.ctx
  tpm2_createprimary -C o -c p.ctx >/dev/null
  tpm2_create -C p.ctx -L pol -i secret -u k.pub -r k.priv >/dev/null
  tpm2_load -C p.ctx -u k.pub -r k.priv -c k.ctx >/dev/null
  tpm2_unseal -c k.ctx -p pcr:sha256:16 -o out
  expect_eq "$(hexof out)" "$(hexof secret)" "unsealed secret"
  tpm2_pcrextend "16:sha256=$(printf '%064d' 1)"
  expect_fail tpm2_unseal -c k.ctx -p pcr:sha256:16 -o out2
}

sc_seal__password() {
  printf 'sealed with a password' >secret
  tpm2_createprimary -C o -c p.ctx >/dev/null
  tpm2_create -C p.ctx -p pw1 -i secret -u k.pub -r k.priv >/dev/null
  tpm2_load -C p.ctx -u k.pub -r k.priv -c k.ctx >/dev/null
  tpm2_unseal -c k.ctx -p pw1 -o out
  expect_eq "$(cat out)" "sealed with a password" "unsealed secret"
  expect_fail tpm2_unseal -c k.ctx -p wrong
  tpm2_changeauth -C p.ctx -c k.ctx -p pw1 -r k2.priv pw2 >/dev/null
  tpm2_load -C p.ctx -u k.pub -r k2.priv -c k2.ctx >/dev/null
  tpm2_unseal -c k2.ctx -p pw2 -o out2
  expect_eq "$(cat out2)" "sealed with a password" "unsealed after ObjectChangeAuth"
}

sc_attest__quote() {
  printf 'nonce-1234' >nonce
  tpm2_pcrextend "16:sha256=$(printf 'q' | sha256sum | cut -c1-64)"
  tpm2_createek -c ek.ctx -G rsa -u ek.pub >/dev/null
  tpm2_createak -C ek.ctx -c ak.ctx -G rsa -g sha256 -s rsassa -u ak.pub -n ak.name -f pem -p "" >/dev/null
  tpm2_readpublic -c ak.ctx -f pem -o ak.pem >/dev/null
  tpm2_quote -c ak.ctx -l sha256:0,16 -q "$(hexof nonce)" -m msg -s sig -o pcrs -g sha256 -f plain >/dev/null
  openssl dgst -sha256 -verify ak.pem -signature sig msg >/dev/null || fail "openssl rejects the quote signature"
  tpm2_quote -c ak.ctx -l sha256:0,16 -q "$(hexof nonce)" -m msg2 -s sig2 -o pcrs2 -g sha256 >/dev/null
  tpm2_checkquote -u ak.pem -m msg2 -s sig2 -f pcrs2 -g sha256 -q "$(hexof nonce)" >/dev/null ||
    fail "tpm2_checkquote rejects the quote"
  expect_fail tpm2_checkquote -u ak.pem -m msg2 -s sig2 -f pcrs2 -g sha256 -q 00112233
}

sc_attest__certify_gettime() {
  tpm2_createprimary -C o -c p.ctx >/dev/null
  tpm2_create -C p.ctx -G rsa2048 -u k.pub -r k.priv >/dev/null
  tpm2_load -C p.ctx -u k.pub -r k.priv -c k.ctx >/dev/null
  tpm2_readpublic -c k.ctx -f pem -o k.pem >/dev/null
  tpm2_certify -C k.ctx -c p.ctx -g sha256 -o att -s sig -f plain >/dev/null
  openssl dgst -sha256 -verify k.pem -signature sig att >/dev/null || fail "openssl rejects the certify signature"
  tpm2_gettime -c k.ctx -q cafe -o tsig --attestation tatt >/dev/null
  [ -s tatt ] || fail "no GetTime attestation"
}

sc_credential__make_activate() {
  head -c 16 /dev/urandom >secret
  tpm2_createek -c ek.ctx -G rsa -u ek.pub >/dev/null
  tpm2_createak -C ek.ctx -c ak.ctx -G rsa -g sha256 -s rsassa -u ak.pub -n ak.name >/dev/null
  tpm2_makecredential -T none -e ek.pub -s secret -n "$(hexof ak.name)" -o cred >/dev/null
  tpm2_startauthsession --policy-session -S s.ctx
  tpm2_policysecret -S s.ctx -c e >/dev/null
  tpm2_activatecredential -c ak.ctx -C ek.ctx -i cred -o got -P "session:s.ctx" >/dev/null
  tpm2_flushcontext s.ctx
  expect_eq "$(hexof got)" "$(hexof secret)" "activated credential"
  # A credential made for another EK (a different RSA storage key) must not activate here.
  tpm2_createprimary -C o -G rsa2048 -c other.ctx >/dev/null
  tpm2_readpublic -c other.ctx -o other.pub >/dev/null
  tpm2_makecredential -T none -e other.pub -s secret -n "$(hexof ak.name)" -o cred2 >/dev/null
  tpm2_startauthsession --policy-session -S s2.ctx
  tpm2_policysecret -S s2.ctx -c e >/dev/null
  expect_fail tpm2_activatecredential -c ak.ctx -C ek.ctx -i cred2 -o got2 -P "session:s2.ctx"
}

sc_da__lockout() {
  printf 'm' >m
  tpm2_dictionarylockout -s -n 3 -t 600 -l 600
  tpm2_createprimary -C o -c p.ctx >/dev/null
  tpm2_create -C p.ctx -G ecc256 -p good -u k.pub -r k.priv >/dev/null
  tpm2_load -C p.ctx -u k.pub -r k.priv -c k.ctx >/dev/null
  tpm2_sign -c k.ctx -p good -g sha256 -o s m
  local i
  for i in 1 2 3; do expect_fail tpm2_sign -c k.ctx -p bad -g sha256 -o s m; done
  tpm2_getcap properties-variable | grep -A1 TPM2_PT_LOCKOUT_COUNTER | grep -q 0x3 ||
    fail "lockout counter is not 3"
  # Locked out: even the right password is refused (TPM_RC_LOCKOUT 0x921).
  if tpm2_sign -c k.ctx -p good -g sha256 -o s m >>"$W/log" 2>&1; then fail "no lockout"; fi
  tail -3 "$W/log" | grep -qi '0x921\|lockout' || fail "not TPM_RC_LOCKOUT"
  tpm2_dictionarylockout -c
  tpm2_sign -c k.ctx -p good -g sha256 -o s m
}

sc_session__param_encryption() {
  head -c 32 /dev/urandom >data
  tpm2_createprimary -C o -c p.ctx >/dev/null
  tpm2_startauthsession --hmac-session -c p.ctx -S s.ctx        # salted with the primary
  tpm2_sessionconfig --enable-encrypt --enable-decrypt s.ctx
  tpm2_sessionconfig s.ctx | grep -q 'encrypt' || fail "session attributes not set"
  tpm2_getrandom -S s.ctx -o r 16
  expect_eq "$(stat -c %s r)" 16 "GetRandom over an encrypting session"
  tpm2_nvdefine 0x1500020 -C o -s 32 -a "ownerread|ownerwrite"
  tpm2_nvwrite 0x1500020 -C o -P "session:s.ctx" -i data
  tpm2_nvread 0x1500020 -C o -P "session:s.ctx" -s 32 -o back
  tpm2_flushcontext s.ctx
  expect_eq "$(hexof back)" "$(hexof data)" "NV data through encrypted parameters"
}

sc_policy__commandcode_authvalue() {
  printf 'policy sealed' >secret
  tpm2_startauthsession -S t.ctx
  tpm2_policycommandcode -S t.ctx TPM2_CC_Unseal >/dev/null
  tpm2_policyauthvalue -S t.ctx -L pol >/dev/null
  tpm2_flushcontext t.ctx
  tpm2_createprimary -C o -c p.ctx >/dev/null
  tpm2_create -C p.ctx -L pol -p objpw -a "fixedtpm|fixedparent" -i secret -u k.pub -r k.priv >/dev/null
  tpm2_load -C p.ctx -u k.pub -r k.priv -c k.ctx >/dev/null
  tpm2_startauthsession --policy-session -S s.ctx
  tpm2_policycommandcode -S s.ctx TPM2_CC_Unseal >/dev/null
  tpm2_policyauthvalue -S s.ctx >/dev/null
  tpm2_unseal -c k.ctx -p "session:s.ctx+objpw" -o out
  tpm2_flushcontext s.ctx
  expect_eq "$(cat out)" "policy sealed" "unsealed through PolicyCommandCode+PolicyAuthValue"
  tpm2_startauthsession --policy-session -S s2.ctx
  tpm2_policycommandcode -S s2.ctx TPM2_CC_Unseal >/dev/null
  tpm2_policyauthvalue -S s2.ctx >/dev/null
  expect_fail tpm2_unseal -c k.ctx -p "session:s2.ctx+wrongpw"
}

sc_nv__locks() {
  printf '0123456789abcdef' >data
  tpm2_nvdefine 0x1500021 -C o -s 16 -a "ownerread|ownerwrite|write_stclear|read_stclear"
  tpm2_nvwrite 0x1500021 -C o -i data
  tpm2_nvwritelock 0x1500021 -C o
  expect_fail tpm2_nvwrite 0x1500021 -C o -i data
  tpm2_nvread 0x1500021 -C o -s 16 -o back
  expect_eq "$(cat back)" "0123456789abcdef" "NV content after write lock"
  tpm2_nvreadlock 0x1500021 -C o
  expect_fail tpm2_nvread 0x1500021 -C o -s 16
  tpm2_nvreadpublic 0x1500021 | grep -q writelocked || fail "NV_ReadPublic does not show writelocked"
}

sc_clock__readclock() {
  tpm2_readclock >c1
  sleep 0.3
  tpm2_readclock >c2
  local t1 t2
  t1=$(awk '/^ *clock:/ {print $2; exit}' c1)
  t2=$(awk '/^ *clock:/ {print $2; exit}' c2)
  [ -n "$t1" ] && [ "$t2" -ge $((t1 + 200)) ] || fail "clock did not advance ($t1 -> $t2)"
  grep -q 'safe: *1\|safe: *yes' c2 || fail "clock not safe after startup"
}

sc_clock__clockset() {
  tpm2_readclock >c1
  local t1 target
  t1=$(awk '/^ *clock:/ {print $2; exit}' c1)
  target=$((t1 + 100000000))
  tpm2_setclock -c o "$target"
  tpm2_readclock >c2
  [ "$(awk '/^ *clock:/ {print $2; exit}' c2)" -ge "$target" ] || fail "ClockSet did not move the clock forward"
  expect_fail tpm2_setclock -c o "$t1"          # the clock never goes backwards
}

sc_policy__or_pcr_branches() {
  # Sealed under PolicyOR(PCR 16 = zero, PCR 16 = extended once): unseals in both states,
  # not after a second extend.
  printf 'either branch' >secret
  tpm2_startauthsession -S t.ctx
  tpm2_policypcr -S t.ctx -l sha256:16 -L p0 >/dev/null
  tpm2_flushcontext t.ctx
  local d=$(printf 'branch' | sha256sum | cut -c1-64)
  local v1=$( (printf '%064d' 0; echo -n "$d") | unhex | sha256sum | cut -c1-64)
  echo -n "$v1" | unhex >pcr1.bin
  tpm2_startauthsession -S t2.ctx
  tpm2_policypcr -S t2.ctx -l sha256:16 -f pcr1.bin -L p1 >/dev/null
  tpm2_flushcontext t2.ctx
  tpm2_startauthsession -S t3.ctx
  tpm2_policyor -S t3.ctx -l sha256:p0,p1 -L por >/dev/null
  tpm2_flushcontext t3.ctx
  tpm2_createprimary -C o -c p.ctx >/dev/null
  tpm2_create -C p.ctx -L por -i secret -u k.pub -r k.priv >/dev/null
  tpm2_load -C p.ctx -u k.pub -r k.priv -c k.ctx >/dev/null
  unseal_or() {
    tpm2_startauthsession --policy-session -S s.ctx
    tpm2_policypcr -S s.ctx -l sha256:16 >/dev/null
    tpm2_policyor -S s.ctx -l sha256:p0,p1 >/dev/null
    tpm2_unseal -c k.ctx -p session:s.ctx -o "$1"; local r=$?
    tpm2_flushcontext s.ctx
    return $r
  }
  unseal_or o1
  expect_eq "$(cat o1)" "either branch" "unsealed in branch 0"
  tpm2_pcrextend "16:sha256=$d"
  unseal_or o2
  expect_eq "$(cat o2)" "either branch" "unsealed in branch 1"
  tpm2_pcrextend "16:sha256=$d"
  if unseal_or o3 >>"$W/log" 2>&1; then fail "unsealed with PCR 16 in neither branch"; fi
}

sc_hierarchy__control() {
  tpm2_createprimary -C o -c p.ctx >/dev/null
  tpm2_hierarchycontrol -C p shEnable clear
  expect_fail tpm2_createprimary -C o -c p2.ctx
  tpm2_getcap properties-variable | grep -q 'shEnable: *0' || fail "shEnable still reported set"
  tpm2_createprimary -C e -c e.ctx >/dev/null      # the endorsement hierarchy is unaffected
}

sc_keys__loadexternal_verify() {
  printf 'signed by openssl' >m
  openssl ecparam -name prime256v1 -genkey -noout -out k.pem 2>/dev/null
  openssl ec -in k.pem -pubout -out pub.pem 2>/dev/null
  openssl dgst -sha256 -sign k.pem -out sig.der m
  tpm2_loadexternal -C o -G ecc -u pub.pem -c pub.ctx >/dev/null
  tpm2_verifysignature -c pub.ctx -g sha256 -m m -f ecdsa -s sig.der -t tk >/dev/null
  printf 'tampered' >m2
  expect_fail tpm2_verifysignature -c pub.ctx -g sha256 -m m2 -f ecdsa -s sig.der
}

sc_hierarchy__changeauth_clear() {
  tpm2_changeauth -c o ownerpw
  expect_fail tpm2_createprimary -C o -c p.ctx
  tpm2_createprimary -C o -P ownerpw -c p.ctx >/dev/null
  tpm2_getcap properties-variable | grep -q 'ownerAuthSet: *1' || fail "ownerAuthSet not reported"
  tpm2_clear -c l
  tpm2_getcap properties-variable | grep -q 'ownerAuthSet: *0' || fail "Clear kept the owner auth"
  tpm2_createprimary -C o -c p2.ctx >/dev/null
}

sc_getcap__properties() {
  tpm2_getcap properties-fixed >fixed
  grep -A2 TPM2_PT_FAMILY_INDICATOR fixed | grep -q '"2.0"' || fail "family indicator"
  tpm2_getcap commands >cmds
  for c in TPM2_CC_GetRandom TPM2_CC_PCR_Extend TPM2_CC_CreatePrimary TPM2_CC_Quote; do
    grep -q "$c" cmds || fail "$c missing from GetCapability(COMMANDS)"
  done
  tpm2_getcap pcrs | grep -q 'sha256: \[ 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23 \]' ||
    fail "sha256 bank not fully allocated"
  tpm2_getcap algorithms | grep -q '^sha256' || fail "sha256 not in ALGS"
  tpm2_getcap ecc-curves | grep -q 'TPM2_ECC_NIST_P256' || fail "P-256 not in ECC_CURVES"
}

sc_openssl__provider_sign() {
  # Keys generated inside the TPM by the tpm2 provider (TSS2 PRIVATE KEY files), signatures
  # made by the TPM, verified by plain openssl with the exported public key.
  printf 'signed through the tpm2 provider' >m
  openssl genpkey -provider tpm2 -algorithm EC -pkeyopt group:P-256 -out k.pem
  grep -q 'TSS2 PRIVATE KEY' k.pem || fail "not a TPM key"
  openssl pkey -provider tpm2 -provider base -in k.pem -pubout -out pub.pem
  openssl pkeyutl -provider tpm2 -provider base -sign -inkey k.pem -rawin -in m -out sig
  openssl pkeyutl -verify -pubin -inkey pub.pem -rawin -in m -sigfile sig >/dev/null ||
    fail "openssl rejects the provider's ECDSA signature"
  openssl genpkey -provider tpm2 -algorithm RSA -pkeyopt bits:2048 -out r.pem
  openssl pkey -provider tpm2 -provider base -in r.pem -pubout -out rpub.pem
  openssl pkeyutl -provider tpm2 -provider base -sign -inkey r.pem -rawin -in m -out rsig
  openssl pkeyutl -verify -pubin -inkey rpub.pem -rawin -in m -sigfile rsig >/dev/null ||
    fail "openssl rejects the provider's RSA signature"
}

# Scenario files of the engine families (same helpers): tests/tpm2-tools/scenarios-*.sh
for f in "$HERE"/scenarios-*.sh; do [ -f "$f" ] && . "$f"; done

# ---- driver ------------------------------------------------------------------------------------

declare -A EXPECT
if [ -f "$EXPECTED" ]; then
  while read -r name _; do
    case "$name" in ''|'#'*) ;; *) EXPECT[$name]=1 ;; esac
  done <"$EXPECTED"
fi

# run_one <kind> <function> <dir>: 0 pass, 1 fail.
run_one() {
  local kind=$1 fn=$2 dir=$3
  mkdir -p "$dir"
  W=$dir
  : >"$dir/log"
  start_tpm "$kind" "$dir" || return 1
  # errexit only works outside any if/&&/|| context, so callers use `run_one ...; rc=$?`.
  (
    cd "$dir" || exit 1
    set -eE -o pipefail
    trap 'echo "line $LINENO: $BASH_COMMAND" >"$W/reason"' ERR
    "$fn"
  ) >>"$dir/log" 2>&1 &
  local sc=$!
  # Watchdog: a TPM that hangs is killed, which makes the waiting tool fail.
  ( for _ in $(seq $((${SCENARIO_TIMEOUT:-90} * 5))); do sleep 0.2; done   # no long-lived orphan
    echo "timed out after ${SCENARIO_TIMEOUT:-90}s" >"$dir/timeout"
    kill "$TPM_PID" "$ABRMD_PID" ) >/dev/null 2>&1 &
  local wd=$!
  wait "$sc"
  local rc=$?
  kill "$wd" 2>/dev/null; wait "$wd" 2>/dev/null
  [ -f "$dir/timeout" ] && { cat "$dir/timeout" >"$dir/reason"; rc=1; }
  stop_tpm
  return $rc
}

# The TPM response code behind a failure, from tpm2-tools' messages.
failure_rc() {
  local rc
  rc=$(cat "$1/log" "$1/abrmd.log" 2>/dev/null | grep -ohiE '(ErrorCode \(|\(|RC: )0x[0-9a-f]{2,8}\)' |
    tail -1 | grep -oiE '0x[0-9a-f]+')
  echo "${rc:-$(head -c 120 "$1/reason" 2>/dev/null | tr '\n' ' ')}"
}

reason_of() { tr '\n' ' ' <"$1/reason" 2>/dev/null | head -c 200; }

have_anchor=1
[ -x "$ANCHOR_TPMD" ] || have_anchor=0

for fn in $(declare -F | awk '{print $3}' | grep '^sc_'); do
  name=${fn#sc_}; name=${name/__//}
  match=0
  for p in "${PATTERNS[@]}"; do [[ $name == $p ]] && match=1; done
  [ $match = 1 ] || continue
  if [ "${ONLY:-}" != anchor ]; then
    run_one swtpm "$fn" "$WORK/$fn.swtpm"; rc=$?
    if [ $rc = 0 ]; then
      echo "ok - $name [swtpm]"
    else
      echo "not ok - $name [swtpm] $(reason_of "$WORK/$fn.swtpm") (reference failed: test bug?)"
    fi
  fi
  [ "${ONLY:-}" = swtpm ] && continue
  if [ $have_anchor = 0 ]; then
    echo "skip - $name [anchor] anchor-tpmd is not built (the engine has not landed)"
    continue
  fi
  run_one anchor "$fn" "$WORK/$fn.anchor"; rc=$?
  if [ $rc = 0 ]; then
    if [ -n "${EXPECT[$name]:-}" ]; then
      echo "ok - $name [anchor]"
    else
      echo "skip - $name [anchor] passes now but is not in expected-anchor.txt: add it"
    fi
  elif [ -n "${EXPECT[$name]:-}" ]; then
    echo "not ok - $name [anchor] $(reason_of "$WORK/$fn.anchor") rc=$(failure_rc "$WORK/$fn.anchor")"
    [ -n "${VERBOSE:-}" ] && sed 's/^/#   /' "$WORK/$fn.anchor/log" | tail -20
  else
    echo "skip - $name [anchor] not yet implemented ($(failure_rc "$WORK/$fn.anchor"))"
  fi
done
exit 0
