"""Shared plumbing of the differential tests that send the same commands to anchor-tpmd and to
swtpm/libtpms in one run (tpm2_rc_vs_libtpms.py, tpm2_session_rc_vs_libtpms.py): command
marshalling, the swtpm protocol (data + control channel), and starting/stopping the pair."""
import os, shutil, socket, struct, subprocess, tempfile, time

def u8(v): return bytes([v])
def u16(v): return struct.pack('>H', v)
def u32(v): return struct.pack('>I', v)
def u64(v): return struct.pack('>Q', v)
def b2(x): return u16(len(x)) + x
def cmd(tag, cc, body=b''):
    return u16(tag) + u32(10 + len(body)) + u32(cc) + body
def rc_of(b): return struct.unpack('>I', b[6:10])[0]

NS, S = 0x8001, 0x8002            # TPM_ST_NO_SESSIONS, TPM_ST_SESSIONS
PW = 0x40000009                   # TPM_RS_PW

def pw(*pws):
    """An authorization area of password sessions, one per password."""
    a = b''.join(u32(PW) + u16(0) + b'\x01' + b2(p) for p in pws)
    return u32(len(a)) + a

class Conn:
    """The data channel of one TPM (swtpm protocol: bare commands and responses)."""
    def __init__(self, port, timeout=20):
        self.s = socket.create_connection(('127.0.0.1', port), timeout=timeout)
    def exchange(self, c):
        self.s.sendall(c)
        b = b''
        while len(b) < 10 or len(b) < struct.unpack('>I', b[2:6])[0]:
            chunk = self.s.recv(65536)
            if not chunk:
                raise IOError('connection closed')
            b += chunk
        return b
    x = exchange

class RetryConn(Conn):
    """A data channel that answers TPM_RC_RETRY (the reference TPM recording DA use or Clock
    in NV) by resending, as a TSS does."""
    def x(self, c):
        for _ in range(5):
            b = self.exchange(c)
            if rc_of(b) != 0x922:
                return b
        return b
    def rc(self, c):
        return rc_of(self.x(c))

def ctrl(ctrl_port, code, payload=b''):
    """One swtpm control-channel command; waits for its 4-byte result."""
    s = socket.create_connection(('127.0.0.1', ctrl_port), timeout=10)
    s.sendall(u32(code) + payload)
    r = b''
    while len(r) < 4:
        chunk = s.recv(4)
        if not chunk:
            break
        r += chunk
    s.close()

def power(ctrl_port):
    """CMD_INIT: _TPM_Init, a power cycle of the TPM."""
    ctrl(ctrl_port, 2, u32(0))

def set_locality(ctrl_port, loc):
    """CMD_SET_LOCALITY for the following data-port commands."""
    ctrl(ctrl_port, 5, bytes([loc]))

def free_port_pair():
    for _ in range(50):
        s = socket.socket(); s.bind(('127.0.0.1', 0)); p = s.getsockname()[1]; s.close()
        if p < 65000:
            t = socket.socket()
            try:
                t.bind(('127.0.0.1', p + 1)); t.close(); return p
            except OSError:
                t.close()
    raise RuntimeError('no free ports')

def wait_port(port, proc):
    for _ in range(100):
        if proc.poll() is not None:
            return False
        try:
            socket.create_connection(('127.0.0.1', port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False

def run_pair(label, anchor_tpmd, body):
    """Starts a fresh anchor-tpmd and a fresh swtpm (both swtpm protocol, Startup(CLEAR) done),
    calls body(anchor_port, swtpm_port) and stops both.  Returns the exit status."""
    swtpm = shutil.which('swtpm')
    if not swtpm or not os.access(anchor_tpmd, os.X_OK):
        print('skip - %s: needs swtpm and %s' % (label, anchor_tpmd))
        return 0
    tmp = tempfile.mkdtemp(prefix='tpmpair-')
    procs = []
    try:
        os.mkdir(tmp + '/a'); os.mkdir(tmp + '/s')
        pa = free_port_pair()
        procs.append(subprocess.Popen([anchor_tpmd, '--protocol', 'swtpm', '--port', str(pa),
                                       '--ctrl-port', str(pa + 1), '--state', tmp + '/a', '--fresh',
                                       '--startup-clear', '--quiet'], stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL))
        if not wait_port(pa, procs[-1]):
            print('not ok - %s: anchor-tpmd did not start' % label); return 1
        ps = free_port_pair()
        procs.append(subprocess.Popen([swtpm, 'socket', '--tpm2', '--tpmstate', 'dir=' + tmp + '/s',
                                       '--server', 'type=tcp,port=%d' % ps, '--ctrl',
                                       'type=tcp,port=%d' % (ps + 1), '--flags',
                                       'not-need-init,startup-clear'], stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL))
        if not wait_port(ps, procs[-1]):
            print('skip - %s: swtpm did not start' % label); return 0
        body(pa, ps)
    finally:
        for p in procs:
            p.terminate()
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0
