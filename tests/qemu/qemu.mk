# QEMU/SVM integration tests of the hypervisor (tests/qemu/qemu-svm.sh): several boots of the
# real loader + hypervisor under OVMF with swtpm, running the test guest; ~7 s per boot here.
TEST_SUITES += tests/qemu/qemu-svm.sh
