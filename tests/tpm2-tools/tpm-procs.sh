# Sourced by the tpm2-tools suites (run.sh, interop_dup.sh).  Each TPM (swtpm, the reference,
# or anchor-tpmd) runs on two free loopback ports, behind its own tpm2-abrmd, on a private
# D-Bus session bus.
# The caller sets WORK (the work directory), ANCHOR_TPMD and, to keep WORK at exit, KEEP=1,
# before sourcing this file (which installs tpm_cleanup as the EXIT trap), then calls
# tpm_bus_start.
PIDS=()      # every process started here, killed at exit
SEQ=0        # makes each abrmd bus name unique

tpm_cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  [ -n "${DBUS_PID:-}" ] && kill "$DBUS_PID" 2>/dev/null
  if [ "${KEEP:-0}" = 1 ]; then echo "# work directory kept: $WORK"; else rm -rf "$WORK"; fi
}

trap tpm_cleanup EXIT

# The private session bus for the whole run.
tpm_bus_start() {
  read -r DBUS_SESSION_BUS_ADDRESS DBUS_PID < <(dbus-daemon --session --fork --print-address=1 \
    --print-pid=1 | tr '\n' ' ')
  export DBUS_SESSION_BUS_ADDRESS
}

# Two consecutive free loopback ports (the TPM's and its control port).
free_ports() {
  local p
  while :; do
    # Below the kernel's ephemeral range, so no client socket can be sitting on it.
    p=$((20000 + RANDOM % 12000))
    ss -tanH "( sport = :$p or sport = :$((p + 1)) )" 2>/dev/null | grep -q . || { echo "$p"; return; }
  done
}

wait_listen() {   # port
  local i
  for i in $(seq 150); do
    ss -ltnH "sport = :$1" | grep -q . && return 0
    sleep 0.02
  done
  return 1
}

wait_bus_name() {  # name
  local i
  for i in $(seq 150); do
    dbus-send --session --print-reply --dest=org.freedesktop.DBus / \
      org.freedesktop.DBus.NameHasOwner "string:$1" 2>/dev/null | grep -q 'boolean true' && return 0
    sleep 0.02
  done
  return 1
}

# tpm_start <swtpm|anchor> <dir> <bus-tag>: starts a TPM with its state in <dir>/state, and its
# abrmd.  Sets TPM_PID, ABRMD_PID and TPM_TCTI (the tabrmd TCTI that reaches it).  Run it in
# this shell, not in a subshell: PIDS and SEQ must stay here.  On failure, returns 1 and leaves
# the reason in <dir>/reason.
# Env: ANCHOR_PROTOCOL=mssim|swtpm (how abrmd reaches anchor-tpmd), ANCHOR_RECORD=file,
#      PCAP_DIR=dir (a pcapng of every command swtpm sees).
tpm_start() {
  local kind=$1 dir=$2 tag=$3 port tcti bus
  port=$(free_ports)
  mkdir -p "$dir/state"
  if [ "$kind" = swtpm ]; then
    swtpm socket --tpm2 --tpmstate "dir=$dir/state" \
      --server "type=tcp,port=$port,bindaddr=127.0.0.1" \
      --ctrl "type=tcp,port=$((port + 1)),bindaddr=127.0.0.1" \
      --flags not-need-init,startup-clear >"$dir/tpm.log" 2>&1 &
    TPM_PID=$!
    tcti="swtpm:host=127.0.0.1,port=$port"
  else
    "$ANCHOR_TPMD" --protocol "${ANCHOR_PROTOCOL:-mssim}" --port "$port" --state "$dir/state" \
      --fresh --startup-clear ${ANCHOR_RECORD:+--record "$ANCHOR_RECORD"} >"$dir/tpm.log" 2>&1 &
    TPM_PID=$!
    tcti="${ANCHOR_PROTOCOL:-mssim}:host=127.0.0.1,port=$port"
  fi
  PIDS+=("$TPM_PID")
  wait_listen "$port" && wait_listen "$((port + 1))" || { echo "tpm did not listen" >"$dir/reason"; return 1; }
  SEQ=$((SEQ + 1))
  bus=com.intel.tss2.Tabrmd.$tag$$x$SEQ
  if [ -n "${PCAP_DIR:-}" ] && [ "$kind" = swtpm ]; then
    tcti="pcap:$tcti"
    export TCTI_PCAP_FILE="$PCAP_DIR/$(basename "$dir").pcap"
  fi
  tpm2-abrmd --allow-root --session --dbus-name="$bus" --tcti="$tcti" >"$dir/abrmd.log" 2>&1 &
  ABRMD_PID=$!
  PIDS+=("$ABRMD_PID")
  wait_bus_name "$bus" || { echo "tpm2-abrmd did not come up" >"$dir/reason"; return 1; }
  TPM_TCTI="tabrmd:bus_name=$bus,bus_type=session"
}
