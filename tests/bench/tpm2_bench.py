#!/usr/bin/env python3
"""swtpm/libtpms vs anchor-tpmd: the same raw command mix over the same socket protocol (swtpm's
TCP data port, one persistent connection), in one run.

Server CPU per command = the server's on-CPU time (sum of /proc/<pid>/task/*/schedstat, ns)
read just before sending and just after the response arrived; the server is otherwise idle,
so the delta is that command's cost (protocol + engine).  Median over the iterations.
Memory: private RSS (smaps_rollup Private_Clean + Private_Dirty) of each idle server after
Startup, and sizeof(struct tpm2) as anchor-tpmd reports it.

Env: ANCHOR_TPMD (default build/sim/anchor-tpmd), BENCH_SCALE (iteration multiplier, 1)."""
import os
import re
import shutil
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TPMD = os.environ.get("ANCHOR_TPMD", os.path.join(ROOT, "build/sim/anchor-tpmd"))
SCALE = float(os.environ.get("BENCH_SCALE", "1"))

RS_PW = 0x40000009
RH_OWNER, RH_ENDORSEMENT, RH_NULL, RH_PLATFORM = 0x40000001, 0x4000000B, 0x40000007, 0x4000000C
SHA256, NULL_ALG = 0x000B, 0x0010
EK_POLICY = bytes.fromhex("837197674484B3F81A90CC8D46A5D724FD52D76E06520B64F2A1DA1B331469AA")


def u16(v): return struct.pack(">H", v)
def u32(v): return struct.pack(">I", v)
def b2(data): return u16(len(data)) + data


PW_AUTH = u32(9) + u32(RS_PW) + u16(0) + b"\x01" + u16(0)    # empty password session


def command(cc, handles=(), params=b"", auth=False):
    body = b"".join(u32(h) for h in handles) + (PW_AUTH if auth else b"") + params
    tag = 0x8002 if auth else 0x8001
    return struct.pack(">HII", tag, 10 + len(body), cc) + body


def rsa_public(attrs, policy=b"", sym=True, scheme=(NULL_ALG,), unique_len=0):
    symdef = (u16(0x0006) + u16(128) + u16(0x0043)) if sym else u16(NULL_ALG)
    params = symdef + b"".join(u16(x) for x in scheme) + u16(2048) + u32(0)
    return b2(u16(0x0001) + u16(SHA256) + u32(attrs) + b2(policy) + params + b2(b"\0" * unique_len))


def ecc_public(attrs, policy=b"", sym=True, scheme=(NULL_ALG,), unique_len=0):
    symdef = (u16(0x0006) + u16(128) + u16(0x0043)) if sym else u16(NULL_ALG)
    params = symdef + b"".join(u16(x) for x in scheme) + u16(0x0003) + u16(NULL_ALG)
    return b2(u16(0x0023) + u16(SHA256) + u32(attrs) + b2(policy) + params
              + b2(b"\0" * unique_len) + b2(b"\0" * unique_len))


EK_ATTRS = 0x000300B2          # fixedTPM fixedParent sensitiveDataOrigin adminWithPolicy restricted decrypt
STORAGE_ATTRS = 0x00030072     # fixedTPM fixedParent sensitiveDataOrigin userWithAuth restricted decrypt
SIGN_ATTRS = 0x00040072        # fixedTPM fixedParent sensitiveDataOrigin userWithAuth sign
NO_SENSITIVE = b2(u16(0) + u16(0))
PCR_SEL_0_7 = u32(1) + u16(SHA256) + b"\x03" + b"\xff\x00\x00"
STARTUP_CLEAR = struct.pack(">HIIH", 0x8001, 12, 0x144, 0)


def create_primary(hierarchy, public):
    return command(0x131, [hierarchy], NO_SENSITIVE + public + u16(0) + u32(0), auth=True)


class Server:
    def __init__(self, kind, work):
        self.kind = kind
        port = free_port()
        state = os.path.join(work, kind)
        os.makedirs(state)
        self.log = open(os.path.join(work, kind + ".log"), "w+")
        if kind == "swtpm":
            args = ["swtpm", "socket", "--tpm2", "--tpmstate", "dir=" + state,
                    "--server", "type=tcp,port=%d,bindaddr=127.0.0.1" % port,
                    "--ctrl", "type=tcp,port=%d,bindaddr=127.0.0.1" % (port + 1),
                    "--flags", "not-need-init,startup-clear"]
        else:
            args = [TPMD, "--protocol", "swtpm", "--port", str(port), "--state", state,
                    "--fresh", "--startup-clear"]
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=self.log)
        deadline = time.time() + 5
        while True:
            try:
                self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
                break
            except OSError:
                if time.time() > deadline or self.proc.poll() is not None:
                    raise RuntimeError(kind + " did not start")
                time.sleep(0.02)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def cpu_ns(self):
        total = 0
        base = "/proc/%d/task" % self.proc.pid
        for t in os.listdir(base):
            try:
                total += int(open("%s/%s/schedstat" % (base, t)).read().split()[0])
            except (OSError, ValueError):
                pass
        return total

    def private_kib(self):
        return private_kib(self.proc.pid)

    def send(self, cmd):
        self.sock.sendall(cmd)
        hdr = self.recv(10)
        size = struct.unpack(">I", hdr[2:6])[0]
        rsp = hdr + self.recv(size - 10)
        return struct.unpack(">I", rsp[6:10])[0], rsp

    def recv(self, n):
        buf = b""
        while len(buf) < n:
            c = self.sock.recv(n - len(buf))
            if not c:
                raise EOFError("server closed the connection")
            buf += c
        return buf

    def timed(self, cmd):
        """A command that answers RETRY/YIELDED/TESTING (libtpms does for RSA key generation)
        is sent again, as a client must: the retries count towards its cost."""
        before = self.cpu_ns()
        for _ in range(50):
            rc, rsp = self.send(cmd)
            if rc not in (0x922, 0x908, 0x90A):
                break
        return rc, rsp, self.cpu_ns() - before

    def stop(self):
        self.sock.close()
        self.proc.terminate()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.seek(0)
        return self.log.read()


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


