# Scenarios of issue 9 (features missing from the engine until then), sourced by run.sh: the
# reference behaviour of PolicyNV's signed comparisons, attestation with HMAC keys, symmetric
# storage parents, PIN indices, ECDAA, the H-CRTM sequence and derived/stClear objects.  Each
# runs against swtpm and anchor-tpmd; tests/unit/tpm2_features_vs_libtpms.py compares the
# same features response by response.

sc_policy__nv_signed_compare() {
  # The reference implementation's signed order (SignedCompareB): a non-negative operand is
  # greater than a negative one, and two negative operands compare in reversed unsigned order,
  # so NV 0x81 is "greater" than operandB 0x82.
  tpm2_nvdefine 0x1500040 -C o -s 1 -a "ownerread|ownerwrite"
  printf '\x81' >a
  tpm2_nvwrite 0x1500040 -C o -i a
  printf '\x82' >b
  printf '\x01' >pos
  tpm2_startauthsession --policy-session -S s.ctx
  tpm2_policynv -S s.ctx -C o -i b 0x1500040 sgt >/dev/null
  tpm2_policynv -S s.ctx -C o -i b 0x1500040 sge >/dev/null
  expect_fail tpm2_policynv -S s.ctx -C o -i b 0x1500040 slt
  expect_fail tpm2_policynv -S s.ctx -C o -i b 0x1500040 sle
  expect_fail tpm2_policynv -S s.ctx -C o -i pos 0x1500040 sgt   # negative < positive
  tpm2_policynv -S s.ctx -C o -i pos 0x1500040 slt >/dev/null
  tpm2_policynv -S s.ctx -C o -i b 0x1500040 ult >/dev/null        # unsigned: 0x81 < 0x82
  tpm2_flushcontext s.ctx
}

# hmac_sig_ok <sigfile> <keyfile> <message>: the TPMT_SIGNATURE is HMAC-SHA256(key, SHA-256(message)).
hmac_sig_ok() {
  local want
  want=$(sha256sum "$3" | cut -c1-64 | unhex |
         openssl dgst -sha256 -mac HMAC -macopt hexkey:"$(hexof "$2")" -r | cut -c1-64)
  expect_eq "$(hexof "$1")" "0005000b$want" "HMAC signature of $3"
}

sc_attest__hmac_key() {
  # Attestation signed by an HMAC key (the reference TPM's keyed-hash "signature"), checked
  # against openssl with the imported key bytes, and by the TPM's own VerifySignature.
  head -c 32 /dev/urandom >k
  tpm2_createprimary -C o -c p.ctx >/dev/null
  tpm2_import -C p.ctx -G hmac -i k -u k.pub -r k.priv >/dev/null
  tpm2_load -C p.ctx -u k.pub -r k.priv -c k.ctx >/dev/null
  tpm2_quote -c k.ctx -l sha256:0,1,16 -q abcd -m quote.msg -s quote.sig -g sha256 >/dev/null
  hmac_sig_ok quote.sig k quote.msg
  tpm2_verifysignature -c k.ctx -g sha256 -m quote.msg -s quote.sig >/dev/null
  tpm2_certify -c p.ctx -C k.ctx -g sha256 -o cert.msg -s cert.sig >/dev/null
  hmac_sig_ok cert.sig k cert.msg
  tpm2_gettime -c k.ctx -o time.sig --attestation time.msg >/dev/null
  hmac_sig_ok time.sig k time.msg
  tpm2_nvdefine 0x1500041 -C o -s 8 -a "ownerread|ownerwrite"
  printf 'certify!' >d
  tpm2_nvwrite 0x1500041 -C o -i d
  tpm2_nvcertify -C k.ctx -g sha256 -o nv.sig --attestation nv.msg -c o --size 8 0x1500041 >/dev/null
  hmac_sig_ok nv.sig k nv.msg
  tpm2_getcommandauditdigest -c k.ctx -g sha256 -m audit.msg -s audit.sig >/dev/null
  hmac_sig_ok audit.sig k audit.msg
  printf 'tampered' >>quote.msg
  expect_fail tpm2_verifysignature -c k.ctx -g sha256 -m quote.msg -s quote.sig
}

