#!/usr/bin/env python3
"""Sessions, policy and attestation: response codes of anchor-tpmd against libtpms (swtpm).

Both TPMs get the same sequence of commands; session handles and nonces are taken from each
TPM's own StartAuthSession answers (they differ), HMACs are computed here per TPM.  A case is
`ok` when both answer the same response code; deliberate differences are `skip` with the
reason.  Complements tests/unit/tpm2_rc_vs_libtpms.py (the framework's families).
"""
import hashlib, hmac, os, struct, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tpm_pair import u8, u16, u32, b2, cmd, rc_of, NS, S, pw, RetryConn, power, run_pair

ANCHOR_TPMD = sys.argv[1] if len(sys.argv) > 1 else os.environ.get('ANCHOR_TPMD', 'build/sim/anchor-tpmd')

OWNER, ENDORSE, PLATFORM, NULLH = 0x40000001, 0x4000000B, 0x4000000C, 0x40000007
SHA256, NULLALG = 0x000B, 0x0010
AES128CFB = u16(0x0006) + u16(128) + u16(0x0043)
def sess_area(*entries):
    a = b''.join(entries)
    return u32(len(a)) + a
def entry(h, nonce, attrs, mac=b''):
    return u32(h) + b2(nonce) + u8(attrs) + b2(mac)
NC = bytes(range(1, 33))

DELIBERATE = {
    'start: 4 sessions': 'libtpms loads 3 sessions at most; anchor has 8 session slots',
}

class TPM(RetryConn):
    """One TPM under test: a socket and what its answers taught us (handles, nonces)."""
    def __init__(self, port):
        RetryConn.__init__(self, port)
        self.h = {}      # name -> session handle
        self.nt = {}     # name -> nonceTPM
        self.keys = {}   # name -> object handle


# ---- steps: each takes a TPM and returns its response code -----------------------------------

def start(name, typ=0, sym=u16(NULLALG), bind=NULLH, key=NULLH, nonce=NC, salt=b'', alg=SHA256):
    def f(t):
        k = t.keys.get(key, key) if isinstance(key, str) else key
        r = t.x(cmd(NS, 0x176, u32(k) + u32(bind) + b2(nonce) + b2(salt) + u8(typ) + sym + u16(alg)))
        if rc_of(r) == 0:
            t.h[name] = struct.unpack('>I', r[10:14])[0]
            n = struct.unpack('>H', r[14:16])[0]
            t.nt[name] = r[16:16 + n]
        return rc_of(r)
    return f

def flush(name):
    def f(t):
        return t.rc(cmd(NS, 0x165, u32(t.h[name]))) if name in t.h else 0
    return f

def raw(c):
    f = lambda t: t.rc(c)
    f.cmd = c
    return f

def on_session(name, cc, body_fn):
    """A session-less command whose handle is the named session (policy commands)."""
    return lambda t: t.rc(cmd(NS, cc, u32(t.h[name]) + body_fn(t)))

def with_session(name, cc, handles, params, attrs=1, mac=None, extra=b''):
    """A command authorized/encrypted by the named session (mac None: correct HMAC with an
    empty key and empty authValue, i.e. what an unsalted unbound session on an empty auth
    gives; b'' sends an empty HMAC)."""
    def f(t):
        m = mac
        if m is None:
            m = b''
        e = entry(t.h[name], NC, attrs, m)
        hs = b''.join(u32(h if isinstance(h, int) else t.h[h]) for h in handles)
        return t.rc(cmd(S, cc, hs + sess_area(e, extra) + params))
    return f

def create_signing_key(name, restricted=True):
    """CreatePrimary ECC P-256 ECDSA-SHA256 signing key in the endorsement hierarchy."""
    attrs = 0x00040072 | (0x00010000 if restricted else 0)  # sign|fixedTPM|fixedParent|sensitiveDataOrigin|userWithAuth
    pub = (u16(0x0023) + u16(SHA256) + u32(attrs) + b2(b'') + u16(NULLALG) +
           u16(0x0018) + u16(SHA256) + u16(0x0003) + u16(NULLALG) + b2(b'') + b2(b''))
    def f(t):
        r = t.x(cmd(S, 0x131, u32(ENDORSE) + pw(b'') + b2(b2(b'') + b2(b'')) + b2(pub) + b2(b'') + u32(0)))
        if rc_of(r) == 0:
            t.keys[name] = struct.unpack('>I', r[10:14])[0]
        return rc_of(r)
    return f

def keyh(t, name): return t.keys[name]

# ---- HMAC sessions computed here (SHA-256, XOR obfuscation: hashlib/hmac only) ---------------

