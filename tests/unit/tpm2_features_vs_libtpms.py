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
import hashlib, hmac, os, struct, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import p256
from p256 import P as P256_P, B as P256_B, G as P256_G, on_curve
from p256 import add as ec_add, mul as ec_mul
from tpm_pair import u8, u16, u32, u64, b2, cmd, rc_of, NS, S, pw, RetryConn, ctrl, power, set_locality, run_pair

ANCHOR_TPMD = sys.argv[1] if len(sys.argv) > 1 else os.environ.get('ANCHOR_TPMD', 'build/sim/anchor-tpmd')

OWNER, ENDORSE, PLATFORM, NULLH, LOCKOUT = 0x40000001, 0x4000000B, 0x4000000C, 0x40000007, 0x4000000A
SHA1, SHA256, SHA384, NULLALG = 0x0004, 0x000B, 0x000C, 0x0010
NC = bytes(range(1, 33))

DELIBERATE = {
    'ecdaa: ec_ephemeral p521': 'P-521 is not implemented (TPM_RC_CURVE+P1); libtpms has it',
    'symparent: decrypt symcipher, mode 0x3f': 'CMAC is not implemented: the mode is refused '
        'while unmarshalling (TPM_RC_MODE+P2); libtpms unmarshals it, then SCHEME+P2',
}

def nvpub(idx, attrs, size, alg=SHA256, pol=b''):
    return b2(u32(idx) + u16(alg) + u32(attrs) + b2(pol) + u16(size))

class TPM(RetryConn):
    """One TPM under test: a socket (TPM_RC_RETRY resent, as a TSS does) and what its answers
    taught us (handles, nonces)."""
    def __init__(self, port, ctrl_port):
        RetryConn.__init__(self, port)
        self.ctrl_port = ctrl_port
        self.h = {}       # name -> handle (sessions, objects)
        self.v = {}       # name -> value remembered by a step
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

def whole(c):
    """The whole response (for deterministic answers that must be byte-identical)."""
    return lambda t: t.x(c).hex()

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

# ---- 2: symmetric-cipher storage parents -----------------------------------------------------

HSIZE = {SHA1: 20, SHA256: 32, SHA384: 48, 0x000D: 64}
STORAGE = 0x00030072     # restricted|decrypt|fixedTPM|fixedParent|sensitiveDataOrigin|userWithAuth

def aes(bits=128, mode=0x0043):
    return u16(0x0006) + u16(bits) + u16(mode)

def sym_pub(alg=SHA256, attrs=STORAGE, sym=None):
    return u16(0x0025) + u16(alg) + u32(attrs) + b2(b'') + (sym or aes()) + b2(b'')

def ecc_pub(attrs, sym=u16(NULLALG), scheme=u16(0x0018) + u16(SHA256), alg=SHA256):
    return (u16(0x0023) + u16(alg) + u32(attrs) + b2(b'') + sym + scheme + u16(0x0003) +
            u16(NULLALG) + b2(b'') + b2(b''))

DUP_PUB = u16(0x0008) + u16(SHA256) + u32(0x00000040) + b2(b'') + u16(NULLALG) + b2(b'')
SEALED = u16(0x0008) + u16(SHA256) + u32(0x00000052) + b2(b'') + u16(NULLALG) + b2(b'')

def public_without_unique(t, r):
    """The created public area up to its unique field (which comes from each TPM's seed)."""
    pub, _ = tpm2b(r, 18)
    alg = struct.unpack('>H', pub[2:4])[0]
    return pub[:-(2 + HSIZE[alg])].hex()

def create_load(name, parent, pub, sens=b''):
    """Create under a loaded parent, then Load the result; remembers the child's handle and
    its private/public (t.v[name])."""
    def f(t):
        r = t.x(cmd(S, 0x153, u32(t.handle(parent)) + pw(b'') + b2(b2(b'') + b2(sens)) + b2(pub) +
                    b2(b'') + u32(0)))
        if rc_of(r):
            return 'create %x' % rc_of(r)
        p = params_of(r)
        priv, off = tpm2b(p)
        pb, _ = tpm2b(p, off)
        t.v[name] = (priv, pb)
        r = t.x(cmd(S, 0x157, u32(t.handle(parent)) + pw(b'') + b2(priv) + b2(pb)))
        if rc_of(r):
            return 'load %x' % rc_of(r)
        t.h[name] = struct.unpack('>I', r[10:14])[0]
        return 0
    return f

def unseal(name):
    return auth_cmd(0x15E, [name], [b''], b'', lambda t, r: tpm2b(params_of(r))[0])

def sign_ok(name):
    d = hashlib.sha256(b'signed under a symmetric parent').digest()
    return auth_cmd(0x15D, [name], [b''], b2(d) + u16(NULLALG) + u16(0x8024) + u32(NULLH) + u16(0),
                    lambda t, r: 'signed %s' % params_of(r)[:2].hex())

