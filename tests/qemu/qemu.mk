# QEMU/SVM integration tests of the hypervisor (tests/qemu/qemu-svm.sh): several boots of the
# real loader + hypervisor under OVMF with swtpm, running the test guest; ~7 s per boot here.
TEST_SUITES += tests/qemu/qemu-svm.sh

# Exit-rate benchmark (tests/qemu/exitbench.sh) and its guest.
QEMU_EXITBENCH := $(BUILD)/tests/qemu/exitbench.elf

$(QEMU_EXITBENCH): tests/qemu/exitbench.S
	@mkdir -p $(@D)
	@echo "  AS      $<"; $(FREE_CC) -c $< -o $(@:.elf=.o)
	@ld -nostdlib -static -no-pie -z max-page-size=0x1000 -Ttext=0x200000 -e _start \
	    $(@:.elf=.o) -o $@

TEST_DEPS += $(QEMU_EXITBENCH)
BENCH_SUITES += tests/qemu/exitbench.sh
