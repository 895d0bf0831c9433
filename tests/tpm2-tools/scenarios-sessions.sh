# Sessions/policy/attestation scenarios for tests/tpm2-tools/run.sh (sourced by it; same
# helpers and conventions: each sc_<family>__<name> runs in a fresh TPM's work directory).
# Expected policy digests are recomputed here from Part 3's formulas with python's hashlib,
# so a scenario that passes on swtpm proves the formula and on anchor-tpmd our engine.

# pdigest <step-hex>...: policyDigest after extending 32 zero bytes with each step (each step
# is the hex of commandCode || arguments; "OR:<d1>,<d2>" resets and hashes the list).
pdigest() {
  python3 - "$@" <<'EOF'
import hashlib, sys
d = bytes(32)
for step in sys.argv[1:]:
    if step.startswith("OR:"):
        d = hashlib.sha256(bytes(32) + bytes.fromhex("00000171") +
                           b"".join(bytes.fromhex(x) for x in step[3:].split(","))).digest()
    elif step.startswith("REF:"):
        d = hashlib.sha256(d + bytes.fromhex(step[4:])).digest()
    else:
        d = hashlib.sha256(d + bytes.fromhex(step)).digest()
print(d.hex())
EOF
}

sc_policy__trial_digests() {
  local zero32 pcr16 want
  zero32=$(printf '%064d' 0)
  tpm2_startauthsession -S t.ctx
  tpm2_policycommandcode -S t.ctx -L cc TPM2_CC_NV_Read >/dev/null
  expect_eq "$(hexof cc)" "$(pdigest 0000016c0000014e)" "PolicyCommandCode(NV_Read)"
  tpm2_policylocality -S t.ctx -L loc 3 >/dev/null
  expect_eq "$(hexof loc)" "$(pdigest 0000016c0000014e 0000016f03)" "+PolicyLocality(3)"
  tpm2_policyauthvalue -S t.ctx -L av >/dev/null
  expect_eq "$(hexof av)" "$(pdigest 0000016c0000014e 0000016f03 0000016b)" "+PolicyAuthValue"
  tpm2_policynvwritten -S t.ctx -L nw s >/dev/null
  expect_eq "$(hexof nw)" "$(pdigest 0000016c0000014e 0000016f03 0000016b 0000018f01)" "+PolicyNvWritten(YES)"
  tpm2_flushcontext t.ctx
  # PolicyPCR over sha256:16 (all zeros after a reset): H(selection) and H(PCR values)
  pcr16=$(printf '%s' "$zero32" | unhex | sha256sum | cut -c1-64)
  tpm2_startauthsession -S p.ctx
  tpm2_policypcr -S p.ctx -l sha256:16 -L pcr >/dev/null
  expect_eq "$(hexof pcr)" "$(pdigest "0000017f00000001000b03000001$pcr16")" "PolicyPCR(sha256:16)"
  tpm2_flushcontext p.ctx
  # PolicyPassword has PolicyAuthValue's digest
  tpm2_startauthsession -S w.ctx
  tpm2_policypassword -S w.ctx -L pw >/dev/null
  expect_eq "$(hexof pw)" "$(pdigest 0000016b)" "PolicyPassword"
  tpm2_flushcontext w.ctx
  # PolicyOR of the two
  tpm2_startauthsession -S o.ctx
  tpm2_policyor -S o.ctx -L or -l "sha256:cc,pw" >/dev/null
  expect_eq "$(hexof or)" "$(pdigest "OR:$(hexof cc),$(hexof pw)")" "PolicyOR"
  tpm2_flushcontext o.ctx
  # PolicySecret(owner) in a trial session: PolicyUpdate with an empty policyRef
  tpm2_startauthsession -S s.ctx
  tpm2_policysecret -S s.ctx -c o -L sec >/dev/null
  expect_eq "$(hexof sec)" "$(pdigest 0000015140000001 REF:)" "PolicySecret(owner)"
  tpm2_flushcontext s.ctx
}

