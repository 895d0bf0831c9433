#!/usr/bin/env python3
"""anchor-tpmd as a network service: both wire protocols, hostile framing, stalled and
concurrent clients, SIGTERM, and the state directory (save, reload, corrupt, --fresh).

Prints one `ok - daemon/<check>` / `not ok - ...` / `skip - ...` line per check.
ANCHOR_TPMD overrides the daemon path (default build/sim/anchor-tpmd)."""
import hashlib
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TPMD = os.environ.get("ANCHOR_TPMD", os.path.join(ROOT, "build/sim/anchor-tpmd"))
GETRANDOM = struct.pack(">HII H", 0x8001, 12, 0x17B, 16)
STARTUP = struct.pack(">HII H", 0x8001, 12, 0x144, 0)
results = []


def report(name, ok, why=""):
    line = ("ok - " if ok else "not ok - ") + "daemon/" + name + ("" if ok else " " + why)
    print(line, flush=True)
    results.append(ok)


def free_port():
    while True:
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        p = s.getsockname()[1]
        s.close()
        t = socket.socket()
        try:
            t.bind(("127.0.0.1", p + 1))
            t.close()
            return p
        except OSError:
            t.close()


def start_expecting_exit(state):
    """Starts a daemon on state that should refuse to run: (exit status or None if it kept
    running, its stderr)."""
    d = Daemon(state)
    try:
        rc = d.proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        rc = None
    err = d.proc.stderr.read() if rc is not None else ""
    if rc is None:
        d.stop()
    return rc, err


class Daemon:
    def __init__(self, state, *extra, protocol="mssim"):
        self.port = free_port()
        self.state = state
        args = [TPMD, "--port", str(self.port), "--state", state, "--protocol", protocol]
        self.proc = subprocess.Popen(args + list(extra), stderr=subprocess.PIPE, text=True)
        self.wait_listen()

    def wait_listen(self):
        deadline = time.time() + 5
        while time.time() < deadline:
            if self.proc.poll() is not None:
                return
            try:
                socket.create_connection(("127.0.0.1", self.port + 1), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.02)

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.alive():
            self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self.stderr = self.proc.stderr.read()
        return rc

    def conn(self, port_offset=0, timeout=3):
        return socket.create_connection(("127.0.0.1", self.port + port_offset), timeout=timeout)


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise EOFError("closed after %d of %d bytes" % (len(buf), n))
        buf += chunk
    return buf


def closed_by_peer(s, wait=3):
    s.settimeout(wait)
    try:
        return s.recv(1) == b""
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


def mssim_platform(d, code):
    with d.conn(1) as p:
        p.sendall(struct.pack(">I", code))
        return struct.unpack(">I", recv_exact(p, 4))[0]


def mssim_command(s, cmd, locality=0):
    s.sendall(struct.pack(">IBI", 8, locality, len(cmd)) + cmd)
    (n,) = struct.unpack(">I", recv_exact(s, 4))
    rsp = recv_exact(s, n)
    (ack,) = struct.unpack(">I", recv_exact(s, 4))
    return rsp, ack


def well_formed(rsp):
    if len(rsp) < 10:
        return False
    tag, size, _ = struct.unpack(">HII", rsp[:10])
    return tag in (0x8001, 0x8002) and size == len(rsp)


def rc_of(rsp):
    return struct.unpack(">I", rsp[6:10])[0]


def check(name, fn):
    try:
        ok, why = fn()
    except Exception as e:          # a check that throws is a failure with its reason
        ok, why = False, "%s: %s" % (type(e).__name__, e)
    report(name, ok, why)