def cases_sym_parents():
    c = []
    for hier, hn in ((OWNER, 'owner'), (ENDORSE, 'endorsement'), (PLATFORM, 'platform'),
                     (NULLH, 'null')):
        for alg, an in ((SHA1, 'sha1'), (SHA256, 'sha256'), (SHA384, 'sha384'), (0x000D, 'sha512')):
            bits = 256 if alg in (SHA384, 0x000D) else 128
            c.append(('symparent: %s %s aes%d primary' % (hn, an, bits),
                      primary('sp', hier, sym_pub(alg, sym=aes(bits)), out=public_without_unique)))
            c.append(('symparent: %s %s sealed child' % (hn, an),
                      create_load('seal', 'sp', SEALED, b'sealed under aes')))
            c.append(('symparent: %s %s unseal' % (hn, an), unseal('seal')))
            c.append(('symparent: %s %s flush' % (hn, an), flush_all_transient))
    c += [
        ('symparent: primary again', primary('sp', OWNER, sym_pub(), out=public_without_unique)),
        ('symparent: ecc signing child', create_load('sig', 'sp', ecc_pub(0x00040072))),
        ('symparent: sign with the child', sign_ok('sig')),
        ('symparent: flush signing child', flush('sig')),
        ('symparent: symmetric storage child', create_load('sp2', 'sp', sym_pub())),
        ('symparent: grandchild', create_load('seal2', 'sp2', SEALED, b'two levels')),
        ('symparent: unseal grandchild', unseal('seal2')),
        ('symparent: flush grandchild', flush('seal2')),
        ('symparent: flush symmetric child', flush('sp2')),
        ('symparent: child storage, other nameAlg', create_load('x', 'sp', sym_pub(SHA384))),
        ('symparent: flush x', flush('x')),
        ('symparent: child storage, aes256', create_load('x', 'sp', sym_pub(sym=aes(256)))),
        ('symparent: flush x2', flush('x')),
        ('symparent: ecc storage child aes128', create_load('x', 'sp', ecc_pub(STORAGE,
            sym=aes(), scheme=u16(NULLALG)))),
        ('symparent: flush x3a', flush('x')),
        ('symparent: ecc storage child aes256', create_load('x', 'sp', ecc_pub(STORAGE,
            sym=aes(256), scheme=u16(NULLALG)))),
        ('symparent: flush x3b', flush('x')),
        ('symparent: ecc storage child sha1', create_load('x', 'sp', ecc_pub(STORAGE,
            sym=aes(), scheme=u16(NULLALG), alg=SHA1))),
        ('symparent: flush x3c', flush('x')),
        ('symparent: duplicable storage child, other nameAlg', create_load('x', 'sp',
            sym_pub(SHA384, attrs=0x00030060))),
        ('symparent: flush x3', flush('x')),
        ('symparent: tampered private', lambda t: t.rc(cmd(S, 0x157, u32(t.h['sp']) + pw(b'') +
            b2(t.v['seal2'][0][:-1] + bytes([t.v['seal2'][0][-1] ^ 1])) + b2(t.v['seal2'][1])))),
        ('symparent: encryptdecrypt with the parent', auth_cmd(0x164, ['sp'], [b''],
            b'\x00' + u16(0x0043) + b2(bytes(16)) + b2(bytes(16)))),
        ('symparent: salted session to the parent', lambda t: t.rc(cmd(NS, 0x176,
            u32(t.h['sp']) + u32(NULLH) + b2(NC) + b2(bytes(32)) + u8(0) + u16(NULLALG) + u16(SHA256)))),
        ('symparent: context save/load', ctx_roundtrip('sp')),
        ('symparent: create under reloaded parent', create_load('seal3', 'sp', SEALED, b'after reload')),
        ('symparent: unseal 3', unseal('seal3')),
        ('symparent: flush seal3', flush('seal3')),
        ('symparent: evictcontrol', auth_cmd(0x120, [OWNER, 'sp'], [b''], u32(0x81000100))),
        ('symparent: load under the persistent parent', lambda t: t.rc(cmd(S, 0x157,
            u32(0x81000100) + pw(b'') + b2(t.v['seal3'][0]) + b2(t.v['seal3'][1])))),
        ('symparent: evict', auth_cmd(0x120, [OWNER, 0x81000100], [b''], u32(0x81000100))),
        ('symparent: flush all 0', flush_all_transient),
        ('symparent: restricted ofb parent', primary('sp', OWNER, sym_pub(sym=aes(mode=0x0042)),
            out=public_without_unique)),
        ('symparent: child under ofb parent', create_load('x', 'sp', SEALED, b'ofb')),
        ('symparent: flush all 1', flush_all_transient),
        ('symparent: null-mode parent (tpm2-tools -G aes)', primary('sp', OWNER,
            sym_pub(sym=aes(mode=NULLALG)), out=public_without_unique)),
        ('symparent: child under null-mode parent', create_load('x', 'sp', SEALED, b'null mode')),
        ('symparent: unseal under null-mode parent', unseal('x')),
        ('symparent: flush x4', flush('x')),
        ('symparent: import a plain duplicate, wrong unique', auth_cmd(0x156, ['sp'], [b''], b2(b'') +
            b2(DUP_PUB) + b2(b2(u16(0x0008) + b2(b'') + b2(bytes(32)) + b2(b'imported'))) + b2(b'') +
            u16(NULLALG))),
        ('symparent: import a plain duplicate', auth_cmd(0x156, ['sp'], [b''], b2(b'') +
            b2(DUP_PUB[:-2] + b2(hashlib.sha256(bytes(32) + b'imported').digest())) +
            b2(b2(u16(0x0008) + b2(b'') + b2(bytes(32)) + b2(b'imported'))) + b2(b'') +
            u16(NULLALG), lambda t, r: create_load_import(t, r))),
        ('symparent: unseal the imported object', unseal('imp')),
        ('symparent: flush imported', flush('imp')),
        ('symparent: import with a seed', auth_cmd(0x156, ['sp'], [b''], b2(b'') + b2(DUP_PUB) +
            b2(b2(u16(0x0008) + b2(b'') + b2(bytes(32)) + b2(b'imported'))) + b2(bytes(32)) +
            u16(NULLALG))),
        ('symparent: duplicable child', create_load('dup', 'sp', DUP_PUB, b'dup me')),
        ('symparent: duplicate to a symmetric new parent, password (needs a policy)', lambda t: auth_cmd(0x14B, ['dup', 'sp'],
            [b''], b2(b'') + u16(NULLALG))(t)),
        ('symparent: makecredential to it', lambda t: t.rc(cmd(NS, 0x168, u32(t.h['sp']) +
            b2(b'c' * 16) + b2(b'\x00\x0b' + bytes(32))))),
        ('symparent: flush all', flush_all_transient),
        ('symparent: restricted sign symcipher', primary('x', OWNER, sym_pub(attrs=0x00050072))),
        ('symparent: restricted decrypt+sign symcipher', primary('x', OWNER, sym_pub(attrs=0x00070072))),
        ('symparent: decrypt symcipher, mode 0x3f', primary('x', OWNER, sym_pub(sym=aes(mode=0x3F)))),
        ('symparent: restricted with caller key', primary('x', OWNER, sym_pub(attrs=0x00030052),
            sens=bytes(16))),
        ('symparent: flush all 2', flush_all_transient),
    ]
    return c