sc_policy__nv_policy_read() {
  printf 'nv+policy' >data
  tpm2_startauthsession -S t.ctx
  tpm2_policycommandcode -S t.ctx -L pol TPM2_CC_NV_Read >/dev/null
  tpm2_flushcontext t.ctx
  tpm2_nvdefine 0x1500030 -C o -s 9 -a "ownerwrite|policyread" -L pol
  tpm2_nvwrite 0x1500030 -C o -i data
  tpm2_startauthsession --policy-session -S s.ctx
  tpm2_policycommandcode -S s.ctx TPM2_CC_NV_Read >/dev/null
  tpm2_nvread 0x1500030 -C 0x1500030 -P session:s.ctx -s 9 -o back
  tpm2_flushcontext s.ctx
  expect_eq "$(cat back)" "nv+policy" "NV read through a policy session"
  # the wrong command code in the session: policy digest differs -> refused
  tpm2_startauthsession --policy-session -S s2.ctx
  tpm2_policycommandcode -S s2.ctx TPM2_CC_NV_Write >/dev/null
  expect_fail tpm2_nvread 0x1500030 -C 0x1500030 -P session:s2.ctx -s 9 -o back2
  tpm2_flushcontext s2.ctx
  # no policy session at all (password): the index only allows policy reads
  expect_fail tpm2_nvread 0x1500030 -C 0x1500030 -s 9 -o back3
}

sc_policy__secret_owner() {
  printf 'owner-gated' >data
  tpm2_changeauth -c o ownerpw
  tpm2_startauthsession -S t.ctx
  tpm2_policysecret -S t.ctx -c o -L pol ownerpw >/dev/null
  tpm2_flushcontext t.ctx
  tpm2_nvdefine 0x1500032 -C o -P ownerpw -s 11 -a "ownerwrite|policyread" -L pol
  tpm2_nvwrite 0x1500032 -C o -P ownerpw -i data
  tpm2_startauthsession --policy-session -S s.ctx
  tpm2_policysecret -S s.ctx -c o ownerpw >/dev/null
  tpm2_nvread 0x1500032 -C 0x1500032 -P session:s.ctx -s 11 -o back
  tpm2_flushcontext s.ctx
  expect_eq "$(cat back)" "owner-gated" "NV read gated by PolicySecret(owner)"
  tpm2_startauthsession --policy-session -S s2.ctx
  expect_fail tpm2_policysecret -S s2.ctx -c o wrongpw
}

sc_session__hmac_bound() {
  printf '12345678' >data
  tpm2_changeauth -c o ownerpw
  # bound to the owner hierarchy: the sessionKey comes from ownerAuth
  tpm2_startauthsession --hmac-session --bind-context o --bind-auth ownerpw -S b.ctx
  tpm2_nvdefine 0x1500031 -C o -P "session:b.ctx+ownerpw" -s 8 -a "ownerread|ownerwrite"
  tpm2_nvwrite 0x1500031 -C o -P "session:b.ctx+ownerpw" -i data
  # an unbound HMAC session with parameter encryption both ways
  tpm2_startauthsession --hmac-session -S u.ctx
  tpm2_sessionconfig --enable-encrypt --enable-decrypt u.ctx
  tpm2_nvread 0x1500031 -C o -P "session:u.ctx+ownerpw" -s 8 -o back
  expect_eq "$(cat back)" "12345678" "NV data through HMAC sessions"
  expect_fail tpm2_nvread 0x1500031 -C o -P "session:u.ctx+wrongpw" -s 8 -o back2
  tpm2_flushcontext b.ctx
}

sc_attest__command_audit() {
  tpm2_createek -c ek.ctx -G rsa -u ek.pub >/dev/null
  tpm2_createak -C ek.ctx -c ak.ctx -G ecc -g sha256 -s ecdsa -u ak.pub -n ak.name >/dev/null
  tpm2_readpublic -c ak.ctx -f pem -o ak.pem >/dev/null
  tpm2_setcommandauditstatus -g sha256 TPM2_CC_GetRandom
  tpm2_getrandom 8 >/dev/null
  tpm2_getrandom 8 >/dev/null
  tpm2_getcommandauditdigest -c ak.ctx -g sha256 -m att -s sig -f plain >/dev/null
  openssl dgst -sha256 -verify ak.pem -signature sig att >/dev/null ||
    fail "openssl rejects the command audit signature"
  # TPMS_ATTEST type TPM_ST_ATTEST_COMMAND_AUDIT (0x8015) after the magic ff544347
  [ "$(hexof att | cut -c1-12)" = ff5443478015 ] || fail "not a command-audit attestation"
}

