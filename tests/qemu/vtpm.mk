# The vTPMs end to end under QEMU/SVM (tests/qemu/vtpm-svm.sh: four boots, the host verifying the
# EK certificates with openssl) and their benchmark (tests/qemu/vtpm-bench.sh: exits and time
# per command through the test guest's Linux-like TIS and CRB drivers).
TEST_DEPS    += $(BUILD)/guests/testguest.elf
TEST_SUITES  += tests/qemu/vtpm-svm.sh
BENCH_SUITES += tests/qemu/vtpm-bench.sh
