# vtpm/tpm2 sessions, policy and attestation family (docs/tpm-sessions.md).  Its C unit tests
# (tests/unit/tpm2_session*_test.c, tpm2_policy_test.c) are built and run by vtpm/tpm2.mk's
# wildcard; this fragment adds the response-code comparison against libtpms (swtpm), which
# drives anchor-tpmd ($(ANCHOR_TPMD), vtpm/sim.mk; skipped if it or swtpm is missing).
TEST_SUITES += tests/unit/tpm2_session_rc_vs_libtpms.py
