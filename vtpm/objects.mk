# vtpm/tpm2 objects family (docs/objects.md): its unit test is picked up by vtpm/tpm2.mk
# (tests/unit/tpm2_object_test.c); this fragment adds the duplication interop suite
# (tpm2_duplicate on swtpm/libtpms <-> tpm2_import on anchor-tpmd).
TEST_SUITES += tests/tpm2-tools/interop_dup.sh
TEST_DEPS   += $(BUILD)/sim/anchor-tpmd
# Differential run against libtpms (in-process, through build/sim/libanchor-tpm2.so).
TEST_SUITES += tests/unit/tpm2_object_diff.py
TEST_DEPS   += $(BUILD)/sim/libanchor-tpm2.so
