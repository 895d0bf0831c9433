# vtpm/tpm2: the issue-9 features (PolicyNV signed order, HMAC attestation, symmetric storage
# parents, PIN indices, ECDAA, H-CRTM, ...) compared with libtpms (swtpm) in the same run;
# drives anchor-tpmd ($(ANCHOR_TPMD), vtpm/sim.mk; skipped if it or swtpm is missing).  The
# tpm2-tools scenarios of these features are in tests/tpm2-tools/scenarios-features.sh.
TEST_SUITES += tests/unit/tpm2_features_vs_libtpms.py