def main():
    if not os.access(TPMD, os.X_OK):
        print("skip - daemon/all anchor-tpmd is not built (the engine has not landed)")
        return 0
    work = tempfile.mkdtemp(prefix="anchor-tpmd-test.")
    try:
        run_checks(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def run_checks(work):
    help_out = subprocess.run([TPMD, "--help"], capture_output=True, text=True)
    report("help", help_out.returncode == 0 and "--protocol" in help_out.stdout
           and "--state" in help_out.stdout, "--help did not document the options")
    bad = subprocess.run([TPMD, "--no-such-option"], capture_output=True, text=True)
    report("bad-option", bad.returncode == 2, "exit %d" % bad.returncode)

    state = os.path.join(work, "state")
    d = Daemon(state, "--fresh", "--io-timeout", "400")
    report("starts", d.alive(), "daemon exited early")

    def platform_acks():
        codes = [1, 11, 9, 10, 3, 4]    # POWER_ON NV_ON CANCEL_ON/OFF PHYS_PRES_ON/OFF
        acks = [mssim_platform(d, c) for c in codes]
        return all(a == 0 for a in acks), "acks %s" % acks
    check("mssim-platform-acks", platform_acks)

    def command_roundtrip():
        with d.conn() as s:
            rsp, ack = mssim_command(s, STARTUP)
            rsp2, ack2 = mssim_command(s, GETRANDOM)
        return (well_formed(rsp) and well_formed(rsp2) and ack == 0 and ack2 == 0,
                "responses %r %r" % (rsp[:10].hex(), rsp2[:10].hex()))
    check("mssim-command", command_roundtrip)

    def garbage_code():
        with d.conn() as s:
            s.sendall(b"\xde\xad\xbe\xef" + b"x" * 100)
            closed = closed_by_peer(s)
        with d.conn() as s:
            rsp, _ = mssim_command(s, GETRANDOM)
        return closed and well_formed(rsp), "closed=%s" % closed
    check("garbage-framing", garbage_code)

    def oversized():
        with d.conn() as s:
            s.sendall(struct.pack(">IBI", 8, 0, 0x7FFFFFF0))
            closed = closed_by_peer(s)
        with d.conn() as s:                 # 5000 bytes: drained and answered COMMAND_SIZE
            s.sendall(struct.pack(">IBI", 8, 0, 5000) + b"\0" * 5000)
            (n,) = struct.unpack(">I", recv_exact(s, 4))
            rsp = recv_exact(s, n)
            recv_exact(s, 4)
        return closed and well_formed(rsp) and rc_of(rsp) == 0x142, \
            "closed=%s rsp=%s" % (closed, rsp.hex())
    check("oversized-command", oversized)

    def short_commands():
        # Truncated/garbage TPM commands inside valid framing: always a well-formed response.
        bad = [b"", b"\x80", b"\x80\x01\x00\x00\x00\x0a", struct.pack(">HII", 0x8001, 10, 0x17B),
               struct.pack(">HII", 0x8001, 4000, 0x17B), struct.pack(">HII", 0x1234, 10, 1),
               os.urandom(300)]
        with d.conn() as s:
            rsps = [mssim_command(s, c, locality=i % 6)[0] for i, c in enumerate(bad)]
        return all(well_formed(r) for r in rsps), "responses %s" % [r[:10].hex() for r in rsps]
    check("malformed-commands", short_commands)

    def disconnect_mid_command():
        s = d.conn()
        s.sendall(struct.pack(">IBI", 8, 0, 12) + GETRANDOM[:5])
        s.close()
        s = d.conn()
        s.sendall(struct.pack(">I", 8))
        s.close()
        with d.conn() as s:
            rsp, _ = mssim_command(s, GETRANDOM)
        return d.alive() and well_formed(rsp), "daemon gone or bad response"
    check("disconnect-mid-command", disconnect_mid_command)

    def stalled_client():
        with d.conn() as s:
            s.sendall(struct.pack(">IBI", 8, 0, 12) + GETRANDOM[:3])
            t0 = time.time()
            closed = closed_by_peer(s, wait=3)
            took = time.time() - t0
        return closed and took < 2.5, "closed=%s after %.1fs" % (closed, took)
    check("stalled-client-dropped", stalled_client)

    def concurrent_clients():
        first = d.conn()
        others = [d.conn() for _ in range(4)]        # queued in the backlog
        rsp, _ = mssim_command(first, GETRANDOM)
        ok = well_formed(rsp)
        first.close()
        for s in others:
            r, _ = mssim_command(s, GETRANDOM)
            ok = ok and well_formed(r)
            s.close()
        return ok and d.alive(), "a queued client was not served"
    check("concurrent-clients-queue", concurrent_clients)

    def extend_pcr20(locality_cmd):
        return rc_of(locality_cmd(struct.pack(">HIII", 0x8002, 10 + 4 + 13 + 4 + 2 + 32, 0x182, 20)
                                  + struct.pack(">IIHBH", 9, 0x40000009, 0, 0, 0)
                                  + struct.pack(">IH", 1, 0x000B) + b"\x20" * 32))

    def mssim_locality():
        # PC Client: PCR 20 is extendable from localities 1-3 only.
        with d.conn() as s:
            rcs = [extend_pcr20(lambda c, l=l: mssim_command(s, c, locality=l)[0]) for l in (0, 1, 5)]
        return rcs[0] == 0x907 and rcs[1] == 0 and rcs[2] == 0x907, \
            "PCR 20 extend at localities 0/1/5: %s" % [hex(r) for r in rcs]
    check("mssim-locality-reaches-engine", mssim_locality)

    rc = d.stop()
    report("sigterm-clean-exit", rc == 0, "exit %s" % rc)
    blob = os.path.join(state, "tpm2-state.bin")
    report("state-saved", os.path.getsize(blob) > 0 if os.path.exists(blob) else False,
           "no state file")

    # Reload the saved state, then reject damaged ones with a reason, never silently.
    d = Daemon(state)
    report("state-reloaded", d.alive() and True, "daemon refused its own state")
    d.stop()
    report("state-reload-logged", "loaded" in d.stderr, d.stderr.strip()[-200:])
    keyfile = os.path.join(state, "state-key")
    mode = os.stat(keyfile).st_mode & 0o777 if os.path.exists(keyfile) else None
    report("state-key-0600", mode == 0o600 and os.path.getsize(keyfile) == 32,
           "state-key mode %s" % (oct(mode) if mode is not None else "missing"))
    good = open(blob, "rb").read()
    # The blob is authenticated with the key: changed and re-hashed without it, it is refused.
    body = good[:-32]
    body = body[:200] + bytes([body[200] ^ 1]) + body[201:]
    rehashed = body + hashlib.sha256(body).digest()
    for what, data in (("corrupt", good[:len(good) // 2] + bytes([good[len(good) // 2] ^ 0x5A])
                        + good[len(good) // 2 + 1:]),
                       ("rehashed", rehashed),
                       ("truncated", good[:len(good) // 3]), ("empty", b"")):
        open(blob, "wb").write(data)
        rc, err = start_expecting_exit(state)
        report("state-%s-rejected" % what, rc not in (None, 0) and "fresh" in err,
               "rc=%s stderr=%s" % (rc, err.strip()[-200:]))
        report("state-%s-kept" % what, open(blob, "rb").read() == data, "damaged file was overwritten")
    # The key file: missing, or readable by others -> refused with the reason.
    open(blob, "wb").write(good)
    key = open(keyfile, "rb").read()
    for what, prep in (("missing", lambda: os.unlink(keyfile)),
                       ("group-readable", lambda: (open(keyfile, "wb").write(key),
                                                   os.chmod(keyfile, 0o640)))):
        prep()
        rc, err = start_expecting_exit(state)
        report("state-key-%s-refused" % what, rc not in (None, 0) and "state-key" in err,
               "rc=%s stderr=%s" % (rc, err.strip()[-200:]))
    os.chmod(keyfile, 0o600)
    d = Daemon(state)
    report("state-key-restored-loads", d.alive(), "the state did not load with its key back")
    d.stop()
    d = Daemon(state, "--fresh")
    report("fresh-after-corrupt", d.alive(), "--fresh did not start")
    d.stop()

    # swtpm protocol.
    d = Daemon(os.path.join(work, "sw"), "--fresh", protocol="swtpm")

    def ctrl(code, payload=b"", want=4):
        with d.conn(1) as c:
            c.sendall(struct.pack(">I", code) + payload)
            return recv_exact(c, want)

    def swtpm_ctrl():
        caps = ctrl(1, want=8)
        init = ctrl(2, struct.pack(">I", 0))
        loc = ctrl(5, b"\x00")
        badloc = ctrl(5, b"\x07")
        bufsz = ctrl(17, struct.pack(">I", 0), want=16)
        est = ctrl(4, want=8)
        ok = (struct.unpack(">Q", caps)[0] & 0x1 and init == b"\0" * 4 and loc == b"\0" * 4
              and badloc != b"\0" * 4 and struct.unpack(">I", bufsz[4:8])[0] >= 4096
              and est[:4] == b"\0" * 4)
        return bool(ok), "caps=%s init=%s loc=%s badloc=%s buf=%s" % (
            caps.hex(), init.hex(), loc.hex(), badloc.hex(), bufsz.hex())
    check("swtpm-control", swtpm_ctrl)

    def swtpm_data():
        with d.conn() as s:
            s.sendall(STARTUP)
            r1 = recv_exact(s, 10)
            s.sendall(GETRANDOM)
            hdr = recv_exact(s, 10)
            rest = recv_exact(s, struct.unpack(">I", hdr[2:6])[0] - 10)
        with d.conn() as s:                          # size field below a header
            s.sendall(struct.pack(">HII", 0x8001, 3, 0x17B))
            r3 = recv_exact(s, 10)
            closed = closed_by_peer(s)
        return (well_formed(r1) and well_formed(hdr + rest) and rc_of(r3) == 0x142 and closed,
                "r1=%s r3=%s closed=%s" % (r1.hex(), r3.hex(), closed))
    check("swtpm-data", swtpm_data)

    def swtpm_locality():
        def at(loc):
            ctrl(5, bytes([loc]))
            with d.conn() as s:
                def send(c):
                    s.sendall(c)
                    hdr = recv_exact(s, 10)
                    return hdr + recv_exact(s, struct.unpack(">I", hdr[2:6])[0] - 10)
                return extend_pcr20(send)
        rcs = [at(0), at(2)]
        ctrl(5, b"\x00")
        return rcs == [0x907, 0], "PCR 20 extend at localities 0/2: %s" % [hex(r) for r in rcs]
    check("swtpm-locality-reaches-engine", swtpm_locality)

    def swtpm_garbage_ctrl():
        with d.conn(1) as c:
            c.sendall(b"\xff\xff\xff\xff" + os.urandom(64))
            closed_by_peer(c)
        return d.alive() and ctrl(1, want=8) is not None, "daemon died"
    check("swtpm-garbage-control", swtpm_garbage_ctrl)
    # Real clients over both protocols (tpm2-tss's own TCTIs, no resource manager).
    def tools_over(tcti):
        env = dict(os.environ, TPM2TOOLS_TCTI=tcti)
        subprocess.run(["tpm2_startup", "-c"], env=env, capture_output=True, timeout=20)
        r = subprocess.run(["tpm2_getrandom", "16"], env=env, capture_output=True, timeout=20)
        return r
    for proto, dd in (("swtpm", d), ):
        r = tools_over("swtpm:host=127.0.0.1,port=%d" % dd.port)
        name = "tpm2-tools-over-" + proto
        if r.returncode == 0:
            report(name, len(r.stdout) == 16, "got %d bytes" % len(r.stdout))
        elif b"0x" in r.stderr and b"tpm:" in r.stderr:
            print("skip - daemon/%s the engine answered an error: %s" % (
                name, r.stderr.decode(errors="replace").strip().splitlines()[-2][-80:]))
        else:
            report(name, False, r.stderr.decode(errors="replace").strip()[-200:])
    report("swtpm-sigterm", d.stop() == 0, "exit code")

    d = Daemon(os.path.join(work, "ms"), "--fresh")
    r = tools_over("mssim:host=127.0.0.1,port=%d" % d.port)
    if r.returncode == 0:
        report("tpm2-tools-over-mssim", len(r.stdout) == 16, "got %d bytes" % len(r.stdout))
    elif b"0x" in r.stderr and b"tpm:" in r.stderr:
        print("skip - daemon/tpm2-tools-over-mssim the engine answered an error: %s" %
              r.stderr.decode(errors="replace").strip().splitlines()[-2][-80:])
    else:
        report("tpm2-tools-over-mssim", False, r.stderr.decode(errors="replace").strip()[-200:])
    d.stop()

    # Power cycles through the platform port: Shutdown(STATE) + Startup(STATE) resumes with the
    # PCRs, Startup(CLEAR) resets them, and an orderly shutdown survives a daemon restart.
    pw_auth = struct.pack(">IIHBH", 9, 0x40000009, 0, 0, 0)
    extend10 = struct.pack(">HIII", 0x8002, 10 + 4 + len(pw_auth) + 4 + 2 + 32, 0x182, 10) + \
        pw_auth + struct.pack(">IH", 1, 0x000B) + b"\x42" * 32
    read10 = struct.pack(">HIIIHB3s", 0x8001, 20, 0x17E, 1, 0x000B, 3, b"\x00\x04\x00")
    shutdown_state = struct.pack(">HIIH", 0x8001, 12, 0x145, 1)
    startup_state = struct.pack(">HIIH", 0x8001, 12, 0x144, 1)

    def pcr10(s):
        rsp, _ = mssim_command(s, read10)
        return rsp[-32:] if rc_of(rsp) == 0 else None

    def power_cycle(dd):
        return mssim_platform(dd, 2) == 0 and mssim_platform(dd, 1) == 0

    pstate = os.path.join(work, "power")
    d = Daemon(pstate, "--fresh")

    def resume_keeps_pcrs():
        with d.conn() as s:
            mssim_command(s, STARTUP)
            mssim_command(s, extend10)
            before = pcr10(s)
            r1, _ = mssim_command(s, shutdown_state)
        power_cycle(d)
        with d.conn() as s:
            r2, _ = mssim_command(s, startup_state)
            after = pcr10(s)
        return (rc_of(r1) == 0 and rc_of(r2) == 0 and before is not None and after == before
                and before != b"\0" * 32,
                "shutdown %x startup %x pcr %s -> %s" % (rc_of(r1), rc_of(r2),
                                                         before and before.hex(), after and after.hex()))
    check("resume-keeps-pcrs", resume_keeps_pcrs)

    def restart_clears_pcrs():
        with d.conn() as s:
            mssim_command(s, shutdown_state)
        power_cycle(d)
        with d.conn() as s:
            r, _ = mssim_command(s, STARTUP)
            after = pcr10(s)
        return rc_of(r) == 0 and after == b"\0" * 32, "startup %x pcr %s" % (
            rc_of(r), after and after.hex())
    check("restart-clears-pcrs", restart_clears_pcrs)

    def no_resume_without_orderly_shutdown():
        power_cycle(d)
        with d.conn() as s:
            r, _ = mssim_command(s, startup_state)
            r2, _ = mssim_command(s, STARTUP)
        return rc_of(r) != 0 and rc_of(r2) == 0, "Startup(STATE) %x, Startup(CLEAR) %x" % (
            rc_of(r), rc_of(r2))
    check("no-resume-after-power-loss", no_resume_without_orderly_shutdown)

    def resume_across_daemon_restart():
        with d.conn() as s:
            mssim_command(s, extend10)
            before = pcr10(s)
            mssim_command(s, shutdown_state)
        rc = d.stop()
        d2 = Daemon(pstate)
        try:
            with d2.conn() as s:
                r, _ = mssim_command(s, startup_state)
                after = pcr10(s)
        finally:
            d2.stop()
        return (rc == 0 and rc_of(r) == 0 and after == before,
                "Startup(STATE) after restart %x, pcr %s -> %s" % (
                    rc_of(r), before and before.hex(), after and after.hex()))
    check("orderly-state-survives-daemon-restart", resume_across_daemon_restart)

    # PCR_Allocate takes effect at the next _TPM_Init (a platform-port power cycle here) and
    # is persistent (it survives a daemon restart).
    def banks(s):
        rsp, _ = mssim_command(s, struct.pack(">HIIIII", 0x8001, 22, 0x17A, 5, 0, 8))
        if rc_of(rsp) != 0:
            return None
        count = struct.unpack(">I", rsp[15:19])[0]
        out, o = {}, 19
        for _ in range(count):
            alg, n = struct.unpack(">HB", rsp[o:o + 3])
            out[alg] = rsp[o + 3:o + 3 + n].hex()
            o += 3 + n
        return out

    allocate = struct.pack(">HIII", 0x8002, 0, 0x12B, 0x4000000C) + \
        struct.pack(">IIHBH", 9, 0x40000009, 0, 0, 0) + struct.pack(">I", 4) + \
        b"".join(struct.pack(">HB", alg, 3) + sel for alg, sel in (
            (0x0004, b"\0\0\0"), (0x000B, b"\xff\xff\xff"), (0x000C, b"\xff\xff\xff"),
            (0x000D, b"\0\0\0")))
    allocate = allocate[:2] + struct.pack(">I", len(allocate)) + allocate[6:]
    astate = os.path.join(work, "alloc")
    d = Daemon(astate, "--fresh")

    def pcr_allocate():
        with d.conn() as s:
            mssim_command(s, STARTUP)
            before = banks(s)
            r, _ = mssim_command(s, allocate)
        power_cycle(d)
        with d.conn() as s:
            mssim_command(s, STARTUP)
            after = banks(s)
        want = {0x0004: "000000", 0x000B: "ffffff", 0x000C: "ffffff", 0x000D: "000000"}
        return (rc_of(r) == 0 and after == want and before != want,
                "allocate %x, banks %s -> %s" % (rc_of(r), before, after))
    check("pcr-allocate-after-power-cycle", pcr_allocate)
    d.stop()
    d = Daemon(astate)
    try:
        with d.conn() as s:
            mssim_command(s, STARTUP)
            after = banks(s)
    finally:
        d.stop()
    report("pcr-allocation-survives-restart", after is not None and after.get(0x000C) == "ffffff"
           and after.get(0x0004) == "000000", "banks %s" % after)

    # Persistence of NV through tpm2-tools: only meaningful once the engine has NV.
    nvstate = os.path.join(work, "nv")
    d = Daemon(nvstate, "--fresh", "--startup-clear")
    env = dict(os.environ, TPM2TOOLS_TCTI="mssim:host=127.0.0.1,port=%d" % d.port)
    data = os.urandom(16)
    open(os.path.join(work, "nvdata"), "wb").write(data)
    r = subprocess.run(["tpm2_nvdefine", "0x1500030", "-C", "o", "-s", "16", "-a",
                        "ownerread|ownerwrite"], env=env, capture_output=True)
    r2 = subprocess.run(["tpm2_nvwrite", "0x1500030", "-C", "o", "-i",
                         os.path.join(work, "nvdata")], env=env, capture_output=True)
    d.proc.send_signal(signal.SIGKILL)       # crash: the write must already be on disk
    d.proc.wait()
    if r.returncode != 0 or r2.returncode != 0:
        print("skip - daemon/nv-survives-crash engine has no NV_DefineSpace/NV_Write yet")
        return
    d = Daemon(nvstate, "--startup-clear")
    env["TPM2TOOLS_TCTI"] = "mssim:host=127.0.0.1,port=%d" % d.port
    r = subprocess.run(["tpm2_nvread", "0x1500030", "-C", "o", "-s", "16"], env=env,
                       capture_output=True)
    d.stop()
    report("nv-survives-crash", r.returncode == 0 and r.stdout == data,
           "read back %s" % r.stdout.hex())
    journal_checks(work)


# ---- the state journal: SIGKILL at random points, torn and forged records -------------------
NV_CRASH = 0x01500031
PW_AUTH = struct.pack(">IIHBH", 9, 0x40000009, 0, 0, 0)


def nv_cmd(cc, handles, params):
    body = b"".join(struct.pack(">I", h) for h in handles) + PW_AUTH + params
    return struct.pack(">HII", 0x8002, 10 + len(body), cc) + body


def nv_define_crash():
    pub = struct.pack(">IHIHH", NV_CRASH, 0x000B, 0x00020002, 0, 8)   # ownerwrite|ownerread
    return nv_cmd(0x12A, [0x40000001], struct.pack(">H", 0) + struct.pack(">H", len(pub)) + pub)


def nv_write_crash(value):
    return nv_cmd(0x137, [0x40000001, NV_CRASH], struct.pack(">HQH", 8, value, 0))


def nv_read_crash(s):
    rsp, _ = mssim_command(s, nv_cmd(0x14E, [0x40000001, NV_CRASH], struct.pack(">HH", 8, 0)))
    if rc_of(rsp) != 0:
        return None
    return struct.unpack(">Q", rsp[16:24])[0]       # header, parameterSize, size


def journal_checks(work):
    import random
    import threading
    rng = random.Random(0x4138)
    state = os.path.join(work, "journal")
    d = Daemon(state, "--fresh", "--startup-clear", "--compact-at", "6000")
    with d.conn() as s:
        rsp, _ = mssim_command(s, nv_define_crash())
        ok = rc_of(rsp) == 0 and rc_of(mssim_command(s, nv_write_crash(0))[0]) == 0
    d.stop()
    if not ok:
        report("journal-kill-at-random-points", False, "NV setup answered 0x%x" % rc_of(rsp))
        return
    # Writers send NV_Writes of increasing values as fast as they can; SIGKILL lands at a random
    # moment (in the engine, in a journal append, in a compaction).  After a restart the index
    # must hold the last acknowledged value or the one in flight, never anything older.
    bad, kills = [], 0
    for it in range(40):
        d = Daemon(state, "--startup-clear", "--compact-at", "6000")
        acked = [None]
        sent = [None]
        with d.conn() as s:
            start = nv_read_crash(s)
            if start is None:
                bad.append("iteration %d: the state did not load (%s)" % (it, d.proc.poll()))
                d.stop()
                break

            def writer():
                v = start
                try:
                    while True:
                        v += 1
                        sent[0] = v
                        if rc_of(mssim_command(s, nv_write_crash(v))[0]) == 0:
                            acked[0] = v
                except (OSError, EOFError, struct.error):
                    pass
            t = threading.Thread(target=writer)
            t.start()
            time.sleep(rng.uniform(0.005, 0.06))
            d.proc.send_signal(signal.SIGKILL)
            d.proc.wait()
            t.join()
            kills += 1
        d.stderr = d.proc.stderr.read()
        d2 = Daemon(state, "--startup-clear", "--compact-at", "6000")
        with d2.conn() as s2:
            got = nv_read_crash(s2)
        d2.stop()
        allowed = {acked[0] if acked[0] is not None else start, sent[0]}
        if got not in allowed:
            bad.append("iteration %d: read %s, acknowledged %s, in flight %s" %
                       (it, got, acked[0], sent[0]))
    report("journal-kill-at-random-points", not bad and kills == 40,
           "; ".join(bad[:3]) or "%d kills" % kills)

    # A journal written under a larger --compact-at loads whole under a smaller one (longer
    # than the smaller setting plus two maximal records: ~250 records of ~650 bytes).
    d = Daemon(state, "--startup-clear", "--compact-at", "1000000")
    with d.conn() as s:
        base = nv_read_crash(s)
        for k in range(1, 251):
            mssim_command(s, nv_write_crash(base + k))
    d.proc.send_signal(signal.SIGKILL)
    d.proc.wait()
    jsize = os.path.getsize(os.path.join(state, "tpm2-state.journal"))
    d = Daemon(state, "--startup-clear", "--compact-at", "1024")
    with d.conn() as s:
        got = nv_read_crash(s)
    d.stop()
    report("journal-longer-than-compact-at", jsize > 120000 and got == base + 250,
           "journal %d bytes, read %s, want %s" % (jsize, got, base + 250))

    # A torn last record (the kill came mid-append) is skipped: the previous state loads.
    d = Daemon(state, "--startup-clear")
    with d.conn() as s:
        before = nv_read_crash(s)
        mssim_command(s, nv_write_crash(before + 1))
    d.proc.send_signal(signal.SIGKILL)
    d.proc.wait()
    jpath = os.path.join(state, "tpm2-state.journal")
    size = os.path.getsize(jpath)
    with open(jpath, "r+b") as f:                  # cut the last record short
        f.truncate(size - 5)
    d = Daemon(state, "--startup-clear")
    with d.conn() as s:
        got = nv_read_crash(s)
    d.stop()
    report("journal-torn-record-skipped", size > 0 and got == before,
           "journal %d bytes, read %s, want %s" % (size, got, before))

    # A forged record (no valid MAC) after a good one: skipped with a warning; a journal with
    # only forged records is refused, not silently replaced by the older base.
    d = Daemon(state, "--startup-clear")
    with d.conn() as s:
        before = nv_read_crash(s)
        mssim_command(s, nv_write_crash(before + 1))
        mssim_command(s, nv_write_crash(before + 2))
    d.proc.send_signal(signal.SIGKILL)
    d.proc.wait()
    data = bytearray(open(jpath, "rb").read())
    data[-40] ^= 1                                  # inside the last blob
    open(jpath, "wb").write(bytes(data))
    d = Daemon(state, "--startup-clear")
    with d.conn() as s:
        got = nv_read_crash(s)
    d.stop()
    report("journal-forged-last-record-skipped", got == before + 1 and "did not verify" in d.stderr,
           "read %s, want %s; %s" % (got, before + 1, d.stderr.strip()[-200:]))
    d = Daemon(state, "--startup-clear")
    with d.conn() as s:
        mssim_command(s, nv_write_crash(before + 3))
    d.proc.send_signal(signal.SIGKILL)
    d.proc.wait()
    data = bytearray(open(jpath, "rb").read())
    off = 0
    while off + 8 <= len(data):                     # one flipped bit in every record's blob
        n = struct.unpack(">I", data[off + 4:off + 8])[0]
        data[off + 8 + n // 2] ^= 1
        off += 8 + n
    open(jpath, "wb").write(bytes(data))
    d = Daemon(state, "--startup-clear")
    refused = not d.alive()
    d.stop()
    report("journal-all-forged-refused", refused and "no usable TPM state" in d.stderr,
           "daemon %s; %s" % ("exited" if refused else "started", d.stderr.strip()[-200:]))


if __name__ == "__main__":
    sys.exit(main())
