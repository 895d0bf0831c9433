"""NIST P-256 in affine coordinates for the tests (verifying ECDAA signatures and commitments
made by the TPMs under test): point addition, scalar multiplication, the on-curve check and
the ECDAA verification equation.  Not constant time; test data only."""
import hashlib

P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffff
N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551
B = 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b
G = (0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296,
     0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5)

def add(a, b):
    if a is None: return b
    if b is None: return a
    if a[0] == b[0] and (a[1] + b[1]) % P == 0: return None
    if a == b:
        l = (3 * a[0] * a[0] - 3) * pow(2 * a[1], -1, P) % P
    else:
        l = (b[1] - a[1]) * pow(b[0] - a[0], -1, P) % P
    x = (l * l - a[0] - b[0]) % P
    return (x, (l * (a[0] - x) - a[1]) % P)

def mul(k, pt):
    r = None
    while k:
        if k & 1: r = add(r, pt)
        pt = add(pt, pt)
        k >>= 1
    return r

def on_curve(pt):
    x, y = pt
    return (y * y - (x * x * x - 3 * x + B)) % P == 0

def ecdaa_ok(nonce_k, s, digest, base, commit_pt, key_pt):
    """The ECDAA equation [s]base == commit + [T]key with T = SHA-256(nonceK || digest) mod n:
    base G with commit E = [r]G and key Q, or base P2 with commit L = [r]P2 and key K = [d]P2."""
    t = int.from_bytes(hashlib.sha256(nonce_k + digest).digest(), 'big') % N
    return mul(s, base) == add(commit_pt, mul(t, key_pt))