sc_attest__session_audit() {
  tpm2_createek -c ek.ctx -G rsa -u ek.pub >/dev/null
  tpm2_createak -C ek.ctx -c ak.ctx -G ecc -g sha256 -s ecdsa -u ak.pub -n ak.name >/dev/null
  tpm2_readpublic -c ak.ctx -f pem -o ak.pem >/dev/null
  tpm2_startauthsession -S a.ctx --audit-session
  tpm2_getrandom 8 -S a.ctx >/dev/null
  tpm2_getrandom 8 -S a.ctx >/dev/null
  tpm2_getsessionauditdigest -c ak.ctx -g sha256 -m att -s sig -S a.ctx -f plain >/dev/null
  openssl dgst -sha256 -verify ak.pem -signature sig att >/dev/null ||
    fail "openssl rejects the session audit signature"
  [ "$(hexof att | cut -c1-12)" = ff5443478016 ] || fail "not a session-audit attestation"
  tpm2_flushcontext a.ctx
}

sc_attest__nv_certify() {
  printf 'certified-nv' >data
  tpm2_createprimary -C o -c p.ctx >/dev/null
  tpm2_create -C p.ctx -G ecc -u k.pub -r k.priv >/dev/null
  tpm2_load -C p.ctx -u k.pub -r k.priv -c k.ctx >/dev/null
  tpm2_readpublic -c k.ctx -f pem -o k.pem >/dev/null
  tpm2_nvdefine 0x1500033 -C o -s 12 -a "ownerread|ownerwrite|authread|authwrite"
  tpm2_nvwrite 0x1500033 -C o -i data
  tpm2_nvcertify -C k.ctx -g sha256 -o sig -f plain --attestation att --size 12 0x1500033 >/dev/null
  openssl dgst -sha256 -verify k.pem -signature sig att >/dev/null ||
    fail "openssl rejects the NV_Certify signature"
  hexof att | grep -q "$(hexof data)" || fail "NV contents not in the attestation"
}

sc_session__salted_ecc() {
  head -c 16 /dev/urandom >data
  tpm2_createprimary -C o -G ecc -c p.ctx >/dev/null
  tpm2_startauthsession --hmac-session -c p.ctx -S s.ctx     # ECC salt (ECDH + KDFe)
  tpm2_sessionconfig --enable-encrypt --enable-decrypt s.ctx
  tpm2_nvdefine 0x1500034 -C o -s 16 -a "ownerread|ownerwrite"
  tpm2_nvwrite 0x1500034 -C o -P "session:s.ctx" -i data
  tpm2_nvread 0x1500034 -C o -P "session:s.ctx" -s 16 -o back
  tpm2_flushcontext s.ctx
  expect_eq "$(hexof back)" "$(hexof data)" "NV data through an ECC-salted encrypting session"
}

