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
