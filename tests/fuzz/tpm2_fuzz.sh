#!/usr/bin/env bash
# Runs the engine's libFuzzer targets (ASan + UBSan) for a bounded time each: tpm2_execute
# and anchor-tpmd's framing from the committed seed corpus of real tpm2-tools commands
# (tests/fuzz/corpus, made by tpm2_corpus.py), and state-blob loading from the bodies of a few
# real TPMs (written by the target itself, tpm2_state_fuzz.c).  A target passes when it runs
# out its budget without a crash, leak, sanitizer report or timeout.
#   FUZZ_SECONDS (default 25; the state target 10) per target, or FUZZ_RUNS executions
#   (make fuzz, tests/fuzz/libfuzzer.sh); FUZZ_BUILD (default build/sim/fuzz).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BIN=${FUZZ_BUILD:-$ROOT/build/sim/fuzz}
SECS=${FUZZ_SECONDS:-25}
WORK=$(mktemp -d /tmp/anchor-fuzz.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

# Framing seeds: the command corpus wrapped in each port's framing, plus control traffic.
mkdir -p "$WORK/framing" "$WORK/execute" "$WORK/state"
cp "$HERE"/corpus/tpm2_execute/*.bin "$WORK/execute/"
python3 - "$HERE/corpus/tpm2_execute" "$WORK/framing" <<'PY'
import os, struct, sys
src, out = sys.argv[1:]
files = sorted(os.listdir(src))[:40]
for i, f in enumerate(files):
    cmd = open(os.path.join(src, f), "rb").read()[1:]
    open(os.path.join(out, "mssim-%d" % i), "wb").write(
        b"\0" + struct.pack(">IBI", 8, i % 5, len(cmd)) + cmd + struct.pack(">I", 20))
    open(os.path.join(out, "swtpm-%d" % i), "wb").write(b"\2" + cmd + cmd)
open(os.path.join(out, "platform"), "wb").write(
    b"\1" + b"".join(struct.pack(">I", c) for c in (1, 11, 9, 10, 2, 1, 17, 12, 20)))
open(os.path.join(out, "ctrl"), "wb").write(
    b"\3" + struct.pack(">I", 1) + struct.pack(">II", 2, 0) + struct.pack(">IB", 5, 3)
    + struct.pack(">I", 4) + struct.pack(">II", 17, 4096) + struct.pack(">IQII", 18, 3, 0, 0)
    + struct.pack(">II", 7, 4) + b"abcd" + struct.pack(">IB", 11, 3) + struct.pack(">I", 14))
PY

. "$HERE/libfuzzer.sh"

run_target() {  # name binary corpus [seconds]
  local name=$1
  fuzz_target "fuzz/$name" "$2" "${4:-$SECS}" "$WORK/$name.log" -max_len=${MAX_LEN:-4200} -timeout=10 \
    -rss_limit_mb=2048 -artifact_prefix="$WORK/" "$3"
  if ls "$WORK"/crash-* "$WORK"/leak-* "$WORK"/timeout-* >/dev/null 2>&1; then
    ls "$WORK"/crash-* "$WORK"/leak-* "$WORK"/timeout-* | sed 's/^/#   reproducer: /'
    mkdir -p "$ROOT/build/sim/fuzz/artifacts"
    cp "$WORK"/crash-* "$WORK"/leak-* "$WORK"/timeout-* "$ROOT/build/sim/fuzz/artifacts/" 2>/dev/null
  fi
}

run_target tpm2_execute "$BIN/fuzz-tpm2-execute" "$WORK/execute"
run_target tpm2_framing "$BIN/fuzz-tpm2-framing" "$WORK/framing"
# the state target writes its seeds (real TPMs' bodies) into its corpus when it starts
export ANCHOR_STATE_SEEDS="$WORK/state"
MAX_LEN=16384 run_target tpm2_state "$BIN/fuzz-tpm2-state" "$WORK/state" "${FUZZ_SECONDS:-10}"
exit 0