sc_policy__authorize() {
  printf 'authorized seal' >secret
  openssl genrsa -out sk.pem 2048 2>/dev/null
  openssl rsa -in sk.pem -pubout -out spub.pem 2>/dev/null
  tpm2_loadexternal -G rsa -C o -u spub.pem -c sk.ctx -n sk.name >/dev/null
  # the policy approved by the key: PolicyPCR(sha256:16)
  tpm2_startauthsession -S t.ctx
  tpm2_policypcr -S t.ctx -l sha256:16 -L pcr.policy >/dev/null
  tpm2_flushcontext t.ctx
  # the object's policy: PolicyAuthorize(key)
  tpm2_startauthsession -S t2.ctx
  tpm2_policyauthorize -S t2.ctx -L auth.policy -n sk.name -i pcr.policy >/dev/null
  tpm2_flushcontext t2.ctx
  tpm2_createprimary -C o -c p.ctx >/dev/null
  tpm2_create -C p.ctx -L auth.policy -i secret -u k.pub -r k.priv >/dev/null
  tpm2_load -C p.ctx -u k.pub -r k.priv -c k.ctx >/dev/null
  openssl dgst -sha256 -sign sk.pem -out pcr.sig pcr.policy
  tpm2_verifysignature -c sk.ctx -g sha256 -m pcr.policy -s pcr.sig -f rsassa -t v.tkt >/dev/null
  tpm2_startauthsession --policy-session -S s.ctx
  tpm2_policypcr -S s.ctx -l sha256:16 >/dev/null
  tpm2_policyauthorize -S s.ctx -i pcr.policy -n sk.name -t v.tkt >/dev/null
  tpm2_unseal -p session:s.ctx -c k.ctx -o out
  tpm2_flushcontext s.ctx
  expect_eq "$(cat out)" "authorized seal" "unsealed through PolicyAuthorize"
  # another PCR state: PolicyPCR gives another digest, which the key did not approve
  tpm2_pcrextend "16:sha256=$(printf '%064d' 7)"
  tpm2_startauthsession --policy-session -S s2.ctx
  tpm2_policypcr -S s2.ctx -l sha256:16 >/dev/null
  expect_fail tpm2_policyauthorize -S s2.ctx -i pcr.policy -n sk.name -t v.tkt
}

sc_policy__signed() {
  printf 'signed-policy' >data
  openssl genrsa -out sk.pem 2048 2>/dev/null
  openssl rsa -in sk.pem -pubout -out spub.pem 2>/dev/null
  tpm2_loadexternal -C o -G rsa -u spub.pem -c sk.ctx -n sk.name >/dev/null
  # the policy, from Part 3's formula: H(H(0 || CC_PolicySigned || keyName) || policyRef="")
  pdigest "00000160$(hexof sk.name)" REF: | unhex >pol
  tpm2_nvdefine 0x1500035 -C o -s 13 -a "ownerwrite|policyread" -L pol
  tpm2_nvwrite 0x1500035 -C o -i data
  # the authority signs H(nonceTPM || expiration) for this very session
  tpm2_startauthsession --policy-session -S s.ctx
  tpm2_policysigned -S s.ctx -c sk.ctx -x --raw-data tosign.bin >/dev/null
  openssl dgst -sha256 -sign sk.pem -out sig.bin tosign.bin
  tpm2_policysigned -S s.ctx -g sha256 -s sig.bin -f rsassa -c sk.ctx -x >/dev/null
  tpm2_nvread 0x1500035 -C 0x1500035 -P session:s.ctx -s 13 -o back
  tpm2_flushcontext s.ctx
  expect_eq "$(cat back)" "signed-policy" "NV read through PolicySigned"
  # a signature over another session's nonce is refused
  tpm2_startauthsession --policy-session -S s2.ctx
  expect_fail tpm2_policysigned -S s2.ctx -g sha256 -s sig.bin -f rsassa -c sk.ctx -x
}

sc_policy__nv_compare() {
  tpm2_nvdefine 0x1500036 -C o -s 8 -a "ownerread|ownerwrite|authread|authwrite"
  printf '\x00\x00\x00\x00\x00\x00\x00\x05' >five
  tpm2_nvwrite 0x1500036 -C o -i five
  printf 'gated' >data
  tpm2_startauthsession -S t.ctx
  tpm2_policynv -S t.ctx -C o -L pol -i five 0x1500036 eq >/dev/null
  tpm2_flushcontext t.ctx
  tpm2_nvdefine 0x1500037 -C o -s 5 -a "ownerwrite|policyread" -L pol
  tpm2_nvwrite 0x1500037 -C o -i data
  tpm2_startauthsession --policy-session -S s.ctx
  tpm2_policynv -S s.ctx -C o -i five 0x1500036 eq >/dev/null
  tpm2_nvread 0x1500037 -C 0x1500037 -P session:s.ctx -s 5 -o back
  tpm2_flushcontext s.ctx
  expect_eq "$(cat back)" "gated" "NV read gated by PolicyNV(eq 5)"
  printf '\x00\x00\x00\x00\x00\x00\x00\x06' >six
  tpm2_nvwrite 0x1500036 -C o -i six
  tpm2_startauthsession --policy-session -S s2.ctx
  expect_fail tpm2_policynv -S s2.ctx -C o -i five 0x1500036 eq
}