def flush(srv, handle):
    srv.send(command(0x165, [handle]))


def measure(srv, make_cmd, iterations, after=None, before=None):
    """Returns (median µs, rc of the first failure or 0).  before/after run untimed."""
    costs = []
    for _ in range(max(1, int(iterations * SCALE))):
        if before:
            before()
        rc, rsp, ns = srv.timed(make_cmd())
        if rc != 0:
            return None, rc
        costs.append(ns / 1000.0)
        if after:
            after(rsp)
    return statistics.median(costs), 0


def run_mix(srv):
    """The command mix; returns {name: (median_us | None, rc)}."""
    out = {}
    digest = b"\x11" * 32
    out["GetRandom 32"] = measure(srv, lambda: command(0x17B, params=u16(32)), 400)
    out["PCR_Extend"] = measure(srv, lambda: command(
        0x182, [16], u32(1) + u16(SHA256) + digest, auth=True), 400)
    out["PCR_Read 0-7"] = measure(srv, lambda: command(0x17E, params=PCR_SEL_0_7), 400)
    out["Hash 1 KiB"] = measure(srv, lambda: command(
        0x17D, params=b2(b"\xab" * 1024) + u16(SHA256) + u32(RH_NULL)), 400)

    nv_index = 0x01500040
    nv_public = b2(u32(nv_index) + u16(SHA256) + u32(0x00060006) + b2(b"") + u16(64))
    rc, _ = srv.send(command(0x12A, [RH_OWNER], b2(b"") + nv_public, auth=True))
    if rc == 0:
        out["NV_Write 64"] = measure(srv, lambda: command(
            0x137, [RH_OWNER, nv_index], b2(b"\x5a" * 64) + u16(0), auth=True), 400)
        out["NV_Read 64"] = measure(srv, lambda: command(
            0x14E, [RH_OWNER, nv_index], u16(64) + u16(0), auth=True), 400)
    else:
        out["NV_Write 64"] = out["NV_Read 64"] = (None, rc)

    def flush_new(rsp):
        flush(srv, struct.unpack(">I", rsp[10:14])[0])

    # RSA key generation time depends on where the primes fall: a new endorsement seed
    # (ChangeEPS, untimed) before each EK makes the median one over many keys, not one key.
    def change_eps():
        srv.send(command(0x124, [RH_PLATFORM], auth=True))

    out["CreatePrimary RSA EK"] = measure(srv, lambda: create_primary(
        RH_ENDORSEMENT, rsa_public(EK_ATTRS, EK_POLICY, unique_len=256)), 15, flush_new,
        change_eps)
    out["CreatePrimary ECC EK"] = measure(srv, lambda: create_primary(
        RH_ENDORSEMENT, ecc_public(EK_ATTRS, EK_POLICY, unique_len=32)), 15, flush_new,
        change_eps)

    rc, rsp = srv.send(create_primary(RH_OWNER, ecc_public(STORAGE_ATTRS)))
    names = ["Create RSA-2048", "Create ECC P-256", "Sign RSASSA-2048", "Sign ECDSA P-256",
             "Quote ECDSA"]
    if rc != 0:
        for n in names:
            out[n] = (None, rc)
        return out
    parent = struct.unpack(">I", rsp[10:14])[0]
    created = {}

    def keep(name):
        def f(rsp):
            created[name] = rsp
        return f

    def create(public):
        return command(0x153, [parent], NO_SENSITIVE + public + u16(0) + u32(0), auth=True)

    out["Create RSA-2048"] = measure(srv, lambda: create(
        rsa_public(SIGN_ATTRS, sym=False, scheme=(0x0014, SHA256))), 5, keep("rsa"))
    out["Create ECC P-256"] = measure(srv, lambda: create(
        ecc_public(SIGN_ATTRS, sym=False, scheme=(0x0018, SHA256))), 15, keep("ecc"))

    def load(rsp):
        o = 14
        priv_len = struct.unpack(">H", rsp[o:o + 2])[0]
        priv = rsp[o:o + 2 + priv_len]
        o += 2 + priv_len
        pub_len = struct.unpack(">H", rsp[o:o + 2])[0]
        pub = rsp[o:o + 2 + pub_len]
        rc, r = srv.send(command(0x157, [parent], priv + pub, auth=True))
        return struct.unpack(">I", r[10:14])[0] if rc == 0 else None, rc

    validation = u16(0x8024) + u32(RH_NULL) + u16(0)
    for name, key, label in (("rsa", "Sign RSASSA-2048", None), ("ecc", "Sign ECDSA P-256", "Quote ECDSA")):
        if name not in created:
            out[key] = out[key] if key in out else (None, out["Create RSA-2048" if name == "rsa" else "Create ECC P-256"][1])
            if label:
                out[label] = out[key]
            continue
        handle, rc = load(created[name])
        if handle is None:
            out[key] = (None, rc)
            if label:
                out[label] = (None, rc)
            continue
        out[key] = measure(srv, lambda: command(
            0x15D, [handle], b2(digest) + u16(NULL_ALG) + validation, auth=True),
            20 if name == "rsa" else 60)
        if label:
            out[label] = measure(srv, lambda: command(
                0x158, [handle], b2(b"nonce123") + u16(NULL_ALG) + PCR_SEL_0_7, auth=True), 60)
        flush(srv, handle)
    return out