def kdfa(key, label, u, v, bits):
    out, i = b'', 1
    while len(out) * 8 < bits:
        out += hmac.new(key, u32(i) + label + b'\0' + u + v + u32(bits), hashlib.sha256).digest()
        i += 1
    return out[:bits // 8]

def xor(key, u, v, data):
    return bytes(a ^ b for a, b in zip(data, kdfa(key, b'XOR', u, v, len(data) * 8)))

def start_bound(name, bind, bind_auth, sym=u16(0x000A) + u16(SHA256)):
    def f(t):
        rc = start(name, sym=sym, bind=bind)(t)
        if rc == 0:
            t.skey = getattr(t, 'skey', {})
            t.skey[name] = kdfa(bind_auth, b'ATH', t.nt[name], NC, 256) if bind_auth else b''
        return rc
    return f

def nv_name(t, idx):
    r = t.x(cmd(NS, 0x169, u32(idx)))
    n = struct.unpack('>H', r[10:12])[0]
    return r[12 + n + 2:]

def hmac_cmd(name, cc, handles, params, auth, attrs=1, decrypt=False, encrypt=False,
             rsp_auth=None, enc_auth=None):
    """One command under the named session with a real HMAC; returns the response code, or
    0xBAD if the response HMAC does not verify, or 0xBAD1 if decrypted data is wrong.  handles:
    (handle, name-or-None); auth: the authValue in the HMAC key (None: bound/left out)."""
    def f(t):
        hs = [(h if isinstance(h, int) else h(t)) for h, _ in handles]
        names = [(nm(t) if callable(nm) else (nm if nm is not None else u32(h)))
                 for (h, nm), h in zip(handles, hs)]
        key = t.skey[name] + (auth or b'')
        # parameter encryption: sessionKey || the authorized entity's authValue, whether or not
        # the HMAC includes it (bound sessions, policy sessions) - the reference TPM's rule
        ekey = t.skey[name] + (enc_auth if enc_auth is not None else (auth or b''))
        nt = t.nt[name]
        p = params(t) if callable(params) else params
        if decrypt:
            n = struct.unpack('>H', p[:2])[0]
            p = p[:2] + xor(ekey, NC, nt, p[2:2 + n]) + p[2 + n:]
        cp = hashlib.sha256(u32(cc) + b''.join(names) + p).digest()
        a = (u8(attrs | (0x20 if decrypt else 0) | (0x40 if encrypt else 0)))
        mac = hmac.new(key, cp + NC + nt + a, hashlib.sha256).digest()
        r = t.x(cmd(S, cc, b''.join(u32(h) for h in hs) + sess_area(entry(t.h[name], NC, a[0], mac)) + p))
        if rc_of(r):
            return rc_of(r)
        psz = struct.unpack('>I', r[10:14])[0]
        rp_params = r[14:14 + psz]
        ar = r[14 + psz:]
        ntl = struct.unpack('>H', ar[:2])[0]
        nt_new, at = ar[2:2 + ntl], ar[2 + ntl:3 + ntl]
        got = ar[3 + ntl + 2:]
        t.nt[name] = nt_new
        rkey = t.skey[name] + (rsp_auth if rsp_auth is not None else (auth or b''))
        rp = hashlib.sha256(u32(0) + u32(cc) + rp_params).digest()
        if hmac.new(rkey, rp + nt_new + NC + at, hashlib.sha256).digest() != got:
            return 0xBAD
        if encrypt:
            n = struct.unpack('>H', rp_params[:2])[0]
            t.last = xor(ekey, nt_new, NC, rp_params[2:2 + n])
        return 0
    return f

def create_storage_key(name, ecc=True):
    """CreatePrimary restricted decrypt (storage) key, AES-128-CFB, in the owner hierarchy."""
    attrs = 0x00030072     # restricted|decrypt|fixedTPM|fixedParent|sensitiveDataOrigin|userWithAuth
    if ecc:
        parms = AES128CFB + u16(NULLALG) + u16(0x0003) + u16(NULLALG) + b2(b'') + b2(b'')
        pub = u16(0x0023) + u16(SHA256) + u32(attrs) + b2(b'') + parms
    else:
        pub = (u16(0x0001) + u16(SHA256) + u32(attrs) + b2(b'') + AES128CFB + u16(NULLALG) +
               u16(2048) + u32(0) + b2(b''))
    def f(t):
        r = t.x(cmd(S, 0x131, u32(OWNER) + pw(b'') + b2(b2(b'') + b2(b'')) + b2(pub) + b2(b'') + u32(0)))
        if rc_of(r) == 0:
            t.keys[name] = struct.unpack('>I', r[10:14])[0]
        return rc_of(r)
    return f

def digest_after(name, cc, body_fn, auth=None, nv=None):
    """Runs a policy command on the named trial session, then PolicyGetDigest: the step's value
    is the command's rc if it failed, else the digest's first 3 bytes (equal digests across the
    two TPMs compare equal)."""
    def f(t):
        if auth is None:
            r = t.rc(cmd(NS, cc, u32(t.h[name]) + body_fn(t)))
        else:   # authHandle [nvIndex] policySession, password for authHandle
            hs = u32(auth) + (u32(nv) if nv else b'') + u32(t.h[name])
            r = t.rc(cmd(S, cc, hs + pw(b'') + body_fn(t)))
        if r:
            return r
        d = t.x(cmd(NS, 0x189, u32(t.h[name])))
        return 0x1000000 | int.from_bytes(d[12:15], 'big')
    return f

def attested(r):
    """TPMS_ATTEST's `attested` part of an unsigned attestation (NULL signer: qualifiedSigner
    is TPM_RH_NULL's 4-byte Name; extraData empty), from a response with sessions."""
    body = r[16:16 + struct.unpack('>H', r[14:16])[0]]
    return body[4 + 2 + 2 + 4 + 2 + 17 + 8:]

def prefix(b):
    return 0x1000000 | int.from_bytes(b[:3], 'big')

def oaep_encrypt(n, e, msg, label=b'SECRET\0'):
    """RSAES-OAEP with SHA-256 and MGF1-SHA-256 (PKCS #1 v2.2), enough for a session salt."""
    k = (n.bit_length() + 7) // 8
    hl = 32
    def mgf1(seed, length):
        out, c = b'', 0
        while len(out) < length:
            out += hashlib.sha256(seed + u32(c)).digest()
            c += 1
        return out[:length]
    db = hashlib.sha256(label).digest() + bytes(k - len(msg) - 2 * hl - 2) + b'\x01' + msg
    seed = os.urandom(hl)
    mdb = bytes(a ^ b for a, b in zip(db, mgf1(seed, k - hl - 1)))
    ms = bytes(a ^ b for a, b in zip(seed, mgf1(mdb, hl)))
    m = int.from_bytes(b'\x00' + ms + mdb, 'big')
    return pow(m, e, n).to_bytes(k, 'big')

def create_rsa_storage(name):
    """CreatePrimary RSA-2048 storage key; remembers its modulus for salting."""
    attrs = 0x00030072
    pub = (u16(0x0001) + u16(SHA256) + u32(attrs) + b2(b'') + AES128CFB + u16(NULLALG) +
           u16(2048) + u32(0) + b2(b''))
    def f(t):
        r = t.x(cmd(S, 0x131, u32(OWNER) + pw(b'') + b2(b2(b'') + b2(b'')) + b2(pub) + b2(b'') + u32(0)))
        if rc_of(r) == 0:
            t.keys[name] = struct.unpack('>I', r[10:14])[0]
            out_public = r[18:]                       # handle, paramSize, TPM2B_PUBLIC
            body = out_public[2:2 + struct.unpack('>H', out_public[:2])[0]]
            n_len = struct.unpack('>H', body[-258:-256])[0]
            t.rsa_n = int.from_bytes(body[-256:], 'big') if n_len == 256 else 0
        return rc_of(r)
    return f

def start_rsa_salted(name, key):
    def f(t):
        salt = os.urandom(32)
        enc = oaep_encrypt(t.rsa_n, 65537, salt)
        rc = start(name, key=key, salt=enc, sym=u16(0x000A) + u16(SHA256))(t)
        if rc == 0:
            t.skey = getattr(t, 'skey', {})
            t.skey[name] = kdfa(salt, b'ATH', t.nt[name], NC, 256)
        return rc
    return f

def sleep_step(secs):
    def f(t):
        time.sleep(secs)
        return 0
    return f

def policy_digest_cc(cc):
    return hashlib.sha256(bytes(32) + u32(0x16C) + u32(cc)).digest()

cases = [
    # StartAuthSession
    ('start: nonceCaller 8 bytes', start('x', nonce=bytes(8))),
    ('start: nonceCaller 40 bytes (> SHA-256)', start('x', nonce=bytes(40))),
    ('start: sessionType 2', start('x', typ=2)),
    ('start: AES-128-CBC', start('x', sym=u16(6) + u16(128) + u16(0x42))),
    ('start: salt without tpmKey', start('x', salt=b'\x01' * 8)),
    ('start: authHash NULL', start('x', alg=NULLALG)),
    ('start: authHash SM3', start('x', alg=0x0012)),
    ('start: symmetric SM4', start('x', sym=u16(0x0013) + u16(128) + u16(0x43))),
    ('start: tpmKey a PCR', start('x', key=5)),
    ('start: tpmKey not loaded', start('x', key=0x80000002)),
    ('start: bind to an undefined NV index', start('x', bind=0x01500999)),
    ('start: bind to the owner', start('bound', bind=OWNER)),
    ('flush bound', flush('bound')),
    ('start: HMAC session', start('h')),
    ('start: policy session', start('p', typ=1)),
    ('start: trial session', start('t', typ=3)),
    # using sessions
    ('auth: trial session for authorization', with_session('t', 0x182, [16], u32(0))),
    ('flush trial', flush('t')),
    ('start: XOR session', start('xor', sym=u16(0x000A) + u16(SHA256))),
    ('auth: HMAC session, empty HMAC, empty key', with_session('h', 0x182, [16], u32(0))),
    ('auth: HMAC session, wrong HMAC', with_session('h', 0x182, [16], u32(0), mac=b'\x55' * 32)),
    ('auth: HMAC session, short HMAC', with_session('h', 0x182, [16], u32(0), mac=b'\x55' * 5)),
    ('auth: decrypt on a command without a TPM2B first parameter', with_session('xor', 0x182, [16], u32(0), attrs=0x21)),
    ('auth: decrypt with a session without cipher', with_session('h', 0x13C, [16], b2(b'ev'), attrs=0x21)),
    ('auth: encrypt with a session without cipher', with_session('h', 0x17B, [], u16(8), attrs=0x41)),
    ('auth: audit on a policy session', with_session('p', 0x17B, [], u16(8), attrs=0x81)),
    ('auth: session for no handle without audit/encrypt/decrypt', with_session('h', 0x17B, [], u16(8), attrs=1)),
    ('auth: auditReset without audit', with_session('h', 0x17B, [], u16(8), attrs=0x05)),
    ('auth: XOR-encrypted GetRandom', with_session('xor', 0x17B, [], u16(8), attrs=0x41)),
    ('auth: audited GetRandom', with_session('h', 0x17B, [], u16(8), attrs=0x81)),
    ('auth: same session twice', lambda t: t.rc(cmd(S, 0x182, u32(16) + sess_area(entry(t.h['h'], NC, 1), entry(t.h['h'], NC, 0x81)) + u32(0)))),
    ('auth: policy session on a PCR (no policy)', with_session('p', 0x182, [16], u32(0))),
    # policy commands
    ('policy: PolicyGetDigest on an HMAC session', on_session('h', 0x189, lambda t: b'')),
    ('policy: PolicyRestart on an HMAC session', on_session('h', 0x180, lambda t: b'')),
    ('policy: PolicyLocality 0', on_session('p', 0x16F, lambda t: b'\x00')),
    ('policy: PolicyLocality 32 (extended)', on_session('p', 0x16F, lambda t: b'\x20')),
    ('policy: PolicyLocality 33 after 32', on_session('p', 0x16F, lambda t: b'\x21')),
    ('policy: PolicyLocality 3 after 32', on_session('p', 0x16F, lambda t: b'\x08')),
    ('policy: PolicyRestart (locality)', on_session('p', 0x180, lambda t: b'')),
    ('policy: PolicyLocality 3', on_session('p', 0x16F, lambda t: b'\x08')),
    ('policy: PolicyLocality disjoint', on_session('p', 0x16F, lambda t: b'\x01')),
    ('policy: PolicyCommandCode unknown', on_session('p', 0x16C, lambda t: u32(0x1FF))),
    ('policy: PolicyCommandCode ClockRateAdjust', on_session('p', 0x16C, lambda t: u32(0x130))),
    ('policy: PolicyCommandCode conflicting', on_session('p', 0x16C, lambda t: u32(0x182))),
    ('policy: PolicyCpHash of 20 bytes', on_session('p', 0x16E, lambda t: b2(bytes(20)))),
    ('policy: PolicyCpHash', on_session('p', 0x16E, lambda t: b2(bytes(32)))),
    ('policy: PolicyCpHash different', on_session('p', 0x16E, lambda t: b2(b'\x01' * 32))),
    ('policy: PolicyNameHash after cpHash', on_session('p', 0x170, lambda t: b2(bytes(32)))),
    ('policy: PolicyRestart', on_session('p', 0x180, lambda t: b'')),
    ('policy: PolicyOR one digest', on_session('p', 0x171, lambda t: u32(1) + b2(bytes(32)))),
    ('policy: PolicyOR nine digests', on_session('p', 0x171, lambda t: u32(9) + b2(bytes(32)) * 9)),
    ('policy: PolicyOR without the current digest', on_session('p', 0x171, lambda t: u32(2) + b2(b'\x01' * 32) + b2(b'\x02' * 32))),
    ('policy: PolicyOR with it', on_session('p', 0x171, lambda t: u32(2) + b2(bytes(32)) + b2(b'\x02' * 32))),
    ('policy: PolicyPCR with a wrong pcrDigest', on_session('p', 0x17F, lambda t: b2(b'\x01' * 32) + u32(1) + u16(SHA256) + b'\x03\x00\x00\x01')),
    ('policy: PolicyPCR with a short pcrDigest', on_session('p', 0x17F, lambda t: b2(b'\x01' * 20) + u32(1) + u16(SHA256) + b'\x03\x00\x00\x01')),
    ('policy: PolicyNvWritten 2', on_session('p', 0x18F, lambda t: b'\x02')),
    ('policy: PolicyNvWritten YES', on_session('p', 0x18F, lambda t: b'\x01')),
    ('policy: PolicyNvWritten NO after YES', on_session('p', 0x18F, lambda t: b'\x00')),
    ('policy: PolicyCounterTimer past TPMS_TIME_INFO', on_session('p', 0x16D, lambda t: b2(bytes(8)) + u16(20) + u16(0))),
    ('policy: PolicyCounterTimer bad operation', on_session('p', 0x16D, lambda t: b2(bytes(8)) + u16(0) + u16(12))),
    ('policy: PolicyCounterTimer false', on_session('p', 0x16D, lambda t: b2(b'\xff' * 8) + u16(8) + u16(3))),
    ('policy: PolicyCounterTimer safe == 1', on_session('p', 0x16D, lambda t: b2(b'\x01') + u16(24) + u16(0))),
    ('policy: PolicyTemplate wrong size', on_session('p', 0x190, lambda t: b2(bytes(5)))),
    ('policy: PolicyTicket with a bad tag', on_session('p', 0x172, lambda t: b2(bytes(8)) + b2(b'') + b2(b'') + b2(u32(OWNER)) + u16(0x8022) + u32(OWNER) + b2(bytes(32)))),
    ('policy: PolicyTicket forged', on_session('p', 0x172, lambda t: b2(b'\xff' * 8) + b2(b'') + b2(b'') + b2(u32(OWNER)) + u16(0x8023) + u32(OWNER) + b2(bytes(32)))),
    ('policy: PolicyAuthorize bad keySign', on_session('p', 0x16A, lambda t: b2(bytes(32)) + b2(b'') + b2(b'\x00\x0b' + bytes(10)) + u16(0x8022) + u32(OWNER) + b2(bytes(32)))),
    ('policy: PolicyAuthorize approved != current', on_session('p', 0x16A, lambda t: b2(b'\x01' * 32) + b2(b'') + b2(b'\x00\x0b' + bytes(32)) + u16(0x8022) + u32(OWNER) + b2(bytes(32)))),
    ('policy: PolicyDuplicationSelect include 2', on_session('p', 0x188, lambda t: b2(b'') + b2(b'') + b'\x02')),
    ('policy: PolicySecret(owner) with a wrong nonceTPM', lambda t: t.rc(cmd(S, 0x151, u32(OWNER) + u32(t.h['p']) + pw(b'') + b2(b'\x01' * 32) + b2(b'') + b2(b'') + u32(0)))),
    ('policy: PolicySecret(owner) with a 20-byte cpHashA', lambda t: t.rc(cmd(S, 0x151, u32(OWNER) + u32(t.h['p']) + pw(b'') + b2(b'') + b2(bytes(20)) + b2(b'') + u32(0)))),
    ('policy: PolicySecret(owner) wrong password', lambda t: t.rc(cmd(S, 0x151, u32(OWNER) + u32(t.h['p']) + pw(b'x') + b2(b'') + b2(b'') + b2(b'') + u32(0)))),
    ('policy: PolicySecret(owner) with nonceTPM, expiration -10', lambda t: t.rc(cmd(S, 0x151, u32(OWNER) + u32(t.h['p']) + pw(b'') + b2(t.nt['p']) + b2(b'') + b2(b'') + u32(0xFFFFFFF6)))),
    ('policy: PolicySecret with an HMAC session', lambda t: t.rc(cmd(S, 0x151, u32(OWNER) + u32(t.h['p']) + sess_area(entry(t.h['h'], NC, 1)) + b2(b'') + b2(b'') + b2(b'') + u32(0)))),
    ('policy: PolicySigned with an unloaded key', lambda t: t.rc(cmd(NS, 0x160, u32(0x80000002) + u32(t.h['p']) + b2(b'') + b2(b'') + b2(b'') + u32(0) + u16(0x18) + u16(SHA256) + b2(bytes(32)) + b2(bytes(32))))),
    ('policy: PolicyNV on an undefined index', lambda t: t.rc(cmd(S, 0x149, u32(OWNER) + u32(0x01500999) + u32(t.h['p']) + pw(b'') + b2(b'\x00') + u16(0) + u16(0)))),
    # a policy session authorizing the owner hierarchy (ClockRateAdjust)
    ('use: owner has no policy', with_session('p', 0x130, [OWNER], b'\x00')),
    ('use: SetPrimaryPolicy(owner) = PolicyCommandCode(ClockRateAdjust)', lambda t: t.rc(cmd(S, 0x12E, u32(OWNER) + pw(b'') + b2(policy_digest_cc(0x130)) + u16(SHA256)))),
    ('use: empty policy digest', with_session('p', 0x130, [OWNER], b'\x00')),
    ('use: PolicyRestart', on_session('p', 0x180, lambda t: b'')),
    ('use: PolicyCommandCode(ClockRateAdjust)', on_session('p', 0x16C, lambda t: u32(0x130))),
    ('use: matching policy', with_session('p', 0x130, [OWNER], b'\x00')),
    ('use: the policy was reset by its use', with_session('p', 0x130, [OWNER], b'\x00')),
    ('use: PolicyLocality(3)', on_session('p', 0x16F, lambda t: b'\x08')),
    ('use: PolicyCommandCode again', on_session('p', 0x16C, lambda t: u32(0x130))),
    ('use: at locality 0', with_session('p', 0x130, [OWNER], b'\x00')),
    ('use: PolicyRestart 2', on_session('p', 0x180, lambda t: b'')),
    ('use: PolicyAuthValue', on_session('p', 0x16B, lambda t: b'')),
    ('use: PolicyAuthValue, wrong HMAC', with_session('p', 0x130, [OWNER], b'\x00', mac=b'\x33' * 32)),
    ('use: PolicyPassword', on_session('p', 0x18C, lambda t: b'')),
    ('use: PolicyPassword, wrong password', with_session('p', 0x130, [OWNER], b'\x00', mac=b'pw')),
    # attestation
    ('attest: create an ECC signing key', create_signing_key('ak')),
    ('attest: create an unrestricted ECC signing key', create_signing_key('sk', restricted=False)),
    ('attest: Quote, key scheme', lambda t: t.rc(cmd(S, 0x158, u32(keyh(t, 'ak')) + pw(b'') + b2(b'n') + u16(NULLALG) + u32(1) + u16(SHA256) + b'\x03\x01\x00\x00'))),
    ('attest: Quote, conflicting inScheme', lambda t: t.rc(cmd(S, 0x158, u32(keyh(t, 'ak')) + pw(b'') + b2(b'n') + u16(0x14) + u16(SHA256) + u32(1) + u16(SHA256) + b'\x03\x01\x00\x00'))),
    ('attest: Quote, qualifyingData of 80 bytes', lambda t: t.rc(cmd(S, 0x158, u32(keyh(t, 'ak')) + pw(b'') + b2(bytes(80)) + u16(NULLALG) + u32(1) + u16(SHA256) + b'\x03\x01\x00\x00'))),
    ('attest: Quote with an unloaded key', lambda t: t.rc(cmd(S, 0x158, u32(0x80000002) + pw(b'') + b2(b'n') + u16(NULLALG) + u32(0)))),
    ('attest: Quote, wrong password', lambda t: t.rc(cmd(S, 0x158, u32(keyh(t, 'ak')) + pw(b'x') + b2(b'n') + u16(NULLALG) + u32(0)))),
    ('attest: Certify itself', lambda t: t.rc(cmd(S, 0x148, u32(keyh(t, 'ak')) + u32(keyh(t, 'ak')) + pw(b'', b'') + b2(b'') + u16(NULLALG)))),
    ('attest: Certify, NULL signer', lambda t: t.rc(cmd(S, 0x148, u32(keyh(t, 'ak')) + u32(NULLH) + pw(b'', b'') + b2(b'') + u16(NULLALG)))),
    ('attest: GetTime, NULL signer', lambda t: t.rc(cmd(S, 0x14C, u32(ENDORSE) + u32(NULLH) + pw(b'', b'') + b2(b'') + u16(NULLALG)))),
    ('attest: GetTime, wrong endorsement password', lambda t: t.rc(cmd(S, 0x14C, u32(ENDORSE) + u32(NULLH) + pw(b'x', b'') + b2(b'') + u16(NULLALG)))),
    ('attest: GetTime, privacy handle owner', lambda t: t.rc(cmd(S, 0x14C, u32(OWNER) + u32(NULLH) + pw(b'', b'') + b2(b'') + u16(NULLALG)))),
    ('attest: GetSessionAuditDigest of the audit session', lambda t: t.rc(cmd(S, 0x14D, u32(ENDORSE) + u32(keyh(t, 'ak')) + u32(t.h['h']) + pw(b'', b'') + b2(b'') + u16(NULLALG)))),
    ('attest: GetSessionAuditDigest of a policy session', lambda t: t.rc(cmd(S, 0x14D, u32(ENDORSE) + u32(NULLH) + u32(t.h['p']) + pw(b'', b'') + b2(b'') + u16(NULLALG)))),
    ('attest: SetCommandCodeAuditStatus, platform', lambda t: t.rc(cmd(S, 0x140, u32(PLATFORM) + pw(b'') + u16(NULLALG) + u32(1) + u32(0x17B) + u32(0)))),
    ('attest: SetCommandCodeAuditStatus, endorsement', lambda t: t.rc(cmd(S, 0x140, u32(ENDORSE) + pw(b'') + u16(NULLALG) + u32(0) + u32(0)))),
    ('attest: audited GetRandom', raw(cmd(NS, 0x17B, u16(4)))),
    ('attest: GetCommandAuditDigest, signed', lambda t: t.rc(cmd(S, 0x133, u32(ENDORSE) + u32(keyh(t, 'sk')) + pw(b'', b'') + b2(b'') + u16(0x18) + u16(SHA256)))),
    ('attest: GetCommandAuditDigest, NULL signer, ECDSA inScheme', lambda t: t.rc(cmd(S, 0x133, u32(ENDORSE) + u32(NULLH) + pw(b'', b'') + b2(b'') + u16(0x18) + u16(SHA256)))),
    ('attest: NV_Certify of an undefined index', lambda t: t.rc(cmd(S, 0x184, u32(keyh(t, 'ak')) + u32(OWNER) + u32(0x01500999) + pw(b'', b'') + b2(b'') + u16(NULLALG) + u16(0) + u16(0)))),
    ('attest: define NV', raw(cmd(S, 0x12A, u32(OWNER) + pw(b'') + b2(b'') + b2(u32(0x01500990) + u16(SHA256) + u32(0x00060006) + b2(b'') + u16(8))))),
    ('attest: NV_Certify unwritten', lambda t: t.rc(cmd(S, 0x184, u32(keyh(t, 'ak')) + u32(0x01500990) + u32(0x01500990) + pw(b'', b'') + b2(b'') + u16(NULLALG) + u16(4) + u16(0)))),
    ('attest: write NV', raw(cmd(S, 0x137, u32(OWNER) + u32(0x01500990) + pw(b'') + b2(b'12345678') + u16(0)))),
    ('attest: NV_Certify past the end', lambda t: t.rc(cmd(S, 0x184, u32(keyh(t, 'ak')) + u32(0x01500990) + u32(0x01500990) + pw(b'', b'') + b2(b'') + u16(NULLALG) + u16(8) + u16(4)))),
    ('attest: NV_Certify', lambda t: t.rc(cmd(S, 0x184, u32(keyh(t, 'ak')) + u32(0x01500990) + u32(0x01500990) + pw(b'', b'') + b2(b'') + u16(NULLALG) + u16(4) + u16(2)))),
    ('attest: NV_Certify, owner without OWNERREAD', lambda t: t.rc(cmd(S, 0x184, u32(keyh(t, 'ak')) + u32(OWNER) + u32(0x01500990) + pw(b'', b'') + b2(b'') + u16(NULLALG) + u16(4) + u16(2)))),
    # more: salts, signatures, checks at use
    ('more: flush s0..s3', lambda t: max([flush('s%d' % i)(t) for i in range(4)] + [0])),
    ('more: flush p, xor', lambda t: max(flush('p')(t), flush('xor')(t))),
    ('more: ECC storage key', create_storage_key('ek_ecc')),
    ('more: salted with a signing key', start('x', key='ak', salt=b2(bytes(32)) + b2(bytes(32)))),
    ('more: salted, empty salt', start('x', key='ek_ecc')),
    ('more: salted, point not on the curve', start('x', key='ek_ecc', salt=b2(b'\x01' * 32) + b2(b'\x02' * 32))),
    ('more: salted, truncated point', start('x', key='ek_ecc', salt=b2(b'\x01' * 32))),
    ('more: start a policy session', start('q', typ=1)),
    ('more: PolicySigned with a storage key', lambda t: t.rc(cmd(NS, 0x160, u32(keyh(t, 'ek_ecc')) + u32(t.h['q']) + b2(b'') + b2(b'') + b2(b'') + u32(0) + u16(0x18) + u16(SHA256) + b2(bytes(32)) + b2(bytes(32))))),
    ('more: PolicySigned, bad ECDSA signature', lambda t: t.rc(cmd(NS, 0x160, u32(keyh(t, 'sk')) + u32(t.h['q']) + b2(b'') + b2(b'') + b2(b'') + u32(0) + u16(0x18) + u16(SHA256) + b2(b'\x01' * 32) + b2(b'\x01' * 32)))),
    ('more: PolicySigned, RSA signature for an ECC key', lambda t: t.rc(cmd(NS, 0x160, u32(keyh(t, 'sk')) + u32(t.h['q']) + b2(b'') + b2(b'') + b2(b'') + u32(0) + u16(0x14) + u16(SHA256) + b2(bytes(256))))),
    ('more: PolicySigned, wrong nonceTPM', lambda t: t.rc(cmd(NS, 0x160, u32(keyh(t, 'sk')) + u32(t.h['q']) + b2(b'\x07' * 32) + b2(b'') + b2(b'') + u32(0) + u16(0x18) + u16(SHA256) + b2(b'\x01' * 32) + b2(b'\x01' * 32)))),
    ('more: Certify with a storage key as signer', lambda t: t.rc(cmd(S, 0x148, u32(keyh(t, 'ak')) + u32(keyh(t, 'ek_ecc')) + pw(b'', b'') + b2(b'') + u16(NULLALG)))),
    ('more: Quote with an unrestricted key without scheme, NULL inScheme', lambda t: t.rc(cmd(S, 0x158, u32(keyh(t, 'sk')) + pw(b'') + b2(b'') + u16(NULLALG) + u32(0)))),
    ('more: GetSessionAuditDigest of a non-audit session', lambda t: start('na')(t) or t.rc(cmd(S, 0x14D, u32(ENDORSE) + u32(NULLH) + u32(t.h['na']) + pw(b'', b'') + b2(b'') + u16(NULLALG)))),
    ('more: flush na', flush('na')),
    ('more: SetPrimaryPolicy(owner) = PolicyCommandCode(ClockRateAdjust) again', lambda t: t.rc(cmd(S, 0x12E, u32(OWNER) + pw(b'') + b2(policy_digest_cc(0x130)) + u16(SHA256)))),
    ('more: PolicyCommandCode(ClockRateAdjust)', on_session('q', 0x16C, lambda t: u32(0x130))),
    ('more: used for ClockSet (other command)', with_session('q', 0x128, [OWNER], b'\x00' * 8)),
    ('more: PolicyRestart', on_session('q', 0x180, lambda t: b'')),
    ('more: PolicyCpHash(other)', on_session('q', 0x16E, lambda t: b2(b'\x05' * 32))),
    ('more: cpHash mismatch at use', with_session('q', 0x130, [OWNER], b'\x00')),
    ('more: PolicyRestart 2', on_session('q', 0x180, lambda t: b'')),
    ('more: PolicyNvWritten YES', on_session('q', 0x18F, lambda t: b'\x01')),
    ('more: NvWritten at use on a hierarchy', with_session('q', 0x130, [OWNER], b'\x00')),
    ('more: PolicyRestart 3', on_session('q', 0x180, lambda t: b'')),
    ('more: PolicyTemplate', on_session('q', 0x190, lambda t: b2(bytes(32)))),
    ('more: template at use on ClockRateAdjust', with_session('q', 0x130, [OWNER], b'\x00')),
    ('more: PolicyRestart 4', on_session('q', 0x180, lambda t: b'')),
    ('more: PolicyPCR(sha256:16)', on_session('q', 0x17F, lambda t: b2(b'') + u32(1) + u16(SHA256) + b'\x03\x00\x00\x01')),
    ('more: extend PCR 2', raw(cmd(S, 0x182, u32(2) + pw(b'') + u32(1) + u16(SHA256) + bytes(32)))),
    ('more: PCR counter changed at use', with_session('q', 0x130, [OWNER], b'\x00')),
    ('more: PolicyRestart 5', on_session('q', 0x180, lambda t: b'')),
    ('more: PolicySecret(owner), nonceTPM, expiration 1 s', lambda t: t.rc(cmd(S, 0x151, u32(OWNER) + u32(t.h['q']) + pw(b'') + b2(t.nt['q']) + b2(b'') + b2(b'') + u32(1)))),
    ('more: wait 2 s', sleep_step(1.1)),
    ('more: expired at use', with_session('q', 0x130, [OWNER], b'\x00')),
    ('more: PolicySecret(owner), expiration 1 s, already expired', lambda t: t.rc(cmd(S, 0x151, u32(OWNER) + u32(t.h['q']) + pw(b'') + b2(t.nt['q']) + b2(b'') + b2(b'') + u32(1)))),
    ('more: start an audit session', start('au')),
    ('more: audited GetRandom', with_session('au', 0x17B, [], u16(8), attrs=0x81)),
    ('more: a command outside the audit session', raw(cmd(NS, 0x17B, u16(4)))),
    ('more: auditExclusive on a non-exclusive session', with_session('au', 0x17B, [], u16(8), attrs=0x83)),
    ('more: auditReset + auditExclusive', with_session('au', 0x17B, [], u16(8), attrs=0x87)),
    ('more: auditExclusive, now exclusive', with_session('au', 0x17B, [], u16(8), attrs=0x83)),
    # policy digests: the same trial sequence on both TPMs gives the same digest
    ('digest: flush q, au', lambda t: max(flush('q')(t), flush('au')(t))),
    ('digest: trial session', start('d', typ=3)),
    ('digest: PolicyCommandCode', digest_after('d', 0x16C, lambda t: u32(0x15E))),
    ('digest: PolicyLocality', digest_after('d', 0x16F, lambda t: b'\x03')),
    ('digest: PolicyAuthValue', digest_after('d', 0x16B, lambda t: b'')),
    ('digest: PolicyPassword', digest_after('d', 0x18C, lambda t: b'')),
    ('digest: PolicyNvWritten', digest_after('d', 0x18F, lambda t: b'\x00')),
    ('digest: PolicyPCR sha256:16 (PCR 16 reset on both)', digest_after('d', 0x17F, lambda t: b2(b'') + u32(1) + u16(SHA256) + b'\x03\x00\x00\x01')),
    ('digest: PolicyPCR with a given pcrDigest (trial)', digest_after('d', 0x17F, lambda t: b2(b'\x42' * 32) + u32(1) + u16(SHA256) + b'\x03\x00\x00\x01')),
    ('digest: PolicyCounterTimer', digest_after('d', 0x16D, lambda t: b2(bytes(8)) + u16(8) + u16(7))),
    ('digest: PolicyOR', digest_after('d', 0x171, lambda t: u32(3) + b2(b'\x01' * 32) + b2(b'\x02' * 32) + b2(b'\x03' * 32))),
    ('digest: PolicyCpHash', digest_after('d', 0x16E, lambda t: b2(b'\x11' * 32))),
    ('digest: PolicyRestart', digest_after('d', 0x180, lambda t: b'')),
    ('digest: PolicyNameHash', digest_after('d', 0x170, lambda t: b2(b'\x12' * 32))),
    ('digest: PolicyRestart 2', digest_after('d', 0x180, lambda t: b'')),
    ('digest: PolicyTemplate', digest_after('d', 0x190, lambda t: b2(b'\x13' * 32))),
    ('digest: PolicyRestart 3', digest_after('d', 0x180, lambda t: b'')),
    ('digest: PolicyDuplicationSelect (object included)', digest_after('d', 0x188, lambda t: b2(b'\x00\x0b' + b'\x21' * 32) + b2(b'\x00\x0b' + b'\x22' * 32) + b'\x01')),
    ('digest: PolicyRestart 4', digest_after('d', 0x180, lambda t: b'')),
    ('digest: PolicyDuplicationSelect (object not included)', digest_after('d', 0x188, lambda t: b2(b'\x00\x0b' + b'\x21' * 32) + b2(b'\x00\x0b' + b'\x22' * 32) + b'\x00')),
    ('digest: PolicyRestart 5', digest_after('d', 0x180, lambda t: b'')),
    ('digest: PolicySecret(owner) with a policyRef', digest_after('d', 0x151, lambda t: b2(b'') + b2(b'') + b2(b'ref') + u32(0), auth=OWNER)),
    ('digest: PolicySecret(endorsement)', digest_after('d', 0x151, lambda t: b2(b'') + b2(b'') + b2(b'') + u32(0), auth=ENDORSE)),
    ('digest: PolicyAuthorize (trial)', digest_after('d', 0x16A, lambda t: b2(bytes(32)) + b2(b'r') + b2(b'\x00\x0b' + b'\x23' * 32) + u16(0x8022) + u32(NULLH) + b2(b''))),
    ('digest: PolicyTicket (trial)', digest_after('d', 0x172, lambda t: b2(bytes(8)) + b2(b'') + b2(b'rr') + b2(u32(OWNER)) + u16(0x8023) + u32(OWNER) + b2(bytes(32)))),
    ('digest: define NV for PolicyNV', raw(cmd(S, 0x12A, u32(OWNER) + pw(b'') + b2(b'') + b2(u32(0x01500982) + u16(SHA256) + u32(0x00060006 | 0x02000000) + b2(b'') + u16(34))))),
    ('digest: write it', raw(cmd(S, 0x137, u32(OWNER) + u32(0x01500982) + pw(b'') + b2(u16(SHA256) + bytes(32)) + u16(0)))),
    ('digest: PolicyNV', digest_after('d', 0x149, lambda t: b2(b'\x00\x0b') + u16(0) + u16(0), auth=OWNER, nv=0x01500982)),
    ('digest: PolicyAuthorizeNV (trial)', digest_after('d', 0x192, lambda t: b'', auth=OWNER, nv=0x01500982)),
    ('digest: flush the trial session', flush('d')),
    # audit digests: the same audited commands give the same digests on both TPMs
    ('=audit: GetCapability(AUDIT_COMMANDS)', raw(cmd(NS, 0x17A, u32(4) + u32(0x11F) + u32(64)))),
    ('audit: audit session', start('ad')),
    ('audit: TestParms in the audit session', with_session('ad', 0x18A, [], u16(0x0025) + AES128CFB, attrs=0x81)),
    ('audit: TestParms again', with_session('ad', 0x18A, [], u16(0x0025) + AES128CFB, attrs=0x81)),
    ('audit: session digest (NULL signer) equal', lambda t: (lambda r: rc_of(r) or prefix(attested(r)[3:]))(t.x(cmd(S, 0x14D, u32(ENDORSE) + u32(NULLH) + u32(t.h['ad']) + pw(b'', b'') + b2(b'') + u16(NULLALG))))),
    ('audit: exclusive flag equal', lambda t: (lambda r: rc_of(r) or 0x100 | attested(r)[0])(t.x(cmd(S, 0x14D, u32(ENDORSE) + u32(NULLH) + u32(t.h['ad']) + pw(b'', b'') + b2(b'') + u16(NULLALG))))),
    ('audit: flush', flush('ad')),
    ('audit: NULL signer: qualifiedSigner equal', lambda t: (lambda r: rc_of(r) or prefix(r[16 + 6:16 + 12]))(t.x(cmd(S, 0x133, u32(ENDORSE) + u32(NULLH) + pw(b'', b'') + b2(b'') + u16(NULLALG))))),
    ('audit: command audit with SHA-256', raw(cmd(S, 0x140, u32(OWNER) + pw(b'') + u16(SHA256) + u32(0) + u32(0)))),
    ('audit: audit TestParms', raw(cmd(S, 0x140, u32(OWNER) + pw(b'') + u16(NULLALG) + u32(1) + u32(0x18A) + u32(0)))),
    ('audit: a signed GetCommandAuditDigest restarts the digest', lambda t: t.rc(cmd(S, 0x133, u32(ENDORSE) + u32(keyh(t, 'ak')) + pw(b'', b'') + b2(b'') + u16(NULLALG)))),
    ('audit: TestParms', raw(cmd(NS, 0x18A, u16(0x0025) + AES128CFB))),
    ('audit: TestParms 2', raw(cmd(NS, 0x18A, u16(0x0025) + AES128CFB))),
    ('audit: command audit digest equal', lambda t: (lambda r: rc_of(r) or prefix(attested(r)[8 + 2 + 2:]))(t.x(cmd(S, 0x133, u32(ENDORSE) + u32(NULLH) + pw(b'', b'') + b2(b'') + u16(NULLALG))))),
    ('audit: TestParms 3', raw(cmd(NS, 0x18A, u16(0x0025) + AES128CFB))),
    ('audit: an unsigned read did not restart it', lambda t: (lambda r: rc_of(r) or prefix(attested(r)[8 + 2 + 2:]))(t.x(cmd(S, 0x133, u32(ENDORSE) + u32(NULLH) + pw(b'', b'') + b2(b'') + u16(NULLALG))))),
    ('audit: command digest (audited codes) equal', lambda t: (lambda r: rc_of(r) or prefix(attested(r)[8 + 2 + 2 + 32 + 2:]))(t.x(cmd(S, 0x133, u32(ENDORSE) + u32(NULLH) + pw(b'', b'') + b2(b'') + u16(NULLALG))))),
    ('attested: Quote, NULL signer, ECDSA-SHA256 inScheme (refused)', lambda t: (lambda r: rc_of(r) or prefix(hashlib.sha256(attested(r)).digest()))(t.x(cmd(S, 0x158, u32(NULLH) + pw(b'') + b2(b'') + u16(0x18) + u16(SHA256) + u32(1) + u16(SHA256) + b'\x03\x01\x00\x01')))),
    ('attested: Quote, NULL signer, NULL inScheme (refused)', lambda t: (lambda r: rc_of(r) or prefix(hashlib.sha256(attested(r)).digest()))(t.x(cmd(S, 0x158, u32(NULLH) + pw(b'') + b2(b'') + u16(NULLALG) + u32(1) + u16(SHA256) + b'\x03\x01\x00\x01')))),
    ('attested: NV_Certify, NULL signer: same TPMS_NV_CERTIFY_INFO', lambda t: (lambda r: rc_of(r) or prefix(hashlib.sha256(attested(r)).digest()))(t.x(cmd(S, 0x184, u32(NULLH) + u32(0x01500990) + u32(0x01500990) + pw(b'', b'') + b2(b'') + u16(NULLALG) + u16(4) + u16(2))))),
    ('attested: GetTime qualifyingData is extraData', lambda t: (lambda r: rc_of(r) or prefix(hashlib.sha256(r[16 + 12:16 + 12 + 2 + 5]).digest()))(t.x(cmd(S, 0x14C, u32(ENDORSE) + u32(NULLH) + pw(b'', b'') + b2(b'hello') + u16(NULLALG))))),
    ('audit: stop auditing TestParms', raw(cmd(S, 0x140, u32(OWNER) + pw(b'') + u16(NULLALG) + u32(0) + u32(1) + u32(0x18A)))),
    # real HMACs: bound and unbound sessions, XOR parameter obfuscation both ways
    ('hmac: owner auth "own"', raw(cmd(S, 0x129, u32(OWNER) + pw(b'') + b2(b'own')))),
    ('hmac: session bound to the owner', start_bound('b', OWNER, b'own')),
    ('hmac: bound, bind entity, authValue left out', hmac_cmd('b', 0x130, [(OWNER, None)], b'\x00', None)),
    ('hmac: bound, bind entity, authValue wrongly in', hmac_cmd('b', 0x130, [(OWNER, None)], b'\x00', b'own')),
    ('hmac: unbound session', start_bound('u', NULLH, b'')),
    ('hmac: unbound, owner authValue in the key', hmac_cmd('u', 0x130, [(OWNER, None)], b'\x00', b'own')),
    ('hmac: unbound, wrong authValue', hmac_cmd('u', 0x130, [(OWNER, None)], b'\x00', b'own2')),
    ('hmac: define NV', raw(cmd(S, 0x12A, u32(OWNER) + pw(b'own') + b2(b'') + b2(u32(0x01500980) + u16(SHA256) + u32(0x00060006) + b2(b'') + u16(8))))),
    ('hmac: NV_Write, data XOR-obfuscated', hmac_cmd('u', 0x137, [(OWNER, None), (0x01500980, lambda t: nv_name(t, 0x01500980))], b2(b'secret!!') + u16(0), b'own', decrypt=True)),
    ('hmac: NV_Read by password returns the plaintext', lambda t: 0 if t.x(cmd(S, 0x14E, u32(OWNER) + u32(0x01500980) + pw(b'own') + u16(8) + u16(0)))[16:24] == b'secret!!' else 0xBAD1),
    ('hmac: NV_Read, response XOR-obfuscated', hmac_cmd('u', 0x14E, [(OWNER, None), (0x01500980, lambda t: nv_name(t, 0x01500980))], u16(8) + u16(0), b'own', encrypt=True)),
    ('hmac: ... which deobfuscates to the data', lambda t: 0 if getattr(t, 'last', b'') == b'secret!!' else 0xBAD1),
    ('hmac: HierarchyChangeAuth answers under the new authValue', hmac_cmd('u', 0x129, [(OWNER, None)], b2(b'own2'), b'own', rsp_auth=b'own2')),
    ('hmac: the bound session is no longer bound (auth changed)', hmac_cmd('b', 0x130, [(OWNER, None)], b'\x00', b'own2')),
    ('hmac: flush b, u', lambda t: max(flush('b')(t), flush('u')(t))),
    ('hmac: define NV 2', raw(cmd(S, 0x12A, u32(OWNER) + pw(b'own2') + b2(b'') + b2(u32(0x01500981) + u16(SHA256) + u32(0x00060006) + b2(b'') + u16(8))))),
    ('hmac: bound to the owner again', start_bound('b2', OWNER, b'own2')),
    ('hmac: bound, bind entity: HMAC without, XOR key with the authValue', hmac_cmd('b2', 0x137, [(OWNER, None), (0x01500981, lambda t: nv_name(t, 0x01500981))], b2(b'bound-ok') + u16(0), None, decrypt=True, enc_auth=b'own2')),
    ('hmac: ... NV holds the plaintext', lambda t: 0 if t.x(cmd(S, 0x14E, u32(OWNER) + u32(0x01500981) + pw(b'own2') + u16(8) + u16(0)))[16:24] == b'bound-ok' else 0xBAD1),
    ('hmac: owner policy PolicyCommandCode(NV_Write)', lambda t: t.rc(cmd(S, 0x12E, u32(OWNER) + pw(b'own2') + b2(policy_digest_cc(0x137)) + u16(SHA256)))),
    ('hmac: policy session with XOR', lambda t: start('px', typ=1, sym=u16(0x000A) + u16(SHA256))(t) or t.__setattr__('skey', dict(getattr(t, 'skey', {}), px=b'')) or 0),
    ('hmac: PolicyCommandCode(NV_Write)', on_session('px', 0x16C, lambda t: u32(0x137))),
    ('hmac: policy session: XOR key with the authValue', hmac_cmd('px', 0x137, [(OWNER, None), (0x01500981, lambda t: nv_name(t, 0x01500981))], b2(b'policyok') + u16(0), None, decrypt=True, enc_auth=b'own2')),
    ('hmac: ... NV holds that plaintext', lambda t: 0 if t.x(cmd(S, 0x14E, u32(OWNER) + u32(0x01500981) + pw(b'own2') + u16(8) + u16(0)))[16:24] == b'policyok' else 0xBAD1),
    ('hmac: owner policy off', lambda t: t.rc(cmd(S, 0x12E, u32(OWNER) + pw(b'own2') + b2(b'') + u16(NULLALG)))),
    ('hmac: flush b2, px', lambda t: max(flush('b2')(t), flush('px')(t))),
    ('hmac: owner auth back to empty', raw(cmd(S, 0x129, u32(OWNER) + pw(b'own2') + b2(b'')))),
    # RSA-salted session (OAEP "SECRET" computed here), real HMACs and XOR both ways
    ('salt: flush h', flush('h')),
    ('salt: flush two keys', lambda t: max(t.rc(cmd(NS, 0x165, u32(t.keys['ek_ecc']))), t.rc(cmd(NS, 0x165, u32(t.keys['sk']))))),
    ('salt: RSA-2048 storage key', create_rsa_storage('srk')),
    ('salt: RSA-salted session', start_rsa_salted('rs', 'srk')),
    ('salt: ClockRateAdjust with HMAC keyed from the salt', hmac_cmd('rs', 0x130, [(OWNER, None)], b'\x00', b'')),
    ('salt: NV_Read through it, XOR-obfuscated response', hmac_cmd('rs', 0x14E, [(OWNER, None), (0x01500990, lambda t: nv_name(t, 0x01500990))], u16(8) + u16(0), b'', encrypt=True)),
    ('salt: ... deobfuscates to the data', lambda t: 0 if getattr(t, 'last', b'') == b'12345678' else 0xBAD1),
    ('salt: a salt for another key (garbage) -> VALUE', start('x', key='srk', salt=bytes(256))),
    ('salt: flush rs', flush('rs')),
    ('salt: start h again', start('h')),
    # contexts
    ('ctx: save the HMAC session', lambda t: t.__setattr__('blob', t.x(cmd(NS, 0x162, u32(t.h['h'])))[10:]) or 0),
    ('=ctx: GetCapability(HANDLES, loaded sessions)', raw(cmd(NS, 0x17A, u32(1) + u32(0x02000000) + u32(16)))),
    ('=ctx: GetCapability(HANDLES, saved sessions)', raw(cmd(NS, 0x17A, u32(1) + u32(0x03000000) + u32(16)))),
    ('ctx: the saved session in an authorization', with_session('h', 0x182, [16], u32(0))),
    ('ctx: flush... the saved session is listed as a handle', lambda t: 0),
    ('ctx: load it', lambda t: t.rc(cmd(NS, 0x161, t.blob))),
    ('ctx: load it again', lambda t: t.rc(cmd(NS, 0x161, t.blob))),
    ('ctx: load a corrupted blob', lambda t: t.rc(cmd(NS, 0x161, t.blob[:-1] + bytes([t.blob[-1] ^ 1])))),
    ('ctx: flush it', flush('h')),
    ('ctx: load after flush', lambda t: t.rc(cmd(NS, 0x161, t.blob))),
    ('start: 4 sessions', lambda t: max(start('s%d' % i)(t) for i in range(4))),
    ('resume: flush them', lambda t: max(flush('s%d' % i)(t) for i in range(4))),
    ('resume: a session', start('r')),
    ('resume: save it', lambda t: t.__setattr__('rblob', t.x(cmd(NS, 0x162, u32(t.h['r'])))[10:]) or 0),
    ('resume: Shutdown(STATE)', raw(cmd(NS, 0x145, u16(1)))),
    ('POWER', None),
    ('resume: Startup(STATE)', raw(cmd(NS, 0x144, u16(1)))),
    ('resume: load the saved session', lambda t: t.rc(cmd(NS, 0x161, t.rblob))),
]

# ---- the run (plumbing shared with tpm2_rc_vs_libtpms.py: tpm_pair.py) -----------------------

def compare(pa, ps):
    a, s = TPM(pa), TPM(ps)
    for name, step in cases:
        if name == 'POWER':         # _TPM_Init on both (swtpm control channel CMD_INIT)
            power(pa + 1); power(ps + 1)
            continue
        if name.startswith('='):     # the whole response must be the same bytes
            c = step.cmd
            ba, bs = a.x(c), s.x(c)
            ok = ba == bs
            print('%s - session rc vs libtpms: same response: %s%s'
                  % ('ok' if ok else 'not ok', name[1:],
                     '' if ok else ' anchor %s libtpms %s' % (ba.hex(), bs.hex())))
            continue
        ra, rs = step(a), step(s)
        if name in DELIBERATE:
            print('skip - session rc vs libtpms: %s (anchor 0x%03x, libtpms 0x%03x): %s'
                  % (name, ra, rs, DELIBERATE[name]))
        elif ra == rs:
            print('ok - session rc vs libtpms: %s (0x%03x)' % (name, ra))
        else:
            print('not ok - session rc vs libtpms: %s anchor 0x%03x, libtpms 0x%03x' % (name, ra, rs))

def main():
    return run_pair('session rc vs libtpms', ANCHOR_TPMD, compare)

if __name__ == '__main__':
    sys.exit(main())