def create_load_import(t, r):
    """Loads what Import returned (its public area is the DUP_PUB with the right unique)."""
    priv, _ = tpm2b(params_of(r))
    pub = DUP_PUB[:-2] + b2(hashlib.sha256(bytes(32) + b'imported').digest())
    r = t.x(cmd(S, 0x157, u32(t.h['sp']) + pw(b'') + b2(priv) + b2(pub)))
    if rc_of(r):
        return 'load %x' % rc_of(r)
    t.h['imp'] = struct.unpack('>I', r[10:14])[0]
    return 'imported and loaded'

def ctx_roundtrip(name):
    """ContextSave, FlushContext, ContextLoad of a loaded object; the handle is updated."""
    def f(t):
        r = t.x(cmd(NS, 0x162, u32(t.h[name])))
        if rc_of(r):
            return 'save %x' % rc_of(r)
        t.rc(cmd(NS, 0x165, u32(t.h[name])))
        r = t.x(cmd(NS, 0x161, r[10:]))
        if rc_of(r):
            return 'load %x' % rc_of(r)
        t.h[name] = struct.unpack('>I', r[10:14])[0]
        return 0
    return f

# ---- 3: PIN Pass / PIN Fail indices ----------------------------------------------------------

PIN_F, PIN_P, PIN_PD = 0x1500810, 0x1500811, 0x1500812
OWNER_RW_AUTHREAD = 0x00060002 | 0x00040000     # ownerread|ownerwrite|authread

def pin_read_pw(idx, password):
    """NV_Read(8) of the index authorized by its own password; the code, or the two counters."""
    return auth_cmd(0x14E, [idx, idx], [password], u16(8) + u16(0),
                    lambda t, r: 'pinCount %d pinLimit %d' % struct.unpack('>II', tpm2b(params_of(r))[0]))

def pin_owner_read(idx):
    return auth_cmd(0x14E, [OWNER, idx], [b''], u16(8) + u16(0),
                    lambda t, r: 'pinCount %d pinLimit %d' % struct.unpack('>II', tpm2b(params_of(r))[0]))

def pin_set(idx, count, limit):
    return auth_cmd(0x137, [OWNER, idx], [b''], b2(u32(count) + u32(limit)) + u16(0))

def nv_name_of(t, idx):
    r = t.x(cmd(NS, 0x169, u32(idx)))
    _, off = tpm2b(r, 10)
    return tpm2b(r, off)[0]

def pin_read_hmac(idx, auth, name):
    """NV_Read(8) authorized by the named unbound, unsalted HMAC session with the index's
    authValue `auth` (HMAC key = authValue)."""
    def f(t):
        params = u16(8) + u16(0)
        nm = nv_name_of(t, idx)
        cp = hashlib.sha256(u32(0x14E) + nm + nm + params).digest()
        mac = hmac.new(auth, cp + NC + t.v[name + '.nt'] + b'\x01', hashlib.sha256).digest()
        e = u32(t.h[name]) + b2(NC) + b'\x01' + b2(mac)
        r = t.x(cmd(S, 0x14E, u32(idx) + u32(idx) + u32(len(e)) + e + params))
        if rc_of(r):
            return rc_of(r)
        ar = r[14 + struct.unpack('>I', r[10:14])[0]:]
        t.v[name + '.nt'], _ = tpm2b(ar)
        return 'pinCount %d pinLimit %d' % struct.unpack('>II', tpm2b(params_of(r))[0])
    return f

