#!/usr/bin/env python3
"""Security properties of the engine against libtpms (swtpm) in the same run (issue 8, items 1-3).

Both TPMs get the same commands; a case is `ok` when anchor-tpmd answers what libtpms answers
AND what the property demands (the expected value is asserted, not only the agreement):

  forged quote   a hash sequence whose message starts with TPM_GENERATED_VALUE, split across
                 SequenceUpdate/SequenceComplete in every way (1+3, 0+1+3, 2+2, ...), gets a
                 NULL ticket, and a restricted ECDSA key refuses to sign it (TPM_RC_TICKET).
  DA and Clock   3 wrong passwords lock the TPM out; ClockSet(+3000 s) does not end the lockout,
                 nor the lockoutAuth block (self-healing runs on time, not on Clock).
  contexts       object contexts saved before Clear / ChangeEPS / ChangePPS no longer load
                 (TPM_RC_INTEGRITY), while the other hierarchies' contexts still do.

Where anchor is deliberately more permissive than libtpms (a benign message split so that the
first update is shorter than 4 bytes: anchor judges the message's first 4 bytes and issues a
ticket; libtpms gives a NULL ticket whenever the first update is short), the line says so and
asserts anchor's answer.
"""
import hashlib, os, struct, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tpm_pair import u8, u16, u32, u64, b2, cmd, rc_of, NS, S, pw, RetryConn as TPM, run_pair

ANCHOR_TPMD = sys.argv[1] if len(sys.argv) > 1 else os.environ.get('ANCHOR_TPMD', 'build/sim/anchor-tpmd')

OWNER, LOCKOUT, ENDORSE, PLATFORM, NULLH = 0x40000001, 0x4000000A, 0x4000000B, 0x4000000C, 0x40000007
SHA256, NULLALG = 0x000B, 0x0010
ST_HASHCHECK = 0x8024
RC_TICKET_P3 = 0x3E0          # TPM_RC_TICKET + P + 3 (Sign's validation)
RC_LOCKOUT = 0x921
RC_AUTH_FAIL_S1 = 0x98E
RC_INTEGRITY_P1 = 0x1DF       # TPM_RC_INTEGRITY + P + 1 (ContextLoad's context)

failures = 0
def report(ok, name, detail=''):
    global failures
    if not ok:
        failures += 1
    print('%s - security vs libtpms: %s%s' % ('ok' if ok else 'not ok', name,
                                              (' ' + detail) if detail else ''))

def same(name, ra, rs, want):
    """ok when both TPMs answer `want` (rc or tuple)."""
    report(ra == want and rs == want, name,
           '' if ra == want and rs == want else 'anchor %r, libtpms %r, want %r' % (ra, rs, want))

# ---- keys ------------------------------------------------------------------------------------

def primary(t, hier, restricted, auth=b''):
    """CreatePrimary ECC P-256 ECDSA-SHA256 signing key; returns (rc, handle)."""
    attrs = 0x00040072 | (0x00010000 if restricted else 0)
    pub = (u16(0x0023) + u16(SHA256) + u32(attrs) + b2(b'') + u16(NULLALG) +
           u16(0x0018) + u16(SHA256) + u16(0x0003) + u16(NULLALG) + b2(b'') + b2(b''))
    r = t.x(cmd(S, 0x131, u32(hier) + pw(b'') + b2(b2(auth) + b2(b'')) + b2(pub) + b2(b'') + u32(0)))
    return rc_of(r), (struct.unpack('>I', r[10:14])[0] if rc_of(r) == 0 else 0)

def flush(t, h):
    return t.rc(cmd(NS, 0x165, u32(h)))

def sign(t, key, digest, ticket=(ST_HASHCHECK, NULLH, b''), auth=b''):
    tag, hier, d = ticket
    return t.rc(cmd(S, 0x15D, u32(key) + pw(auth) + b2(digest) + u16(NULLALG) +
                    u16(tag) + u32(hier) + b2(d)))

# ---- item 1: forged attestation through hash sequences ---------------------------------------

def fake_attest():
    """A TPMS_ATTEST of a quote the TPM never made: TPM_GENERATED_VALUE, TPM_ST_ATTEST_QUOTE,
    a signer name, a nonce, clock info, firmware version, a PCR selection and digest."""
    return (u32(0xFF544347) + u16(0x8018) + b2(u16(SHA256) + b'\x42' * 32) + b2(b'nonce') +
            u64(123456) + u32(1) + u32(0) + u8(1) + u64(0x2023) +
            u32(1) + u16(SHA256) + u8(3) + b'\x01\x00\x00' + b2(hashlib.sha256(b'pcrs').digest()))