sc_keys__symmetric_parent() {
  # `tpm2 createprimary -G aes` makes a restricted-decrypt AES storage parent; objects under
  # it are created, loaded and used in every hierarchy and with every name algorithm.
  printf 'sealed under an AES parent' >secret
  local h g
  for h in o e p n; do
    for g in sha1 sha256 sha384; do
      tpm2_createprimary -C $h -G aes -g $g -c p.ctx >/dev/null
      tpm2_readpublic -c p.ctx >pub.txt
      grep -A1 '^type:' pub.txt | grep -q symcipher || fail "not a symcipher parent ($h $g)"
      grep -q 'restricted' pub.txt || fail "not restricted ($h $g)"
      tpm2_create -C p.ctx -g $g -i secret -u s.pub -r s.priv >/dev/null
      tpm2_load -C p.ctx -u s.pub -r s.priv -c s.ctx >/dev/null
      expect_eq "$(tpm2_unseal -c s.ctx)" "sealed under an AES parent" "unseal under $h/$g"
      tpm2_flushcontext -t
    done
  done
  tpm2_createprimary -C o -G aes256cfb -c p.ctx >/dev/null
  tpm2_create -C p.ctx -G ecc256 -u k.pub -r k.priv >/dev/null
  tpm2_load -C p.ctx -u k.pub -r k.priv -c k.ctx >/dev/null
  printf 'signed by a child of an AES parent' >m
  tpm2_sign -c k.ctx -g sha256 -f plain -o sig m
  tpm2_readpublic -c k.ctx -f pem -o k.pem >/dev/null
  openssl dgst -sha256 -verify k.pem -signature sig m >/dev/null || fail "openssl rejects the signature"
  # a storage child that stays under its parent must use the parent's algorithms
  expect_fail tpm2_create -C p.ctx -G aes128cfb -a "restricted|decrypt|fixedtpm|fixedparent|sensitivedataorigin|userwithauth" -u c.pub -r c.priv
}

# pin_counters <index>: "pinCount pinLimit" read with owner authorization.
pin_counters() {
  tpm2_nvread "$1" -C o -s 8 -o pc
  od -An -tu4 --endian=big pc | awk '{print $1, $2}'
}

sc_nv__pin_fail() {
  # PIN Fail: the authValue works while pinCount < pinLimit; failures count, a success
  # resets the count; at the limit even the right PIN is refused.
  tpm2_nvdefine 0x1500042 -C o -s 8 -p pin -a "nt=pinfail|ownerwrite|ownerread|authread|no_da"
  tpm2_nvreadpublic 0x1500042 | grep -q 'value: 0x2060082' || fail "attributes (TPM_NT_PIN_FAIL) not as defined"
  expect_fail tpm2_nvread 0x1500042 -P pin -s 8            # not written yet
  printf '\0\0\0\0\0\0\0\2' >limit2
  tpm2_nvwrite 0x1500042 -C o -i limit2
  tpm2_nvread 0x1500042 -P pin -s 8 >/dev/null
  expect_fail tpm2_nvread 0x1500042 -P wrong -s 8
  expect_eq "$(pin_counters 0x1500042)" "1 2" "count after one failure"
  tpm2_nvread 0x1500042 -P pin -s 8 >/dev/null
  expect_eq "$(pin_counters 0x1500042)" "0 2" "count after a success"
  expect_fail tpm2_nvread 0x1500042 -P wrong -s 8
  expect_fail tpm2_nvread 0x1500042 -P wrong -s 8
  expect_fail tpm2_nvread 0x1500042 -P pin -s 8            # locked at the limit
  expect_eq "$(pin_counters 0x1500042)" "2 2" "count at the limit"
  tpm2_nvwrite 0x1500042 -C o -i limit2                     # the owner resets it
  tpm2_nvread 0x1500042 -P pin -s 8 >/dev/null
  expect_fail tpm2_nvdefine 0x1500043 -C o -s 8 -a "nt=pinfail|ownerwrite|ownerread|authread"
}

