#!/usr/bin/env python3
"""Issue-9 features of the engine against libtpms (swtpm) in the same run.

Both TPMs get the same steps; a step returns what it observed (a response code, or a code plus
a value derived from the response: a comparison result, a verified signature, a counter...),
and the case is `ok` when anchor-tpmd and libtpms observed the same thing.  Covered: PolicyNV /
PolicyCounterTimer signed comparisons (the reference's SignedCompareB order), attestation with
keyed-hash (HMAC) signing keys, symmetric-cipher storage parents, PIN Pass / PIN Fail indices,
ECDAA (Commit, EC_Ephemeral, signing), the H-CRTM sequence, stClear objects after Restart,
context gaps and ClockRateAdjust.  Complements tpm2_rc_vs_libtpms.py and
tpm2_session_rc_vs_libtpms.py.
"""
import hashlib, hmac, os, struct, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tpm_pair import u8, u16, u32, u64, b2, cmd, rc_of, NS, S, pw, Conn, power, set_locality, run_pair

ANCHOR_TPMD = sys.argv[1] if len(sys.argv) > 1 else os.environ.get('ANCHOR_TPMD', 'build/sim/anchor-tpmd')

OWNER, ENDORSE, PLATFORM, NULLH, LOCKOUT = 0x40000001, 0x4000000B, 0x4000000C, 0x40000007, 0x4000000A
SHA1, SHA256, SHA384, NULLALG = 0x0004, 0x000B, 0x000C, 0x0010
NC = bytes(range(1, 33))

DELIBERATE = {}

def nvpub(idx, attrs, size, alg=SHA256, pol=b''):
    return b2(u32(idx) + u16(alg) + u32(attrs) + b2(pol) + u16(size))

class TPM(Conn):
    """One TPM under test: a socket and what its answers taught us (handles, nonces)."""
    def __init__(self, port, ctrl_port):
        Conn.__init__(self, port)
        self.ctrl_port = ctrl_port
        self.h = {}       # name -> handle (sessions, objects)
        self.v = {}       # name -> value remembered by a step
    def x(self, c):
        for _ in range(5):          # TPM_RC_RETRY: resend, as a TSS does
            b = self.exchange(c)
            if rc_of(b) != 0x922:
                return b
        return b
    def rc(self, c):
        return rc_of(self.x(c))
    def handle(self, h):
        return self.h[h] if isinstance(h, str) else h

def params_of(r):
    """Response parameters of a response with sessions (after the parameterSize)."""
    n = struct.unpack('>I', r[10:14])[0]
    return r[14:14 + n]

def tpm2b(b, off=0):
    n = struct.unpack('>H', b[off:off + 2])[0]
    return b[off + 2:off + 2 + n], off + 2 + n

# ---- generic steps ---------------------------------------------------------------------------

def raw(c):
    return lambda t: t.rc(c)

def auth_cmd(cc, handles, auths, params, out=None):
    """A command with password sessions; handles may be names remembered by earlier steps.
    out(t, response) may record or return more than the code."""
    def f(t):
        r = t.x(cmd(S, cc, b''.join(u32(t.handle(h)) for h in handles) + pw(*auths) +
                    (params(t) if callable(params) else params)))
        if rc_of(r) or out is None:
            return rc_of(r)
        return out(t, r)
    return f

def start_session(name, typ, alg=SHA256):
    """An unbound, unsalted session (HMAC 0, policy 1, trial 3); remembers nonceTPM."""
    def f(t):
        r = t.x(cmd(NS, 0x176, u32(NULLH) + u32(NULLH) + b2(NC) + b2(b'') + u8(typ) +
                    u16(NULLALG) + u16(alg)))
        if rc_of(r) == 0:
            t.h[name] = struct.unpack('>I', r[10:14])[0]
            t.v[name + '.nt'], _ = tpm2b(r, 14)
        return rc_of(r)
    return f

def audited_getrandom(name):
    """GetRandom(8) with the named HMAC session as an audit session (continueSession|audit;
    the session key is empty, so the HMAC key is empty); returns the code."""
    def f(t):
        cp = hashlib.sha256(u32(0x17B) + u16(8)).digest()
        mac = hmac.new(b'', cp + NC + t.v[name + '.nt'] + b'\x81', hashlib.sha256).digest()
        e = u32(t.h[name]) + b2(NC) + b'\x81' + b2(mac)
        r = t.x(cmd(S, 0x17B, u32(len(e)) + e + u16(8)))
        if rc_of(r) == 0:
            ar = r[14 + struct.unpack('>I', r[10:14])[0]:]
            t.v[name + '.nt'], _ = tpm2b(ar)
        return rc_of(r)
    return f

def flush(name):
    return lambda t: t.rc(cmd(NS, 0x165, u32(t.h[name]))) if name in t.h else 0