ORDER = ["GetRandom 32", "PCR_Extend", "PCR_Read 0-7", "Hash 1 KiB", "NV_Write 64", "NV_Read 64",
         "CreatePrimary RSA EK", "CreatePrimary ECC EK", "Create RSA-2048", "Create ECC P-256",
         "Sign RSASSA-2048", "Sign ECDSA P-256", "Quote ECDSA"]
TARGET = {}                    # over the socket: <= 1.0x swtpm for every command (issue 9)


def fmt(v):
    us, rc = v
    return "%10.1f" % us if us is not None else "%10s" % ("n/a %x" % rc if rc else "n/a")


def private_kib(pid):
    """'private clean+dirty / dirty' KiB.  Clean private pages are mostly the program's own
    text, shared with any second instance; dirty ones are what each instance really costs."""
    v = {"Private_Clean:": 0, "Private_Dirty:": 0}
    for line in open("/proc/%d/smaps_rollup" % pid):
        f = line.split()
        if f and f[0] in v:
            v[f[0]] = int(f[1])
    return "%d / %d" % (v["Private_Clean:"] + v["Private_Dirty:"], v["Private_Dirty:"])


def process_floor_kib():
    p = subprocess.Popen(["sleep", "5"])
    try:
        time.sleep(0.1)
        return private_kib(p.pid)
    except OSError:
        return "n/a"
    finally:
        p.kill()
        p.wait()


def print_table(title, left, right, lname, rname):
    print(title)
    print("%-22s %10s %10s %8s  %s" % ("command", lname, rname, "ratio", "target"))
    for name in ORDER:
        s = left.get(name, (None, 0))
        a = right.get(name, (None, 0))
        ratio = "%8.2f" % (a[0] / s[0]) if s[0] and a[0] else "%8s" % "n/a"
        target = "<= %.1fx" % TARGET.get(name, 1.0)
        print("%-22s %s %s %s  %s" % (name, fmt(s), fmt(a), ratio, target))
    print()


def main():
    work = tempfile.mkdtemp(prefix="anchor-bench.")
    results, mem, logs = {}, {}, {}
    kinds = ["swtpm"] + (["anchor"] if os.access(TPMD, os.X_OK) else [])
    try:
        for kind in kinds:
            try:
                srv = Server(kind, work)
            except Exception as e:       # the benchmark reports, never fails
                print("# %s: %s" % (kind, e))
                continue
            time.sleep(0.2)
            mem[kind] = srv.private_kib()
            try:
                results[kind] = run_mix(srv)
            except Exception as e:
                print("# %s: command mix stopped: %s" % (kind, e))
                results.setdefault(kind, {})
            logs[kind] = srv.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print_table("server CPU per command over the socket, median µs "
                "(/proc/<pid>/task/*/schedstat around each command)",
                results.get("swtpm", {}), results.get("anchor", {}), "swtpm", "anchor")
    print("(the engines alone, in-process, against libtpms: tpm2_engine_bench; an ESYS client's "
          "view: tpm2_esys_bench)\n")
    print("idle private memory (private / private dirty): swtpm %s KiB, anchor-tpmd %s KiB, "
          "an idle `sleep` (the libc process floor) %s KiB" % (mem.get("swtpm", "n/a"), mem.get("anchor", "n/a"),
                                     process_floor_kib()))
    m = re.search(r"\((\d+)-byte engine instance\)", logs.get("anchor", ""))
    print("sizeof(struct tpm2) = %s bytes (target: <= 64 KiB per instance)" % (m.group(1) if m else "n/a"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