sc_nv__pin_pass() {
  # PIN Pass: every successful use of the authValue counts, up to pinLimit.
  tpm2_nvdefine 0x1500044 -C o -s 8 -p pin -a "nt=pinpass|ownerwrite|ownerread|authread"
  printf '\0\0\0\0\0\0\0\2' >limit2
  tpm2_nvwrite 0x1500044 -C o -i limit2
  tpm2_nvread 0x1500044 -P pin -s 8 >/dev/null
  tpm2_nvread 0x1500044 -P pin -s 8 >/dev/null
  expect_fail tpm2_nvread 0x1500044 -P pin -s 8
  expect_eq "$(pin_counters 0x1500044)" "2 2" "uses counted"
  expect_fail tpm2_nvdefine 0x1500045 -C o -s 4 -a "nt=pinpass|ownerwrite|ownerread|authread"
}

sc_keys__ecdaa() {
  # ECDAA (`-G ecc256:ecdaa`): Commit, then a signature with that commitment, verified with the
  # DAA equation [s]G = E + [H(nonceK || digest)]Q (ecdaa_check.py); a commitment signs once.
  tpm2_createprimary -C o -c p.ctx >/dev/null
  tpm2_create -C p.ctx -u k.pub -r k.priv -G ecc256:ecdaa >/dev/null
  tpm2_load -C p.ctx -u k.pub -r k.priv -c k.ctx >/dev/null
  tpm2_readpublic -c k.ctx -o kpub.bin >/dev/null
  tpm2_commit -c k.ctx -t count --eccpoint-K K --eccpoint-L L -u E
  local idx
  idx=$(od -An -tu2 --endian=big count | tr -d ' ')
  printf 'signed anonymously' >m
  tpm2_sign -c k.ctx -g sha256 -s ecdaa --commit-index "$idx" -o sig m
  "$HERE/ecdaa_check.py" kpub.bin E sig m >>"$W/log" || fail "ECDAA signature does not verify"
  expect_fail tpm2_sign -c k.ctx -g sha256 -s ecdaa --commit-index "$idx" -o sig2 m
  tpm2_commit -c k.ctx -t count2 -u E2
  expect_eq "$(od -An -tu2 --endian=big count2 | tr -d ' ')" "$((idx + 1))" "second commit counter"
  tpm2_ecephemeral -u q.bin -t ctr ecc256
  expect_eq "$(od -An -tu2 --endian=big ctr | tr -d ' ')" "$((idx + 2))" "EC_Ephemeral counter"
  expect_eq "$(stat -c %s q.bin)" 70 "EC_Ephemeral point size"
}

sc_session__linux_kernel_style() {
  # The Linux kernel's TPM HMAC sessions (drivers/char/tpm/tpm2-sessions.c) as a command
  # sequence: the NULL-hierarchy ECC P-256 primary with the kernel's template (restricted
  # decrypt, AES-128-CFB, noDA), its Name read back, its context saved and loaded again, an
  # ECC-salted HMAC session (AES-128-CFB, SHA-256) to it, and commands with response /
  # command parameter encryption through that session.
  tpm2_createprimary -C n -g sha256 -G ecc256:null:aes128cfb \
    -a "fixedtpm|fixedparent|sensitivedataorigin|userwithauth|noda|restricted|decrypt" -c null.ctx >/dev/null
  tpm2_readpublic -c null.ctx -n null.name >/dev/null
  expect_eq "$(stat -c %s null.name)" 34 "Name of the NULL primary (SHA-256)"
  tpm2_startauthsession --hmac-session -c null.ctx -S s.ctx -g sha256
  tpm2_sessionconfig --enable-encrypt s.ctx
  tpm2_getrandom -S s.ctx -o r 16
  expect_eq "$(stat -c %s r)" 16 "GetRandom through the salted encrypting session"
  tpm2_sessionconfig --enable-decrypt --enable-encrypt s.ctx
  head -c 32 /dev/urandom >data
  tpm2_nvdefine 0x1500046 -C o -s 32 -a "ownerread|ownerwrite"
  tpm2_nvwrite 0x1500046 -C o -P "session:s.ctx" -i data
  tpm2_nvread 0x1500046 -C o -P "session:s.ctx" -s 32 -o back
  expect_eq "$(hexof back)" "$(hexof data)" "NV data through the session"
  tpm2_flushcontext s.ctx
}

