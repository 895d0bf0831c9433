#!/usr/bin/env python3
"""ecdaa_check.py PUB E SIG MSG: the TPMT_SIGNATURE (ECDAA, SHA-256) in SIG over SHA-256(MSG)
verifies for the P-256 key in PUB (TPM2B_PUBLIC, tpm2_readpublic -o) and the commitment
E = [r]G (TPM2B_ECC_POINT, tpm2_commit -u).  Exit 0 if it does."""
import hashlib, os, struct, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'unit'))
import p256

def tpm2b(b, off=0):
    n = struct.unpack('>H', b[off:off + 2])[0]
    return b[off + 2:off + 2 + n], off + 2 + n

def point(b):
    x, off = tpm2b(b)
    y, _ = tpm2b(b, off)
    return int.from_bytes(x, 'big'), int.from_bytes(y, 'big')

pub, e, sig, msg = (open(f, 'rb').read() for f in sys.argv[1:5])
q = point(tpm2b(pub)[0][-68:])
E = point(tpm2b(e)[0])
alg, hal = struct.unpack('>HH', sig[:4])
nk, off = tpm2b(sig, 4)
s, _ = tpm2b(sig, off)
ok = (alg == 0x001A and hal == 0x000B and p256.on_curve(q) and p256.on_curve(E) and
      p256.ecdaa_ok(nk, int.from_bytes(s, 'big'), hashlib.sha256(msg).digest(), p256.G, E, q))
print('ECDAA signature %s' % ('verified' if ok else 'WRONG'))
sys.exit(0 if ok else 1)
