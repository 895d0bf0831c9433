# QEMU/SVM integration tests of the hypervisor (tests/qemu/qemu-svm.sh): several boots of the
# real loader + hypervisor under OVMF with swtpm; each boot takes ~6 s on this machine.

QEMU_BADINSN := $(BUILD)/tests/qemu/badinsn.elf

$(QEMU_BADINSN): tests/qemu/badinsn.S
	@mkdir -p $(@D)
	@echo "  AS      $<"; $(FREE_CC) -c $< -o $(@:.elf=.o)
	@ld -nostdlib -static -no-pie -z max-page-size=0x1000 -Ttext=0x200000 -e _start \
	    $(@:.elf=.o) -o $@

TEST_DEPS += $(QEMU_BADINSN)
TEST_SUITES += tests/qemu/qemu-svm.sh