def cases_pin():
    define = lambda idx, attrs, size=8, auth=b'pin': auth_cmd(0x12A, [OWNER], [b''], b2(auth) +
                                                              nvpub(idx, attrs, size))
    FAIL = 0x80 | OWNER_RW_AUTHREAD | 0x02000000
    PASS = 0x90 | OWNER_RW_AUTHREAD
    return [
        ('pin: define pinfail without NO_DA', define(PIN_F, 0x80 | OWNER_RW_AUTHREAD)),
        ('pin: define pinfail with AUTHWRITE', define(PIN_F, FAIL | 0x4)),
        ('pin: define pinpass with WRITEDEFINE', define(PIN_P, PASS | 0x2000)),
        ('pin: define pinpass with GLOBALLOCK', define(PIN_P, PASS | 0x8000)),
        ('pin: define pinpass size 4', define(PIN_P, PASS, 4)),
        ('pin: define pinfail size 16', define(PIN_F, FAIL, 16)),
        ('pin: define pinfail', define(PIN_F, FAIL)),
        ('pin: pinfail read with its auth before written', pin_read_pw(PIN_F, b'pin')),
        ('pin: pinfail write {0, 3}', pin_set(PIN_F, 0, 3)),
        ('pin: pinfail write with its own auth', auth_cmd(0x137, [PIN_F, PIN_F], [b'pin'],
            b2(u32(0) + u32(9)) + u16(0))),
        ('pin: pinfail increment', auth_cmd(0x134, [OWNER, PIN_F], [b''], b'')),
        ('pin: pinfail read, right pin', pin_read_pw(PIN_F, b'pin')),
        ('pin: pinfail wrong pin 1', pin_read_pw(PIN_F, b'nip')),
        ('pin: pinfail count after 1 failure', pin_owner_read(PIN_F)),
        ('pin: pinfail right pin resets the count', pin_read_pw(PIN_F, b'pin')),
        ('pin: pinfail wrong pin 1 again', pin_read_pw(PIN_F, b'nip')),
        ('pin: pinfail wrong pin 2', pin_read_pw(PIN_F, b'nip')),
        ('pin: pinfail wrong pin 3', pin_read_pw(PIN_F, b'nip')),
        ('pin: pinfail count at the limit', pin_owner_read(PIN_F)),
        ('pin: pinfail right pin at the limit', pin_read_pw(PIN_F, b'pin')),
        ('pin: pinfail wrong pin at the limit', pin_read_pw(PIN_F, b'nip')),
        ('pin: pinfail readpublic (whole response)', whole(cmd(NS, 0x169, u32(PIN_F)))),
        ('pin: pinfail owner resets the count', pin_set(PIN_F, 0, 3)),
        ('pin: pinfail hmac session', start_session('ph', 0)),
        ('pin: pinfail hmac, right pin', pin_read_hmac(PIN_F, b'pin', 'ph')),
        ('pin: pinfail hmac, wrong pin', pin_read_hmac(PIN_F, b'nip', 'ph')),
        ('pin: pinfail count after hmac failure', pin_owner_read(PIN_F)),
        ('pin: policy session', start_session('pol2', 1)),
        ('pin: pinfail policysecret with the pin', lambda t: auth_cmd(0x151, [PIN_F, t.h['pol2']],
            [b'pin'], b2(b'') + b2(b'') + b2(b'') + u32(0))(t)),
        ('pin: flush hmac session', flush('ph')),
        ('pin: define pinpass', define(PIN_P, PASS)),
        ('pin: pinpass write {0, 2}', pin_set(PIN_P, 0, 2)),
        ('pin: pinpass use 1', pin_read_pw(PIN_P, b'pin')),
        ('pin: pinpass wrong pin (DA-protected, not counted)', pin_read_pw(PIN_P, b'nip')),
        ('pin: pinpass use 2', pin_read_pw(PIN_P, b'pin')),
        ('pin: pinpass use 3 (over the limit)', pin_read_pw(PIN_P, b'pin')),
        ('pin: pinpass counters', pin_owner_read(PIN_P)),
        ('pin: pinpass raise the limit', pin_set(PIN_P, 2, 3)),
        ('pin: pinpass use after raise', pin_read_pw(PIN_P, b'pin')),
        ('pin: pinpass readpublic (whole response)', whole(cmd(NS, 0x169, u32(PIN_P)))),
        ('pin: lockout reset', auth_cmd(0x139, [LOCKOUT], [b''], b'')),
        ('pin: define pinpass NO_DA', define(PIN_PD, PASS | 0x02000000)),
        ('pin: pinpass NO_DA write', pin_set(PIN_PD, 5, 6)),
        ('pin: pinpass NO_DA wrong pin', pin_read_pw(PIN_PD, b'x')),
        ('pin: pinpass NO_DA last use', pin_read_pw(PIN_PD, b'pin')),
        ('pin: pinpass NO_DA exhausted', pin_read_pw(PIN_PD, b'pin')),
        ('pin: pinpass changeauth', auth_cmd(0x13B, [PIN_PD], [b'pin'], b2(b'new'))),
        ('pin: undefine', auth_cmd(0x122, [OWNER, PIN_P], [b''], b'')),
        ('pin: undefine 2', auth_cmd(0x122, [OWNER, PIN_PD], [b''], b'')),
        ('pin: undefine 3', auth_cmd(0x122, [OWNER, PIN_F], [b''], b'')),
    ]

# ---- 1: ECDAA (Commit, EC_Ephemeral, ECDAA signatures) ---------------------------------------

def point_b(pt):
    """TPM2B_ECC_POINT of an affine point (None: the empty point)."""
    if pt is None:
        return b2(b2(b'') + b2(b''))
    return b2(b2(pt[0].to_bytes(32, 'big')) + b2(pt[1].to_bytes(32, 'big')))

def read_point(b, off):
    body, off2 = tpm2b(b, off)
    x, o = tpm2b(body)
    y, _ = tpm2b(body, o)
    return ((int.from_bytes(x, 'big'), int.from_bytes(y, 'big')) if x else None), off2