def sequence(t, updates, last, hier=OWNER):
    """HashSequenceStart(SHA-256), SequenceUpdate for each chunk, SequenceComplete(last, hier).
    Returns (rc, digest, (tag, hierarchy, ticket digest))."""
    r = t.x(cmd(NS, 0x186, b2(b'') + u16(SHA256)))
    if rc_of(r):
        return rc_of(r), None, None
    seq = struct.unpack('>I', r[10:14])[0]
    for chunk in updates:
        rc = t.rc(cmd(S, 0x15C, u32(seq) + pw(b'') + b2(chunk)))
        if rc:
            flush(t, seq)
            return rc, None, None
    r = t.x(cmd(S, 0x13E, u32(seq) + pw(b'') + b2(last) + u32(hier)))
    if rc_of(r):
        flush(t, seq)
        return rc_of(r), None, None
    p = r[14:]
    n = struct.unpack('>H', p[:2])[0]
    digest, p = p[2:2 + n], p[2 + n:]
    tag, th, tn = struct.unpack('>HIH', p[:8])
    return 0, digest, (tag, th, p[8:8 + tn])

def hash_cmd(t, data, hier=OWNER):
    r = t.x(cmd(NS, 0x17D, b2(data) + u16(SHA256) + u32(hier)))
    p = r[10:]
    n = struct.unpack('>H', p[:2])[0]
    digest, p = p[2:2 + n], p[2 + n:]
    tag, th, tn = struct.unpack('>HIH', p[:8])
    return digest, (tag, th, p[8:8 + tn])

def splits(m):
    """(label, updates, last): the same message cut in every way that matters for its first 4
    bytes."""
    return [
        ('1+3 (the reproduction)', [m[:1]], m[1:]),
        ('0+1+3', [b'', m[:1]], m[1:]),
        ('2+2', [m[:2]], m[2:]),
        ('3+1', [m[:3]], m[3:]),
        ('1+1+1+1', [m[:1], m[1:2], m[2:3]], m[3:]),
        ('1+1+2, then 0', [m[:1], m[1:2], m[2:]], b''),
        ('4+rest', [m[:4]], m[4:]),
        ('whole message in SequenceComplete', [], m),
        ('whole message in one update', [m], b''),
    ]

def forged_quote(pa, ps):
    a, s = TPM(pa), TPM(ps)
    m = fake_attest()
    ka, ks = primary(a, OWNER, True), primary(s, OWNER, True)
    same('restricted ECDSA signing key (attestation key)', (ka[0],), (ks[0],), (0,))
    for label, updates, last in splits(m):
        out = []
        for t, key in ((a, ka[1]), (s, ks[1])):
            rc, digest, tk = sequence(t, updates, last)
            if rc:
                out.append(('sequence rc 0x%x' % rc,))
                continue
            ok_digest = digest == hashlib.sha256(m).digest()
            out.append((ok_digest, 'NULL ticket' if tk[1] == NULLH else 'ticket 0x%x' % tk[1],
                        sign(t, key, digest, tk)))
        same('forged TPMS_ATTEST split %s: NULL ticket, Sign -> TICKET+P3' % label,
             out[0], out[1], (True, 'NULL ticket', RC_TICKET_P3))
    da, dsv = hash_cmd(a, m), hash_cmd(s, m)
    same('forged TPMS_ATTEST through TPM2_Hash: NULL ticket, Sign -> TICKET+P3',
         (da[1][1], sign(a, ka[1], da[0], da[1])), (dsv[1][1], sign(s, ks[1], dsv[0], dsv[1])),
         (NULLH, RC_TICKET_P3))
    # Controls: data that does not pose as TPM-generated keeps its ticket and is signed.
    b = b'plain data, not an attestation structure'
    ra = sequence(a, [b[:10]], b[10:]); rs = sequence(s, [b[:10]], b[10:])
    same('benign message 10+rest: owner ticket, Sign succeeds',
         (ra[2][1], sign(a, ka[1], ra[1], ra[2])), (rs[2][1], sign(s, ks[1], rs[1], rs[2])),
         (OWNER, 0))
    ra = sequence(a, [b[:2]], b[2:]); rs = sequence(s, [b[:2]], b[2:])
    got_a = (ra[2][1], sign(a, ka[1], ra[1], ra[2]))
    got_s = (rs[2][1], sign(s, ks[1], rs[1], rs[2]))
    report(got_a == (OWNER, 0), 'benign message 2+2: anchor judges the first 4 bytes, owner '
           'ticket, Sign succeeds (deliberate: libtpms answers ticket 0x%x, Sign 0x%x, as it '
           'refuses any first update shorter than 4 bytes)' % got_s,
           '' if got_a == (OWNER, 0) else 'anchor %r' % (got_a,))
    flush(a, ka[1]); flush(s, ks[1])

# ---- item 2: dictionary-attack lockout and ClockSet ------------------------------------------

def read_clock(t):
    r = t.x(cmd(NS, 0x181))
    return struct.unpack('>Q', r[18:26])[0]

def clock_set(t, ms):
    return t.rc(cmd(S, 0x128, u32(OWNER) + pw(b'') + u64(ms)))

