# Linux guest tests.  linux-qemu-ref.sh: the guest image on QEMU's own PC (SeaBIOS, tpm-crb +
# swtpm), independent of Anchor; one boot (~30-60 s under TCG here).
TEST_DEPS   += $(LINUX_IMG)
TEST_SUITES += tests/linux/linux-qemu-ref.sh
