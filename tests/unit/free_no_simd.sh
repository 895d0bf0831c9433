#!/usr/bin/env bash
# The freestanding objects the hypervisor links (engine, crypto, BearSSL: built with
# -mgeneral-regs-only) must not touch SSE/AVX state or use the SHA/AES instructions: the HTPM
# runs the engine without saving the guests' extended registers.  The host build's
# accelerated paths (tc_hash_x86.c, BearSSL's AES-NI) must not leak into it.
# usage: free_no_simd.sh <archive-or-object>...
set -u
for f in "$@"; do
  name=$(basename "$f")
  if [ ! -f "$f" ]; then
    echo "not ok - general-regs-only $name: not built"
    continue
  fi
  # instruction lines only ("  163:<tab>mnemonic operands"), not symbol names
  hits=$(objdump -d --no-show-raw-insn "$f" | grep -E '^ *[0-9a-f]+:' |
         grep -E '%[xyz]mm[0-9]|[[:space:]](sha1|sha256|aes|pclmul|vaes|vpclmul)[a-z0-9]*[[:space:]]' | head -3)
  if [ -z "$hits" ]; then
    echo "ok - general-regs-only $name: no SSE/AVX registers, no SHA/AES instructions"
  else
    echo "not ok - general-regs-only $name: $(echo "$hits" | tr '\n' ';' | tr -s ' \t' ' ')"
  fi
done