def p2_from_seed():
    """s2 whose SHA-256 (mod p) is the x of a P-256 point, and that point's y."""
    for i in range(1000):
        s2 = b'anchor s2 %d' % i
        x = int.from_bytes(hashlib.sha256(s2).digest(), 'big') % P256_P
        rhs = (x ** 3 - 3 * x + P256_B) % P256_P
        y = pow(rhs, (P256_P + 1) // 4, P256_P)
        if y * y % P256_P == rhs:
            return s2, (x, y)

ECDAA_SCHEME = lambda count=0: u16(0x001A) + u16(SHA256) + u16(count)

def ecdaa_pub(attrs=0x00040072, scheme=None):
    return (u16(0x0023) + u16(SHA256) + u32(attrs) + b2(b'') + u16(NULLALG) +
            (scheme or ECDAA_SCHEME()) + u16(0x0003) + u16(NULLALG) + b2(b'') + b2(b''))

def remember_q(t, r):
    """out() of CreatePrimary: keeps the public point."""
    pub, _ = tpm2b(r, 18)
    t.v['Q'], _ = read_point(b'\x00\x44' + pub[-68:], 0)
    return 'Q on curve' if on_curve(t.v['Q']) else 'Q NOT ON CURVE'

def commit(name, p1=None, s2=b'', y2=b''):
    """Commit with the ECDAA key; remembers K, L, E and the counter under `name`."""
    def f(t):
        r = t.x(cmd(S, 0x18B, u32(t.h['daa']) + pw(b'') + point_b(p1) + b2(s2) + b2(y2)))
        if rc_of(r):
            return rc_of(r)
        p = params_of(r)
        K, off = read_point(p, 0)
        L, off = read_point(p, off)
        E, off = read_point(p, off)
        t.v[name] = (K, L, E, struct.unpack('>H', p[off:off + 2])[0])
        return 'K %s L %s E %s' % tuple('-' if q is None else ('on curve' if on_curve(q) else 'OFF')
                                       for q in (K, L, E))
    return f

def ecdaa_check(t, r, commit_name, digest):
    """Verifies an ECDAA TPMT_SIGNATURE (in r's parameters at the end) for the commitment:
    [s]G == E + [T]Q when E = [r]G, and [s]P2 == L + [T]K when P2 was given."""
    p = params_of(r)
    off = len(p) - 2
    s_, off0 = None, None
    # TPMT_SIGNATURE at the end: alg, hash, TPM2B r, TPM2B s
    for start in range(len(p) - 6, -1, -1):
        try:
            alg, h = struct.unpack('>HH', p[start:start + 4])
            nk, o = tpm2b(p, start + 4)
            sv, o = tpm2b(p, o)
            if alg == 0x001A and o == len(p):
                s_, off0 = int.from_bytes(sv, 'big'), start
                break
        except Exception:
            pass
    if s_ is None:
        return 'no ECDAA signature'
    dg = digest(p[:off0])
    K, L, E, _ = t.v[commit_name]
    ok = []
    if E is not None and L is None:
        ok.append(p256.ecdaa_ok(nk, s_, dg, P256_G, E, t.v['Q']))
    if L is not None:
        ok.append(p256.ecdaa_ok(nk, s_, dg, t.v['P2'], L, K))
    return 'ECDAA signature %s' % ('verified' if ok and all(ok) else 'WRONG')

def ecdaa_sign(commit_name, msg=b'anonymous'):
    d = hashlib.sha256(msg).digest()
    def f(t):
        cnt = t.v[commit_name][3] if commit_name in t.v else 77
        return auth_cmd(0x15D, ['daa'], [b''], b2(d) + ECDAA_SCHEME(cnt) + u16(0x8024) + u32(NULLH) +
                        u16(0), lambda t, r: ecdaa_check(t, r, commit_name, lambda _: d))(t)
    return f

def ecdaa_quote(commit_name):
    def f(t):
        cnt = t.v[commit_name][3]
        def out(t, r):
            att, _ = tpm2b(params_of(r))
            # anonymous: no qualifiedSigner or extraData in the attest, the signed digest is
            # H(qualifyingData || H(attest))
            shown = att[6:8] + att[8:10]
            signed = hashlib.sha256(b'anon' + hashlib.sha256(att).digest()).digest()
            return 'signer/extra sizes %s, %s' % (shown.hex(), ecdaa_check(t, r, commit_name, lambda _: signed))
        return auth_cmd(0x158, ['daa'], [b''], b2(b'anon') + ECDAA_SCHEME(cnt) + u32(1) +
                        u16(SHA256) + b'\x03\x01\x00\x00', out)(t)
    return f

def cases_ecdaa():
    s2, P2 = p2_from_seed()
    P1 = ec_mul(7, P256_G)
    def set_p2(t):
        t.v['P2'] = P2
        return 0
    def ephemeral(t):
        r = t.x(cmd(NS, 0x18E, u16(0x0003)))
        if rc_of(r):
            return rc_of(r)
        q, off = read_point(r, 10)
        t.v['eph'] = (None, None, q, struct.unpack('>H', r[off:off + 2])[0])
        return 'Q on curve' if on_curve(q) else 'Q OFF'
    return [
        ('ecdaa: getcap command 0x18B (TPMA_CC)', whole(cmd(NS, 0x17A, u32(2) + u32(0x18B) + u32(1)))),
        ('ecdaa: getcap command 0x18E (TPMA_CC)', whole(cmd(NS, 0x17A, u32(2) + u32(0x18E) + u32(1)))),
        ('ecdaa: testparms ecc256 ecdaa', raw(cmd(NS, 0x18A, u16(0x23) + u16(NULLALG) + ECDAA_SCHEME() +
                                                 u16(3) + u16(NULLALG)))),
        ('ecdaa: createprimary ecdaa key', primary('daa', OWNER, ecdaa_pub(), out=remember_q)),
        ('ecdaa: createprimary restricted ecdaa key', primary('x', ENDORSE, ecdaa_pub(0x00050072))),
        ('ecdaa: flush restricted', flush('x')),
        ('ecdaa: createprimary ecdaa decrypt+sign', primary('x', OWNER, ecdaa_pub(0x00060072))),
        ('ecdaa: commit, no points (E = [r]G)', commit('c1')),
        ('ecdaa: sign with the commitment', ecdaa_sign('c1')),
        ('ecdaa: sign again with the used commitment', ecdaa_sign('c1')),
        ('ecdaa: sign with a count never committed', ecdaa_sign('none')),
        ('ecdaa: p2 for the second commit', set_p2),
        ('ecdaa: commit with P1, s2, y2', commit('c2', P1, s2, P2[1].to_bytes(32, 'big'))),
        ('ecdaa: E = [r]P1 with r from L = [r]P2 (sign checks both)', ecdaa_sign('c2', b'second')),
        ('ecdaa: commit with s2, y2, no P1', commit('c3', None, s2, P2[1].to_bytes(32, 'big'))),
        ('ecdaa: sign 3', ecdaa_sign('c3', b'third')),
        ('ecdaa: commit for a quote', commit('c4')),
        ('ecdaa: anonymous quote', ecdaa_quote('c4')),
        ('ecdaa: quote with the used commitment', ecdaa_quote('c4')),
        ('ecdaa: commit, s2 without y2', commit('x', None, s2, b'')),
        ('ecdaa: commit, P1 off the curve', commit('x', (P1[0], P1[1] ^ 1))),
        ('ecdaa: commit, y2 off the curve', commit('x', None, s2, (P2[1] ^ 1).to_bytes(32, 'big'))),
        ('ecdaa: commit, P1 with only x', lambda t: t.rc(cmd(S, 0x18B, u32(t.h['daa']) + pw(b'') +
            b2(b2(P1[0].to_bytes(32, 'big')) + b2(b'')) + b2(b'') + b2(b'')))),
        ('ecdaa: verifysignature of an ecdaa signature', lambda t: t.rc(cmd(NS, 0x177,
            u32(t.h['daa']) + b2(bytes(32)) + u16(0x1A) + u16(SHA256) + b2(b'\x01' * 32) + b2(b'\x01' * 32)))),
        ('ecdaa: ecdsa key', primary('ecdsa', OWNER, ecdaa_pub(scheme=u16(0x18) + u16(SHA256)))),
        ('ecdaa: commit with an ecdsa key', lambda t: t.rc(cmd(S, 0x18B, u32(t.h['ecdsa']) + pw(b'') +
            point_b(None) + b2(b'') + b2(b'')))),
        ('ecdaa: sign ecdsa key with ecdaa scheme', lambda t: auth_cmd(0x15D, ['ecdsa'], [b''],
            b2(bytes(32)) + ECDAA_SCHEME(0) + u16(0x8024) + u32(NULLH) + u16(0))(t)),
        ('ecdaa: flush ecdsa', flush('ecdsa')),
        ('ecdaa: ec_ephemeral p256', ephemeral),
        ('ecdaa: ec_ephemeral p521', raw(cmd(NS, 0x18E, u16(0x0005)))),
        ('ecdaa: ec_ephemeral bad curve', raw(cmd(NS, 0x18E, u16(0x0099)))),
        ('ecdaa: flush', flush_all_transient),
    ]

# ---- 6: H-CRTM / D-RTM (_TPM_Hash_Start/Data/End through the swtpm control channel) ---------

CMD_HASH_START, CMD_HASH_DATA, CMD_HASH_END = 6, 7, 8

def hash_seq(*parts, between=None):
    """_TPM_Hash_Start, one _TPM_Hash_Data per part, _TPM_Hash_End (between: a TPM command sent
    after the Start, which abandons the sequence)."""
    def f(t):
        ctrl(t.ctrl_port, CMD_HASH_START)
        if between:
            t.x(between)
        for p in parts:
            ctrl(t.ctrl_port, CMD_HASH_DATA, u32(len(p)) + p)
        ctrl(t.ctrl_port, CMD_HASH_END)
        return 0
    return f

def power_cycle(t):
    power(t.ctrl_port)
    return 0

def locality(n):
    def f(t):
        set_locality(t.ctrl_port, n)
        return 0
    return f

def pcr_values(sel):
    """PCR_Read; the values only (pcrUpdateCounter differs between the two TPMs)."""
    return lambda t: t.x(cmd(NS, 0x17E, sel))[14:].hex()

def clock_counts(t):
    """ReadClock's resetCount, restartCount and safe (time and clock differ)."""
    r = t.x(cmd(NS, 0x181))
    return r[26:].hex() if rc_of(r) == 0 else rc_of(r)

PCR0_ALL = u32(2) + u16(SHA1) + b'\x03\x01\x00\x00' + u16(SHA256) + b'\x03\x01\x00\x00'
PCR17_22 = u32(2) + u16(SHA1) + b'\x03\x00\x00\x7e' + u16(SHA256) + b'\x03\x00\x00\x7e'

def cases_hash_interface():
    return [
        ('hcrtm: shutdown', raw(cmd(NS, 0x145, u16(0)))),
        ('hcrtm: power cycle', power_cycle),
        ('hcrtm: H-CRTM sequence before Startup', hash_seq(b'h-crtm ', b'measurement')),
        ('hcrtm: startup clear', raw(cmd(NS, 0x144, u16(0)))),
        ('hcrtm: PCR 0 = H(0..04 || H(data)) in every bank', pcr_values(PCR0_ALL)),
        ('hcrtm: PCR 17-22 after startup', pcr_values(PCR17_22)),
        ('hcrtm: clock counts', clock_counts),
        ('hcrtm: D-RTM sequence after Startup', hash_seq(b'd-rtm ' * 100)),
        ('hcrtm: PCR 17-22 after D-RTM', pcr_values(PCR17_22)),
        ('hcrtm: restartCount after D-RTM', clock_counts),
        ('hcrtm: PCR 0 unchanged', pcr_values(PCR0_ALL)),
        ('hcrtm: extend PCR 18 at locality 4', lambda t: (set_locality(t.ctrl_port, 4), t.rc(cmd(S,
            0x182, u32(18) + pw(b'') + u32(1) + u16(SHA256) + b'\x18' * 32)), set_locality(t.ctrl_port, 0))[1]),
        ('hcrtm: second D-RTM resets 17-22', hash_seq(b'again')),
        ('hcrtm: PCR 17-22 after the second D-RTM', pcr_values(PCR17_22)),
        ('hcrtm: sequence abandoned by a command', hash_seq(b'lost', between=cmd(NS, 0x17B, u16(8)))),
        ('hcrtm: PCR 17-22 after the abandoned sequence', pcr_values(PCR17_22)),
        ('hcrtm: empty sequence', hash_seq()),
        ('hcrtm: PCR 17-22 after an empty sequence', pcr_values(PCR17_22)),
        ('hcrtm: shutdown 2', raw(cmd(NS, 0x145, u16(0)))),
        ('hcrtm: power cycle 2', power_cycle),
        ('hcrtm: H-CRTM, then Startup at locality 3', hash_seq(b'h-crtm 2')),
        ('hcrtm: locality 3', locality(3)),
        ('hcrtm: startup clear at locality 3', raw(cmd(NS, 0x144, u16(0)))),
        ('hcrtm: locality 0', locality(0)),
        ('hcrtm: PCR 0 without the locality-3 marker', pcr_values(PCR0_ALL)),
        ('hcrtm: shutdown 3', raw(cmd(NS, 0x145, u16(0)))),
        ('hcrtm: power cycle 3', power_cycle),
        ('hcrtm: startup clear without H-CRTM', raw(cmd(NS, 0x144, u16(0)))),
        ('hcrtm: PCR 0 zero again', pcr_values(PCR0_ALL)),
    ]

# ---- 6: stClear objects' contexts die at a TPM Restart, survive a Resume ---------------------

def ctx_save(name):
    """ContextSave of a loaded object; remembers the blob, returns its savedHandle."""
    def f(t):
        r = t.x(cmd(NS, 0x162, u32(t.h[name])))
        if rc_of(r):
            return rc_of(r)
        t.v[name + '.ctx'] = r[10:]
        return 'savedHandle %08x' % struct.unpack('>I', r[18:22])[0]
    return f

def ctx_load(name):
    def f(t):
        r = t.x(cmd(NS, 0x161, t.v[name + '.ctx']))
        if rc_of(r) == 0:
            t.h[name] = struct.unpack('>I', r[10:14])[0]
        return rc_of(r)
    return f

def cases_stclear():
    sig = lambda attrs: ecdaa_pub(attrs, scheme=u16(0x18) + u16(SHA256))
    return [
        ('stclear: primary with stClear', primary('stc', OWNER, sig(0x00040076))),
        ('stclear: primary without', primary('plain', OWNER, sig(0x00040072))),
        ('stclear: save stClear', ctx_save('stc')),
        ('stclear: save plain', ctx_save('plain')),
        ('stclear: flush all', flush_all_transient),
        ('stclear: shutdown state', raw(cmd(NS, 0x145, u16(1)))),
        ('stclear: power', power_cycle),
        ('stclear: startup state (Resume)', raw(cmd(NS, 0x144, u16(1)))),
        ('stclear: stClear context after Resume', ctx_load('stc')),
        ('stclear: plain context after Resume', ctx_load('plain')),
        ('stclear: flush all 2', flush_all_transient),
        ('stclear: shutdown state 2', raw(cmd(NS, 0x145, u16(1)))),
        ('stclear: power 2', power_cycle),
        ('stclear: startup clear (Restart)', raw(cmd(NS, 0x144, u16(0)))),
        ('stclear: stClear context after Restart', ctx_load('stc')),
        ('stclear: plain context after Restart', ctx_load('plain')),
        ('stclear: new stClear primary', primary('stc', OWNER, sig(0x00040076))),
        ('stclear: save it', ctx_save('stc')),
        ('stclear: flush all 3', flush_all_transient),
        ('stclear: load it (same cycle)', ctx_load('stc')),
        ('stclear: flush all 4', flush_all_transient),
    ]

# ---- 6: ClockRateAdjust changes the rate of Clock ---------------------------------------------

def rate_adjust(step, times):
    def f(t):
        rc = 0
        for _ in range(times):
            rc = rc or t.rc(cmd(S, 0x130, u32(OWNER) + pw(b'') + u8(step & 0xFF)))
        return rc
    return f

def clock_rate(lo, hi, secs=1.2):
    """Clock's advance over `secs` of wall time, as a ratio: 'in [lo, hi]' or the ratio."""
    def f(t):
        def clk():
            r = t.x(cmd(NS, 0x181))
            return struct.unpack('>Q', r[18:26])[0]
        c1, w1 = clk(), time.monotonic()
        time.sleep(secs)
        c2, w2 = clk(), time.monotonic()
        ratio = (c2 - c1) / ((w2 - w1) * 1000)
        return 'rate in [%.2f, %.2f]' % (lo, hi) if lo <= ratio <= hi else 'rate %.3f' % ratio
    return f

def cases_clock_rate():
    return [
        ('clockrate: nominal', clock_rate(0.95, 1.05)),
        ('clockrate: coarse slower x20 (limit: 30000/35000)', rate_adjust(-3, 20)),
        ('clockrate: slower', clock_rate(0.80, 0.91)),
        ('clockrate: coarse faster x40 (limit: 30000/25000)', rate_adjust(3, 40)),
        ('clockrate: faster', clock_rate(1.13, 1.27)),
        ('clockrate: value 4', raw(cmd(S, 0x130, u32(OWNER) + pw(b'') + u8(4)))),
        ('clockrate: shutdown', raw(cmd(NS, 0x145, u16(0)))),
        ('clockrate: power cycle', power_cycle),
        ('clockrate: startup', raw(cmd(NS, 0x144, u16(0)))),
        ('clockrate: nominal after a power cycle', clock_rate(0.95, 1.05)),
    ]

# ---- 6: derived objects (CreateLoaded under a derivation parent) -----------------------------

DPARENT = u16(0x0008) + u16(SHA256) + u32(0x00030072) + b2(b'') + u16(0x000A) + u16(SHA256) + u16(0x0022) + b2(b'')
DERIVE = b2(b'label') + b2(b'context')

def derived_public(t, r):
    """outPublic of CreateLoaded up to the unique field, and a second derivation's equality."""
    pub, _ = tpm2b(r, 18)
    return pub.hex()

def create_loaded(name, parent, template, out=None):
    def f(t):
        r = t.x(cmd(S, 0x191, u32(t.h[parent]) + pw(b'') + b2(b2(b'') + b2(b'')) + b2(template)))
        if rc_of(r):
            return rc_of(r)
        t.h[name] = struct.unpack('>I', r[10:14])[0]
        return out(t, r) if out else 0
    return f

def hm(t, name):
    r = t.x(cmd(S, 0x155, u32(t.h[name]) + pw(b'') + b2(b'derived data') + u16(SHA256)))
    return tpm2b(params_of(r))[0] if rc_of(r) == 0 else rc_of(r)

def hmac_twice(name):
    def f(t):
        t.v[name + '.hmac'] = hm(t, name)
        return 'hmac of %d bytes, key not empty: %s' % (len(t.v[name + '.hmac']),
            t.v[name + '.hmac'] != hmac.new(b'', b'derived data', hashlib.sha256).digest())
    return f

def same_hmac(a, b):
    return lambda t: 'same' if hm(t, b) == t.v[a + '.hmac'] else 'differs'

def cases_derived():
    rsa = (u16(0x0001) + u16(SHA256) + u32(0x00040052) + b2(b'') + u16(NULLALG) + u16(0x0014) +
           u16(SHA256) + u16(2048) + u32(0) + DERIVE)
    ecc = (u16(0x0023) + u16(SHA256) + u32(0x00040052) + b2(b'') + u16(NULLALG) + u16(0x0018) +
           u16(SHA256) + u16(0x0003) + u16(NULLALG) + DERIVE)
    hmac_key = u16(0x0008) + u16(SHA256) + u32(0x00040052) + b2(b'') + u16(0x0005) + u16(SHA256) + DERIVE
    sym = u16(0x0025) + u16(SHA256) + u32(0x00060052) + b2(b'') + u16(0x0006) + u16(128) + u16(0x0043) + DERIVE
    return [
        ('derived: derivation parent', primary('dp', OWNER, DPARENT, b'derivation parent key')),
        ('derived: ecc', create_loaded('d1', 'dp', ecc)),
        ('derived: flush ecc', flush('d1')),
        ('derived: rsa', create_loaded('d1', 'dp', rsa)),
        ('derived: flush rsa', flush('d1')),
        ('derived: rsa template without TPMS_DERIVE', create_loaded('d1', 'dp', rsa[:-len(DERIVE)] + b2(b''))),
        ('derived: ecc template with only a label', create_loaded('d1', 'dp', ecc[:-len(DERIVE)] + b2(b'label'))),
        ('derived: flush bad', flush('d1')),
        ('derived: keyedhash', create_loaded('d1', 'dp', hmac_key)),
        ('derived: hmac with the derived key', hmac_twice('d1')),
        ('derived: same label/context, same key', create_loaded('d2', 'dp', hmac_key)),
        ('derived: the two keys give the same hmac', same_hmac('d1', 'd2')),
        ('derived: flush keyedhash', flush('d1')),
        ('derived: flush keyedhash 2', flush('d2')),
        ('derived: other context', create_loaded('d2', 'dp', hmac_key[:-9] + b2(b'other'))),
        ('derived: other context, other key', lambda t: 'same' if hm(t, 'd2') == t.v.get('d1.hmac') else 'differs'),
        ('derived: flush keyedhash 3', flush('d2')),
        ('derived: symcipher', create_loaded('d1', 'dp', sym)),
        ('derived: encrypt with the derived aes key', auth_cmd(0x193, ['d1'], [b''], b2(bytes(16)) +
            b'\x00' + u16(0x0043) + b2(bytes(16)), lambda t, r: len(tpm2b(params_of(r))[0]))),
        ('derived: flush all', flush_all_transient),
    ]

# ---- the run ---------------------------------------------------------------------------------

def show(v):
    return '0x%03x' % v if isinstance(v, int) and not isinstance(v, bool) else str(v)

def all_cases():
    return cases_policy_nv() + cases_hmac_attest() + cases_sym_parents() +\
        cases_pin() + cases_ecdaa() + cases_hash_interface() +\
        cases_stclear() + cases_derived() + cases_clock_rate()

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
            print('ok - vs libtpms: %s (%s)' % (name.lstrip('='), show(va)))
        else:
            print('not ok - vs libtpms: %s anchor %s, libtpms %s' % (name, show(va), show(vs)))

def main():
    return run_pair('tpm2 features vs libtpms', ANCHOR_TPMD, compare)

if __name__ == '__main__':
    sys.exit(main())