def da_clockset(pa, ps):
    a, s = TPM(pa), TPM(ps)
    tpms = (a, s)
    same('DictionaryAttackParameters(maxTries 3, recovery 1000 s, lockoutRecovery 1000 s)',
         *[t.rc(cmd(S, 0x13A, u32(LOCKOUT) + pw(b'') + u32(3) + u32(1000) + u32(1000))) for t in tpms],
         0)
    keys = [primary(t, OWNER, False, b'secret') for t in tpms]
    same('DA-protected key with authValue "secret"', keys[0][0], keys[1][0], 0)
    digest = hashlib.sha256(b'x').digest()
    for i in range(3):
        same('wrong password %d -> AUTH_FAIL' % (i + 1),
             *[sign(t, k[1], digest, auth=b'guess%d' % i) for t, k in zip(tpms, keys)],
             RC_AUTH_FAIL_S1)
    same('4th attempt -> LOCKOUT', *[sign(t, k[1], digest, auth=b'guess') for t, k in zip(tpms, keys)],
         RC_LOCKOUT)
    same('ClockSet(Clock + 3000 s) with owner auth',
         *[clock_set(t, read_clock(t) + 3000 * 1000) for t in tpms], 0)
    same('after ClockSet: a wrong password is still LOCKOUT',
         *[sign(t, k[1], digest, auth=b'guess') for t, k in zip(tpms, keys)], RC_LOCKOUT)
    same('after ClockSet: the right password is still LOCKOUT',
         *[sign(t, k[1], digest, auth=b'secret') for t, k in zip(tpms, keys)], RC_LOCKOUT)
    # lockoutAuth: one failure blocks it for lockoutRecovery; Clock does not unblock it either.
    same('DictionaryAttackLockReset with a wrong lockoutAuth -> AUTH_FAIL',
         *[t.rc(cmd(S, 0x139, u32(LOCKOUT) + pw(b'wrong'))) for t in tpms], RC_AUTH_FAIL_S1)
    same('lockoutAuth blocked -> LOCKOUT',
         *[t.rc(cmd(S, 0x139, u32(LOCKOUT) + pw(b''))) for t in tpms], RC_LOCKOUT)
    same('ClockSet(Clock + 2000 s)', *[clock_set(t, read_clock(t) + 2000 * 1000) for t in tpms], 0)
    same('after ClockSet: lockoutAuth still blocked -> LOCKOUT',
         *[t.rc(cmd(S, 0x139, u32(LOCKOUT) + pw(b''))) for t in tpms], RC_LOCKOUT)

# ---- item 3: contexts across Clear / ChangeEPS / ChangePPS -----------------------------------

def save(t, h):
    r = t.x(cmd(NS, 0x162, u32(h)))
    return r[10:] if rc_of(r) == 0 else None

def load_rc(t, blob):
    r = t.x(cmd(NS, 0x161, blob))
    if rc_of(r) == 0:
        flush(t, struct.unpack('>I', r[10:14])[0])
    return rc_of(r)

def contexts(pa, ps):
    a, s = TPM(pa), TPM(ps)
    blobs = {}
    for name, hier in (('owner', OWNER), ('endorsement', ENDORSE), ('platform', PLATFORM)):
        for t in (a, s):
            rc, h = primary(t, hier, False)
            blobs[(name, t)] = save(t, h) if rc == 0 else None
            flush(t, h)
        same('%s key: created and context-saved' % name,
             blobs[(name, a)] is not None, blobs[(name, s)] is not None, True)
    def loads(what, want):
        for name in ('owner', 'endorsement', 'platform'):
            same('after %s: %s context -> %s' % (what, name, 'loads' if want[name] == 0 else
                                                   'INTEGRITY+P1'),
                 load_rc(a, blobs[(name, a)]), load_rc(s, blobs[(name, s)]), want[name])
    loads('nothing', {'owner': 0, 'endorsement': 0, 'platform': 0})
    same('ChangePPS', *[t.rc(cmd(S, 0x125, u32(PLATFORM) + pw(b''))) for t in (a, s)], 0)
    loads('ChangePPS', {'owner': 0, 'endorsement': 0, 'platform': RC_INTEGRITY_P1})
    same('ChangeEPS', *[t.rc(cmd(S, 0x124, u32(PLATFORM) + pw(b''))) for t in (a, s)], 0)
    loads('ChangeEPS', {'owner': 0, 'endorsement': RC_INTEGRITY_P1, 'platform': RC_INTEGRITY_P1})
    same('Clear', *[t.rc(cmd(S, 0x126, u32(LOCKOUT) + pw(b''))) for t in (a, s)], 0)
    loads('Clear', {'owner': RC_INTEGRITY_P1, 'endorsement': RC_INTEGRITY_P1,
                    'platform': RC_INTEGRITY_P1})

def main():
    rc = 0
    for label, body in (('forged quote', forged_quote), ('DA and ClockSet', da_clockset),
                        ('contexts', contexts)):
        rc |= run_pair('security vs libtpms: ' + label, ANCHOR_TPMD, body)
    return 1 if failures or rc else 0

if __name__ == '__main__':
    sys.exit(main())
