# Anchor — top-level build.  `make run` boots the demo, `make test` runs everything CI checks.
# Each part of the tree owns a fragment that appends to the lists below: <part>/*.mk, and for
# arch/ and tests/ one level deeper (arch/x86/*.mk, tests/<suite>/*.mk).  Every fragment is
# read here, in this sorted order; no fragment includes another.

BUILD ?= build
# parallel build inside run/test/bench
JOBS ?= $(shell nproc)
.DEFAULT_GOAL := all

ALL_TARGETS :=        # what `make` builds
TEST_SUITES :=        # executables printing `ok - name` / `not ok - name` lines (tests/harness.sh)
TEST_DEPS   :=        # extra things the suites need built
BENCH_SUITES :=       # executables printing benchmark tables
FUZZ_SUITES :=        # fuzz runners (tests/fuzz/libfuzzer.sh): make test runs them briefly,
FUZZ_DEPS   :=        # make fuzz for FUZZ_RUNS executions per target (docs/fuzzing.md)

include mk/common.mk
include mk/bearssl.mk
include $(sort $(wildcard lib/*.mk hv/*.mk arch/x86/*.mk boot/*.mk vtpm/*.mk guests/*.mk tests/*.mk \
                          tests/*/*.mk))

all: $(ALL_TARGETS)

deps:
	@scripts/deps.sh

run: deps
	@$(MAKE) --no-print-directory -j$(JOBS) all
	scripts/run-qemu.sh

test: deps
	@$(MAKE) --no-print-directory -j$(JOBS) all $(TEST_DEPS)
	tests/harness.sh $(TEST_SUITES)

bench: deps
	@$(MAKE) --no-print-directory -j$(JOBS) all $(TEST_DEPS)
	tests/bench.sh $(BENCH_SUITES)

# Every fuzzer for FUZZ_RUNS executions (FUZZ_SECONDS=N limits time instead or as well),
# one line of figures per target; hours at the default, so not part of make test.
FUZZ_RUNS ?= 10000000
fuzz: deps
	@$(MAKE) --no-print-directory -j$(JOBS) $(FUZZ_DEPS)
	FUZZ_RUNS=$(FUZZ_RUNS) TEST_LOG_DIR=$(BUILD)/fuzz-logs tests/harness.sh $(FUZZ_SUITES)

clean:
	rm -rf $(BUILD)

.PHONY: all deps run test bench fuzz clean