def flush_all_transient(t):
    r = t.x(cmd(NS, 0x17A, u32(1) + u32(0x80000000) + u32(20)))
    n = struct.unpack('>I', r[15:19])[0]
    for i in range(n):
        t.x(cmd(NS, 0x165, r[19 + 4 * i:23 + 4 * i]))
    return 0

def primary(name, hier, pub, sens=b'', out=None):
    """CreatePrimary; remembers the handle and the response (t.v[name])."""
    def f(t):
        r = t.x(cmd(S, 0x131, u32(hier) + pw(b'') + b2(b2(b'') + b2(sens)) + b2(pub) + b2(b'') + u32(0)))
        if rc_of(r) == 0:
            t.h[name] = struct.unpack('>I', r[10:14])[0]
            t.v[name] = r
            if out:
                return out(t, r)
        return rc_of(r)
    return f

# ---- 5: PolicyNV signed comparisons ----------------------------------------------------------

EO = ['eq', 'neq', 'sgt', 'ugt', 'slt', 'ult', 'sge', 'uge', 'sle', 'ule', 'bs', 'bc']
NV_CMP = 0x1500800

def policy_nv(a, b, op):
    """Writes operandA into the NV index, runs PolicyNV(operandB, op) on the policy session."""
    def f(t):
        rc = t.rc(cmd(S, 0x137, u32(OWNER) + u32(NV_CMP) + pw(b'') + b2(a) + u16(0)))
        if rc:
            return 'write %x' % rc
        return t.rc(cmd(S, 0x149, u32(OWNER) + u32(NV_CMP) + u32(t.h['pol']) + pw(b'') +
                        b2(b) + u16(0) + u16(op)))
    return f

def policy_counter_timer(b, offset, op):
    return lambda t: t.rc(cmd(NS, 0x16D, u32(t.h['pol']) + b2(b) + u16(offset) + u16(op)))

def cases_policy_nv():
    c = [('pnv: define 2-byte index', auth_cmd(0x12A, [OWNER], [b''], b2(b'') +
          nvpub(NV_CMP, 0x00060006 | 0x02000000, 2))),
         ('pnv: policy session', start_session('pol', 1))]
    pairs = [(b'\x81', b'\x82'), (b'\x82', b'\x81'), (b'\x81', b'\x81'), (b'\x01', b'\x81'),
             (b'\x81', b'\x01'), (b'\x7f', b'\x80'), (b'\x80', b'\xff'), (b'\x00', b'\x00'),
             (b'\x80\x01', b'\xff\x00'), (b'\xff\xff', b'\x80\x00'), (b'\x00\x05', b'\x00\x04')]
    for a, b in pairs:
        for op in (2, 4, 6, 8, 3, 5):
            c.append(('pnv: %s %s %s' % (a.hex(), EO[op], b.hex()), policy_nv(a, b, op)))
    # PolicyCounterTimer: the high byte of resetCount (offset 16 in TPMS_TIME_INFO) is 0.
    for b, op in ((b'\x80', 2), (b'\x80', 4), (b'\xff', 6), (b'\x01', 8)):
        c.append(('pct: resetCount[0] %s %s' % (EO[op], b.hex()), policy_counter_timer(b, 16, op)))
    c.append(('pnv: flush', flush('pol')))
    return c

# ---- 4: attestation with keyed-hash (HMAC) signing keys --------------------------------------

HKEY = b'attestation hmac key 0123456789'
HMAC_SCHEME = u16(0x0005) + u16(SHA256)
NULL_SCHEME = u16(NULLALG)
NV_ATT = 0x1500801

def keyedhash_pub(attrs=0x00040052, scheme=HMAC_SCHEME):
    return u16(0x0008) + u16(SHA256) + u32(attrs) + b2(b'') + scheme + b2(b'')

def hmac_attest_check(key):
    """out(): the TPMS_ATTEST's type and whether the signature is HMAC(key, SHA-256(attest))."""
    def out(t, r):
        p = params_of(r)
        att, off = tpm2b(p)
        alg, hal = struct.unpack('>HH', p[off:off + 4])
        mac = p[off + 4:off + 4 + 32]
        good = hmac.new(key, hashlib.sha256(att).digest(), hashlib.sha256).digest() == mac
        return 'type %04x sig %04x/%04x %s' % (struct.unpack('>H', att[4:6])[0], alg, hal,
                                              'verified' if good else 'WRONG')
    return out