sc_tools__admin_misc() {
  # Tools not covered elsewhere, with their main options: self tests, TestParms,
  # ECC_Parameters, ClockRateAdjust, ClearControl, ChangePPS/EPS, raw commands, rc decoding.
  tpm2_selftest -f
  tpm2_incrementalselftest rsa ecc aes >/dev/null
  tpm2_gettestresult | grep -q 'success' || fail "GetTestResult not success"
  tpm2_testparms rsa2048
  tpm2_testparms ecc256:ecdaa
  tpm2_testparms aes128cfb
  expect_fail tpm2_testparms rsa1000
  tpm2_geteccparameters ecc256 -o ecc.params
  expect_eq "$(stat -c %s ecc.params)" 217 "TPMS_ALGORITHM_DETAIL_ECC of P-256"
  tpm2_clockrateadjust ss
  tpm2_clockrateadjust fff
  tpm2_clearcontrol -C p s
  expect_fail tpm2_clear -c p
  tpm2_clearcontrol -C p c
  tpm2_createprimary -C p -c pp.ctx >/dev/null
  tpm2_readpublic -c pp.ctx -n n1 >/dev/null
  tpm2_flushcontext -t
  tpm2_changepps
  tpm2_createprimary -C p -c pp2.ctx >/dev/null
  tpm2_readpublic -c pp2.ctx -n n2 >/dev/null
  [ "$(hexof n1)" != "$(hexof n2)" ] || fail "ChangePPS kept the platform primary"
  tpm2_changeeps
  printf '\x80\x01\x00\x00\x00\x0c\x00\x00\x01\x7b\x00\x08' | tpm2_send >rsp
  expect_eq "$(head -c 12 rsp | od -An -tx1 | tr -d ' \n')" "800100000014000000000008" "raw GetRandom(8) via tpm2_send"
  tpm2_rc_decode 0x9a2 | grep -q 'authorization failure' || fail "tpm2_rc_decode"
}

sc_tools__policy_misc() {
  # Policy tools not covered elsewhere: PolicyCpHash, PolicyNameHash, PolicyRestart,
  # PolicyGetDigest, tpm2_createpolicy; CertifyCreation (verified with openssl), tpm2_print.
  { printf '\x00\x20'; head -c 32 /dev/zero; } >cp
  tpm2_startauthsession -S s.ctx
  tpm2_policycphash -S s.ctx --cphash-input cp -L p1 >/dev/null
  tpm2_policyrestart -S s.ctx
  tpm2_getpolicydigest -S s.ctx -o d0 >/dev/null
  expect_eq "$(hexof d0)" "$(printf '%064d' 0)" "digest after PolicyRestart"
  head -c 32 /dev/zero >nh
  tpm2_policynamehash -S s.ctx -n nh -L p2 >/dev/null
  tpm2_flushcontext s.ctx
  expect_eq "$(stat -c %s p2)" 32 "PolicyNameHash digest"
  tpm2_createpolicy --policy-pcr -l sha256:0,1 -L pcr.pol >/dev/null
  expect_eq "$(stat -c %s pcr.pol)" 32 "tpm2_createpolicy PCR policy"
  tpm2_createprimary -C o -c p.ctx --creation-data cd.bin --creation-ticket tk.bin -d ch.bin >/dev/null
  tpm2_createprimary -C e -G ecc:ecdsa-sha256 -a "fixedtpm|fixedparent|sensitivedataorigin|userwithauth|sign" -c sig.ctx >/dev/null
  tpm2_certifycreation -C sig.ctx -c p.ctx -d ch.bin -t tk.bin -g sha256 -o sig.bin \
    --attestation att.bin -f plain -s ecdsa >/dev/null
  tpm2_readpublic -c p.ctx -o p.pub >/dev/null
  tpm2_print -t TPM2B_PUBLIC p.pub >printed
  grep -q 'name-alg' printed || fail "tpm2_print of the public area"
  tpm2_readpublic -c sig.ctx -f pem -o sig.pem >/dev/null
  openssl dgst -sha256 -verify sig.pem -signature sig.bin att.bin >/dev/null ||
    fail "CertifyCreation signature does not verify"
}