sc_session__sha384_sha1() {
  printf 'abcdefgh' >data
  tpm2_nvdefine 0x1500038 -C o -s 8 -a "ownerread|ownerwrite"
  local g
  for g in sha384 sha1 sha512; do
    tpm2_startauthsession --hmac-session -g "$g" -S "s_$g.ctx"
    tpm2_sessionconfig --enable-encrypt --enable-decrypt "s_$g.ctx"
    tpm2_nvwrite 0x1500038 -C o -P "session:s_$g.ctx" -i data
    tpm2_nvread 0x1500038 -C o -P "session:s_$g.ctx" -s 8 -o "back_$g"
    tpm2_flushcontext "s_$g.ctx"
    expect_eq "$(cat "back_$g")" "abcdefgh" "NV data through a $g session"
  done
}

sc_session__bound_encrypt() {
  printf 'bound+enc' >data
  tpm2_changeauth -c o ownerpw
  tpm2_nvdefine 0x1500039 -C o -P ownerpw -s 9 -a "ownerread|ownerwrite"
  # bound to the owner and authorizing it: the HMAC leaves ownerAuth out, the parameter
  # encryption key does not
  tpm2_startauthsession --hmac-session --bind-context o --bind-auth ownerpw -S b.ctx
  tpm2_sessionconfig --enable-encrypt --enable-decrypt b.ctx
  tpm2_nvwrite 0x1500039 -C o -P "session:b.ctx+ownerpw" -i data
  tpm2_nvread 0x1500039 -C o -P "session:b.ctx+ownerpw" -s 9 -o back
  tpm2_flushcontext b.ctx
  expect_eq "$(cat back)" "bound+enc" "NV data through a bound, encrypting session"
  tpm2_nvread 0x1500039 -C o -P ownerpw -s 9 -o back2
  expect_eq "$(cat back2)" "bound+enc" "NV data written in the clear"
}

sc_policy__template() {
  # the owner hierarchy may only create primaries from one template (PolicyTemplate)
  tpm2_createprimary -C o -c prim.ctx --template-data template.data >/dev/null
  openssl dgst -sha256 -binary -out template.hash template.data
  tpm2_startauthsession -S t.ctx -g sha256
  tpm2_policytemplate -S t.ctx -L pol --template-hash template.hash >/dev/null
  tpm2_flushcontext t.ctx
  expect_eq "$(hexof pol)" "$(pdigest "00000190$(hexof template.hash)")" "PolicyTemplate digest"
  tpm2_setprimarypolicy -C o -g sha256 -L pol
  tpm2_startauthsession -S s.ctx -g sha256 --policy-session
  tpm2_policytemplate -S s.ctx --template-hash template.hash >/dev/null
  tpm2_createprimary -C o -c prim2.ctx -P session:s.ctx >/dev/null
  tpm2_flushcontext s.ctx
  # another template (ECC) does not match the policy
  tpm2_startauthsession -S s2.ctx -g sha256 --policy-session
  tpm2_policytemplate -S s2.ctx --template-hash template.hash >/dev/null
  expect_fail tpm2_createprimary -C o -G ecc -c prim3.ctx -P session:s2.ctx
}

sc_policy__countertimer() {
  printf 'early' >secret
  tpm2_startauthsession -S t.ctx
  tpm2_policycountertimer -S t.ctx -L pol --ult 3600000 >/dev/null
  tpm2_flushcontext t.ctx
  tpm2_createprimary -C o -c p.ctx >/dev/null
  tpm2_create -C p.ctx -u k.pub -r k.priv -L pol -i secret >/dev/null
  tpm2_load -C p.ctx -u k.pub -r k.priv -c k.ctx >/dev/null
  tpm2_startauthsession -S s.ctx --policy-session
  tpm2_policycountertimer -S s.ctx --ult 3600000 >/dev/null
  tpm2_unseal -c k.ctx -p session:s.ctx -o out
  tpm2_flushcontext s.ctx
  expect_eq "$(cat out)" "early" "unsealed within the first hour of TPM time"
  tpm2_startauthsession -S s2.ctx --policy-session
  expect_fail tpm2_policycountertimer -S s2.ctx --ult 1
}