def cases_hmac_attest():
    chk = hmac_attest_check(HKEY)
    def cert_creation(t):
        p = t.v['hk'][18:]                # after the handle and parameterSize
        _, off = tpm2b(p)                 # outPublic
        _, off = tpm2b(p, off)            # creationData
        ch, off = tpm2b(p, off)           # creationHash
        tk = p[off:off + 6 + struct.unpack('>H', p[off + 6:off + 8])[0] + 2]
        return b2(b'q') + b2(ch) + NULL_SCHEME + tk
    return [
        ('hattest: createprimary hmac key', primary('hk', ENDORSE, keyedhash_pub(), HKEY)),
        ('hattest: createprimary signing hmac key without scheme', primary('hk0', ENDORSE,
            keyedhash_pub(scheme=NULL_SCHEME), HKEY)),
        ('hattest: createprimary restricted hmac key', primary('hkr', ENDORSE,
            keyedhash_pub(attrs=0x00050052), HKEY)),
        ('hattest: createprimary hmac key in the owner hierarchy', primary('hko', OWNER,
            keyedhash_pub(), HKEY)),
        ('hattest: quote', auth_cmd(0x158, ['hk'], [b''], b2(b'nonce') + NULL_SCHEME +
            u32(1) + u16(SHA256) + b'\x03\x01\x00\x00', chk)),
        ('hattest: quote, owner hierarchy key (obfuscated counters)', auth_cmd(0x158, ['hko'],
            [b''], b2(b'nonce') + NULL_SCHEME + u32(1) + u16(SHA256) + b'\x03\x01\x00\x00', chk)),
        ('hattest: quote, inScheme = the key scheme', auth_cmd(0x158, ['hk'], [b''], b2(b'n') +
            HMAC_SCHEME + u32(1) + u16(SHA1) + b'\x03\x01\x00\x00', chk)),
        ('hattest: quote inScheme hmac-sha384 vs key sha256', auth_cmd(0x158, ['hk'], [b''],
            b2(b'n') + u16(5) + u16(SHA384) + u32(0))),
        ('hattest: quote inScheme ecdsa', auth_cmd(0x158, ['hk'], [b''], b2(b'n') + u16(0x18) +
            u16(SHA256) + u32(0))),
        ('hattest: certify', auth_cmd(0x148, ['hko', 'hk'], [b'', b''], b2(b'x') + NULL_SCHEME, chk)),
        ('hattest: certifycreation', auth_cmd(0x14A, ['hk', 'hk'], [b''], cert_creation, chk)),
        ('hattest: gettime', auth_cmd(0x14C, [ENDORSE, 'hk'], [b'', b''], b2(b'') + NULL_SCHEME, chk)),
        ('hattest: getcommandauditdigest', auth_cmd(0x133, [ENDORSE, 'hk'], [b'', b''],
            b2(b'') + NULL_SCHEME, chk)),
        ('hattest: hmac session for audit', start_session('aud', 0)),
        ('hattest: audited getrandom', audited_getrandom('aud')),
        ('hattest: getsessionauditdigest', lambda t: auth_cmd(0x14D, [ENDORSE, 'hk', t.h['aud']],
            [b'', b''], b2(b'') + NULL_SCHEME, chk)(t)),
        ('hattest: flush session', flush('aud')),
        ('hattest: nv define', auth_cmd(0x12A, [OWNER], [b''], b2(b'') +
            nvpub(NV_ATT, 0x00060006 | 0x02000000, 8))),
        ('hattest: nv write', auth_cmd(0x137, [OWNER, NV_ATT], [b''], b2(b'certify!') + u16(0))),
        ('hattest: nv_certify', auth_cmd(0x184, ['hk', OWNER, NV_ATT], [b'', b''],
            b2(b'') + NULL_SCHEME + u16(8) + u16(0), chk)),
        ('hattest: sign (reference for the same key)', auth_cmd(0x15D, ['hk'], [b''],
            b2(hashlib.sha256(b'm').digest()) + NULL_SCHEME + u16(0x8024) + u32(NULLH) + u16(0),
            lambda t, r: params_of(r)[4:].hex() == hmac.new(HKEY, hashlib.sha256(b'm').digest(),
                                                             hashlib.sha256).hexdigest())),
        ('hattest: flush', flush_all_transient),
    ]

# ---- the run ---------------------------------------------------------------------------------

def show(v):
    return '0x%03x' % v if isinstance(v, int) and not isinstance(v, bool) else str(v)

def all_cases():
    return cases_policy_nv() + cases_hmac_attest()

def compare(pa, ps):
    a, s = TPM(pa, pa + 1), TPM(ps, ps + 1)
    for name, step in all_cases():
        try:
            va = step(a)
        except Exception as e:              # a malformed answer is a failure, not a crash
            va = 'exception %r' % e
        try:
            vs = step(s)
        except Exception as e:
            vs = 'exception %r' % e
        if 'exception' in str(va) or 'exception' in str(vs):
            print('not ok - vs libtpms: %s anchor %s, libtpms %s' % (name, show(va), show(vs)))
        elif name in DELIBERATE:
            print('skip - vs libtpms: %s (anchor %s, libtpms %s): %s'
                  % (name, show(va), show(vs), DELIBERATE[name]))
        elif va == vs:
            print('ok - vs libtpms: %s (%s)' % (name, show(va)))
        else:
            print('not ok - vs libtpms: %s anchor %s, libtpms %s' % (name, show(va), show(vs)))

def main():
    return run_pair('tpm2 features vs libtpms', ANCHOR_TPMD, compare)

if __name__ == '__main__':
    sys.exit(main())
