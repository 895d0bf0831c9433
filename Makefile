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

clean:
	rm -rf $(BUILD)

.PHONY: all deps run test bench clean
