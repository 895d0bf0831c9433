# Sourced by the exit-rate benchmarks (tests/qemu/exitbench.sh, tests/bochs/bochs_bench.sh),
# which boot the same guest (exitbench.cfg: alpha reads MMIO, beta reads a port).
# exit_rate_rows LOG FORMAT: one row per LPAR from its line
#   "anchor: lpar <name>: <N> exits (...) in <M> ms"
# printed with the printf FORMAT "%-<w>s ..." (workload, exits, ms, exits per second), or
# "no result".
exit_rate_rows() {
  local log=$1 fmt=$2 l name kind line exits ms width
  width=${fmt#%-}; width=${width%%s*}
  for l in alpha:mmio beta:pio; do
    name=${l%%:*}; kind=${l#*:}
    line=$(tr -d '\r' <"$log" | grep -a -m1 "anchor: lpar $name: [0-9]* exits")
    exits=$(echo "$line" | sed -n 's/.*: \([0-9]*\) exits .*/\1/p')
    ms=$(echo "$line" | sed -n 's/.* in \([0-9]*\) ms.*/\1/p')
    if [ -z "$exits" ] || [ -z "$ms" ] || [ "$ms" -eq 0 ]; then
      printf "%-${width}s %10s\n" "$kind ($name)" "no result"
      continue
    fi
    printf "$fmt" "$kind reads ($name)" "$exits" "$ms" "$((exits * 1000 / ms))"
  done
}
