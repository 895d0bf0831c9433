#!/usr/bin/env python3
"""Recomputes an LTPM's primary seeds as docs/anchoring.md specifies, independently of the C code.

    anchor_recompute.py UUID NAME ANCHOR_SECRET_HEX
prints config_digest, the HMAC input, and eps / pps / sps in hex (one "key=value" per line).
ANCHOR_SECRET_HEX is what the PTPM answered to TPM2_HMAC(pSK keyed-hash key, hmac_input).
"""
import hashlib
import hmac
import sys
import uuid as uuidlib


def identity(uuid, name):
    """cfg_identity_encode, version 2 (docs/config.md)."""
    u = uuidlib.UUID(uuid).bytes
    n = name.encode('ascii')
    return (b'ANCHORID' + (2).to_bytes(2, 'big') +
            b'\x01' + len(u).to_bytes(2, 'big') + u +
            b'\x02' + len(n).to_bytes(2, 'big') + n)


class HmacDrbg:
    """HMAC_DRBG with SHA-256 (NIST SP 800-90A 10.1.2), no reseed, no additional input."""

    def __init__(self, seed_material):
        self.k, self.v = b'\x00' * 32, b'\x01' * 32
        self._update(seed_material)

    def _h(self, key, data):
        return hmac.new(key, data, hashlib.sha256).digest()

    def _update(self, data):
        self.k = self._h(self.k, self.v + b'\x00' + data)
        self.v = self._h(self.k, self.v)
        if data:
            self.k = self._h(self.k, self.v + b'\x01' + data)
            self.v = self._h(self.k, self.v)

    def generate(self, n):
        out = b''
        while len(out) < n:
            self.v = self._h(self.k, self.v)
            out += self.v
        self._update(b'')
        return out[:n]


def main():
    uuid, name, secret = sys.argv[1], sys.argv[2], bytes.fromhex(sys.argv[3])
    config_digest = hashlib.sha256(identity(uuid, name)).digest()
    seed = hashlib.sha256(config_digest + secret).digest()
    drbg = HmacDrbg(seed + b'Anchor LTPM primary seeds v1')
    print('config_digest=' + config_digest.hex())
    print('hmac_input=' + (b'ANCHOR-VEK-V1' + config_digest).hex())
    for s in ('eps', 'pps', 'sps'):
        print(s + '=' + drbg.generate(64).hex())


if __name__ == '__main__':
    main()