sc_policy__authorize_nv() {
  printf 'authorized by NV' >secret
  tpm2_nvdefine -C o -p nvpass 0x1500041 -a "authread|authwrite" -s 34
  tpm2_startauthsession -S t.ctx
  tpm2_policypassword -S t.ctx -L pol.pass >/dev/null
  tpm2_flushcontext t.ctx
  { printf '\000\013'; cat pol.pass; } >tmpl.bin
  tpm2_nvwrite -C 0x1500041 -P nvpass 0x1500041 -i tmpl.bin
  tpm2_startauthsession -S t2.ctx
  tpm2_policyauthorizenv -S t2.ctx -C 0x1500041 -P nvpass -L pol.anv 0x1500041 >/dev/null
  tpm2_flushcontext t2.ctx
  tpm2_createprimary -C o -c p.ctx >/dev/null
  tpm2_create -C p.ctx -u k.pub -r k.priv -a "fixedtpm|fixedparent|adminwithpolicy" -L pol.anv -p objpw -i secret >/dev/null
  tpm2_load -C p.ctx -u k.pub -r k.priv -c k.ctx >/dev/null
  tpm2_startauthsession -S s.ctx --policy-session
  tpm2_policypassword -S s.ctx >/dev/null
  tpm2_policyauthorizenv -S s.ctx -C 0x1500041 -P nvpass 0x1500041 >/dev/null
  tpm2_unseal -c k.ctx -p "session:s.ctx+objpw" -o out
  tpm2_flushcontext s.ctx
  expect_eq "$(cat out)" "authorized by NV" "unsealed through PolicyAuthorizeNV"
  # a session whose digest differs from the one in NV is refused
  tpm2_startauthsession -S s2.ctx --policy-session
  tpm2_policyauthvalue -S s2.ctx >/dev/null
  tpm2_policycommandcode -S s2.ctx TPM2_CC_Unseal >/dev/null
  expect_fail tpm2_policyauthorizenv -S s2.ctx -C 0x1500041 -P nvpass 0x1500041
}

sc_policy__duplication_select() {
  tpm2_createprimary -C n -g sha256 -G rsa -c dst.ctx >/dev/null
  tpm2_createprimary -C o -g sha256 -G rsa -c src.ctx >/dev/null
  tpm2_readpublic -c dst.ctx -n dst.name >/dev/null
  tpm2_startauthsession -S t.ctx
  tpm2_policyduplicationselect -S t.ctx -N dst.name -L pol >/dev/null
  tpm2_flushcontext t.ctx
  # H(0 || CC_PolicyDuplicationSelect || newParentName || includeObject=NO)
  expect_eq "$(hexof pol)" "$(pdigest "00000188$(hexof dst.name)00")" "PolicyDuplicationSelect digest"
  tpm2_create -C src.ctx -g sha256 -G rsa -r k.priv -u k.pub -L pol -a "sensitivedataorigin|sign|decrypt" -c k.ctx >/dev/null
  tpm2_readpublic -c k.ctx -n k.name >/dev/null
  tpm2_startauthsession -S s.ctx --policy-session
  tpm2_policyduplicationselect -S s.ctx -N dst.name -n k.name >/dev/null
  tpm2_duplicate -C dst.ctx -c k.ctx -G null -p session:s.ctx -r dup.priv -s seed.dat >/dev/null
  tpm2_flushcontext s.ctx
  [ -s dup.priv ] || fail "no duplicate"
  # to another new parent: the nameHash does not match
  tpm2_startauthsession -S s2.ctx --policy-session
  tpm2_policyduplicationselect -S s2.ctx -N dst.name -n k.name >/dev/null
  expect_fail tpm2_duplicate -C src.ctx -c k.ctx -G null -p session:s2.ctx -r dup2.priv -s seed2.dat
}
