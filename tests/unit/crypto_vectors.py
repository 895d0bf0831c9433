#!/usr/bin/python3
"""Generates known-answer vectors for tests/unit/crypto_unit.c (a C header on stdout).

Expected values come from sources independent of vtpm/crypto: Python's hashlib/hmac, small
reference implementations of KDFa/KDFe/HMAC_DRBG written here from the specifications
(TPM 2.0 Part 1 §11.4.10, SP 800-90A §10.1.2), and the `openssl` command line for AES, RSA and
ECC (fresh keys on every build, so the tests are not tuned to one key)."""
import hashlib, hmac, os, re, subprocess, sys, tempfile

HASHES = {0x0004: 'sha1', 0x000B: 'sha256', 0x000C: 'sha384', 0x000D: 'sha512'}
out = []


def carr(name, data):
    body = ', '.join('0x%02x' % b for b in data) or '0'
    out.append('static const uint8_t %s[] = { %s };' % (name, body))
    out.append('#define %s_len %d' % (name, len(data)))


def cstr(b):
    return '"' + ''.join('\\x%02x' % c for c in b) + '"'


def pattern(n, seed=1):
    return bytes((i * 131 + seed * 17 + (i >> 8)) & 0xFF for i in range(n))


def openssl(*args, inp=None):
    return subprocess.run(['openssl'] + list(args), input=inp, check=True,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE).stdout


# ---- hashes and HMAC ----
def emit_hash_vectors():
    rows = []
    msgs = [b'', b'abc', pattern(1000)]
    for alg, name in HASHES.items():
        for m in msgs:
            rows.append('{ 0x%04x, %s, %d, %s }' % (alg, cstr(m), len(m),
                                                    cstr(hashlib.new(name, m).digest())))
    out.append('static const struct hash_kat hash_kats[] = {\n\t%s\n};' % ',\n\t'.join(rows))
    rows = []
    for alg, name in HASHES.items():
        for klen in (0, 20, 64, 200):
            k = pattern(klen, 3)
            m = pattern(77, 5)
            rows.append('{ 0x%04x, %s, %d, %s, %d, %s }' % (
                alg, cstr(k), klen, cstr(m), len(m), cstr(hmac.new(k, m, name).digest())))
    out.append('static const struct hmac_kat hmac_kats[] = {\n\t%s\n};' % ',\n\t'.join(rows))


# ---- KDFa / KDFe (reference implementations from TPM 2.0 Part 1 §11.4.10) ----
def label_bytes(label):
    return label if (not label or label.endswith(b'\0')) else label + b'\0'


def kdfa(name, key, label, cu, cv, bits):
    out_len, res, i = (bits + 7) // 8, b'', 1
    while len(res) < out_len:
        res += hmac.new(key, i.to_bytes(4, 'big') + label_bytes(label) + cu + cv +
                        bits.to_bytes(4, 'big'), name).digest()
        i += 1
    res = bytearray(res[:out_len])
    if bits % 8:
        res[0] &= (1 << (bits % 8)) - 1
    return bytes(res)


def kdfe(name, z, label, pu, pv, bits):
    out_len, res, i = (bits + 7) // 8, b'', 1
    while len(res) < out_len:
        res += hashlib.new(name, i.to_bytes(4, 'big') + z + label_bytes(label) + pu + pv).digest()
        i += 1
    res = bytearray(res[:out_len])
    if bits % 8:
        res[0] &= (1 << (bits % 8)) - 1
    return bytes(res)


def emit_kdf_vectors():
    rows_a, rows_e = [], []
    cases = [(b'STORAGE', 128), (b'INTEGRITY\0', 256), (b'', 1000), (b'CFB', 2047),
             (b'DUPLICATE', 8)]
    for alg, name in HASHES.items():
        for label, bits in cases:
            key, cu, cv = pattern(32, alg), pattern(16, 7), pattern(20, 9)
            rows_a.append('{ 0x%04x, %s, %d, %s, %d, %s, %d, %s, %d, %d, %s }' % (
                alg, cstr(key), len(key), cstr(label), len(label), cstr(cu), len(cu),
                cstr(cv), len(cv), bits, cstr(kdfa(name, key, label, cu, cv, bits))))
            rows_e.append('{ 0x%04x, %s, %d, %s, %d, %s, %d, %s, %d, %d, %s }' % (
                alg, cstr(key), len(key), cstr(label), len(label), cstr(cu), len(cu),
                cstr(cv), len(cv), bits, cstr(kdfe(name, key, label, cu, cv, bits))))
    out.append('static const struct kdf_kat kdfa_kats[] = {\n\t%s\n};' % ',\n\t'.join(rows_a))
    out.append('static const struct kdf_kat kdfe_kats[] = {\n\t%s\n};' % ',\n\t'.join(rows_e))
    # MGF1 (PKCS#1 B.2.1)
    seed = pattern(32, 11)
    mask = b''.join(hashlib.sha256(seed + i.to_bytes(4, 'big')).digest() for i in range(4))[:100]
    carr('mgf1_seed', seed)
    carr('mgf1_sha256_100', mask)


# ---- HMAC_DRBG (SP 800-90A §10.1.2) ----
class HmacDrbg:
    def __init__(self, name, seed):
        self.name = name
        n = hashlib.new(name).digest_size
        self.K, self.V = b'\0' * n, b'\1' * n
        self.update(seed)

    def hm(self, k, d):
        return hmac.new(k, d, self.name).digest()

    def update(self, data):
        self.K = self.hm(self.K, self.V + b'\0' + data)
        self.V = self.hm(self.K, self.V)
        if data:
            self.K = self.hm(self.K, self.V + b'\1' + data)
            self.V = self.hm(self.K, self.V)

    def generate(self, n):
        res = b''
        while len(res) < n:
            self.V = self.hm(self.K, self.V)
            res += self.V
        self.update(b'')
        return res[:n]


def emit_drbg_vectors():
    seed, pers, extra = pattern(48, 21), b'personalisation', pattern(32, 23)
    carr('drbg_seed', seed)
    carr('drbg_pers', pers)
    carr('drbg_extra', extra)
    for alg, name in ((0x000B, 'sha256'), (0x000C, 'sha384'), (0x0004, 'sha1')):
        d = HmacDrbg(name, seed + pers)
        a = d.generate(70)
        b = d.generate(33)
        d.update(extra)
        c = d.generate(64)
        carr('drbg_%s_out' % name, a + b + c)


# ---- AES via openssl enc ----
def emit_aes_vectors(tmp):
    rows = []
    modes = [('cfb', 0x0043), ('cbc', 0x0042), ('ctr', 0x0040), ('ofb', 0x0041), ('ecb', 0x0044)]
    for klen in (16, 24, 32):
        for mname, mid in modes:
            for n in (64, 37):
                if mname in ('cbc', 'ecb') and n % 16:
                    continue
                key, iv, pt = pattern(klen, klen), pattern(16, 41), pattern(n, 43)
                args = ['enc', '-aes-%d-%s' % (klen * 8, mname), '-K', key.hex(), '-nopad']
                if mname != 'ecb':
                    args += ['-iv', iv.hex()]
                ct = openssl(*args, inp=pt)
                rows.append('{ 0x%04x, %s, %d, %s, %s, %s, %d }' % (
                    mid, cstr(key), klen, cstr(iv), cstr(pt), cstr(ct), n))
    out.append('static const struct aes_kat aes_kats[] = {\n\t%s\n};' % ',\n\t'.join(rows))


# ---- RSA via openssl ----
def text_fields(text):
    fields, cur = {}, None
    for line in text.splitlines():
        m = re.match(r'^(\w+):\s*(.*)$', line)
        if m and not line.startswith(' '):
            cur = m.group(1)
            fields[cur] = m.group(2).strip()
        elif cur and line.startswith(' '):
            fields[cur] += line.strip()
    return fields


def hexfield(s):
    return bytes.fromhex(s.replace(':', '').strip()).lstrip(b'\0')


def emit_rsa_vectors(tmp):
    key = os.path.join(tmp, 'rsa.pem')
    openssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', key)
    f = text_fields(openssl('pkey', '-in', key, '-text', '-noout').decode())
    n, p, q = hexfield(f['modulus']), hexfield(f['prime1']), hexfield(f['prime2'])
    d = hexfield(f['privateExponent'])
    carr('rsa_n', n)
    carr('rsa_p', p)
    carr('rsa_q', q)
    carr('rsa_d', d)
    msg = b'message to sign'
    digest = hashlib.sha256(msg).digest()
    carr('rsa_digest', digest)
    dg = os.path.join(tmp, 'dg')
    open(dg, 'wb').write(digest)
    carr('rsa_sig_pkcs1', openssl('pkeyutl', '-sign', '-inkey', key, '-in', dg,
                                  '-pkeyopt', 'digest:sha256'))
    carr('rsa_sig_pss', openssl('pkeyutl', '-sign', '-inkey', key, '-in', dg,
                                '-pkeyopt', 'digest:sha256', '-pkeyopt', 'rsa_padding_mode:pss',
                                '-pkeyopt', 'rsa_pss_saltlen:32'))
    carr('rsa_sig_pss_salt0', openssl('pkeyutl', '-sign', '-inkey', key, '-in', dg,
                                      '-pkeyopt', 'digest:sha256', '-pkeyopt',
                                      'rsa_padding_mode:pss', '-pkeyopt', 'rsa_pss_saltlen:0'))
    secret = pattern(32, 51)
    carr('rsa_secret', secret)
    sf = os.path.join(tmp, 'secret')
    open(sf, 'wb').write(secret)
    label = b'SECRET\0'
    carr('rsa_oaep_label', label)
    carr('rsa_ct_oaep', openssl('pkeyutl', '-encrypt', '-inkey', key, '-in', sf,
                                '-pkeyopt', 'rsa_padding_mode:oaep', '-pkeyopt',
                                'rsa_oaep_md:sha256', '-pkeyopt', 'rsa_mgf1_md:sha256',
                                '-pkeyopt', 'rsa_oaep_label:' + label.hex()))
    carr('rsa_ct_pkcs1', openssl('pkeyutl', '-encrypt', '-inkey', key, '-in', sf,
                                 '-pkeyopt', 'rsa_padding_mode:pkcs1'))
    key3 = os.path.join(tmp, 'rsa3072.pem')
    openssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:3072', '-out', key3)
    f3 = text_fields(openssl('pkey', '-in', key3, '-text', '-noout').decode())
    carr('rsa3072_n', hexfield(f3['modulus']))
    carr('rsa3072_p', hexfield(f3['prime1']))
    carr('rsa3072_q', hexfield(f3['prime2']))
    carr('rsa3072_sig_pkcs1', openssl('pkeyutl', '-sign', '-inkey', key3, '-in', dg,
                                      '-pkeyopt', 'digest:sha256'))
    key4 = os.path.join(tmp, 'rsa4096.pem')
    openssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:4096', '-out', key4)
    f4 = text_fields(openssl('pkey', '-in', key4, '-text', '-noout').decode())
    carr('rsa4096_n', hexfield(f4['modulus']))
    carr('rsa4096_p', hexfield(f4['prime1']))
    carr('rsa4096_q', hexfield(f4['prime2']))
    carr('rsa4096_sig_pkcs1', openssl('pkeyutl', '-sign', '-inkey', key4, '-in', dg,
                                      '-pkeyopt', 'digest:sha256'))
    nn, e = int.from_bytes(n, 'big'), 65537
    m = int.from_bytes(secret, 'big')
    carr('rsa_ct_raw', pow(m, e, nn).to_bytes(len(n), 'big'))


# ---- ECC via openssl ----
def emit_ecc_vectors(tmp):
    for curve, ossl, size in (('p256', 'prime256v1', 32), ('p384', 'secp384r1', 48)):
        keys = []
        for i in range(2):
            k = os.path.join(tmp, '%s_%d.pem' % (curve, i))
            openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:' + ossl,
                    '-out', k)
            f = text_fields(openssl('pkey', '-in', k, '-text', '-noout').decode())
            priv, pub = hexfield(f['priv']), hexfield(f['pub'])
            priv = priv.rjust(size, b'\0')[-size:]
            assert pub[0] == 4 and len(pub) == 1 + 2 * size
            keys.append((k, priv, pub))
        (k0, d0, q0), (k1, d1, q1) = keys
        carr('%s_d' % curve, d0)
        carr('%s_qx' % curve, q0[1:1 + size])
        carr('%s_qy' % curve, q0[1 + size:])
        carr('%s_peer_d' % curve, d1)
        carr('%s_peer_qx' % curve, q1[1:1 + size])
        carr('%s_peer_qy' % curve, q1[1 + size:])
        pubf = os.path.join(tmp, '%s_peer_pub.pem' % curve)
        openssl('pkey', '-in', k1, '-pubout', '-out', pubf)
        carr('%s_ecdh_x' % curve, openssl('pkeyutl', '-derive', '-inkey', k0, '-peerkey', pubf))
        digest = hashlib.sha256(b'ecdsa message').digest()
        dg = os.path.join(tmp, 'edg')
        open(dg, 'wb').write(digest)
        der = openssl('pkeyutl', '-sign', '-inkey', k0, '-in', dg)
        r, s = parse_der_sig(der)
        carr('%s_digest' % curve, digest)
        carr('%s_sig_r' % curve, r)
        carr('%s_sig_s' % curve, s)


def parse_der_sig(der):
    assert der[0] == 0x30
    i = 2 if der[1] < 0x80 else 3
    vals = []
    for _ in range(2):
        assert der[i] == 0x02
        ln = der[i + 1]
        vals.append(der[i + 2:i + 2 + ln])
        i += 2 + ln
    return vals


# ---- RSA key generation, re-implemented from docs/crypto.md ----
def small_primes():
    lim = 65536
    sieve = bytearray([1]) * lim
    sieve[0:2] = b'\0\0'
    for i in range(2, 256):
        if sieve[i]:
            sieve[i * i::i] = bytearray(len(sieve[i * i::i]))
    return [i for i in range(3, lim) if sieve[i]][:6540]


def mr_rounds(bits):
    return 7 if bits <= 512 else 5 if bits <= 1024 else 4


def find_prime(drbg, nbytes, e, primes):
    window = 4096
    while True:
        x = bytearray(drbg.generate(nbytes))
        x[0] |= 0xC0
        x[-1] |= 0x03
        x = int.from_bytes(x, 'big')
        res = [x % p for p in primes]
        for k in range(window):
            c = x + 4 * k
            if c >> (8 * nbytes - 2) != 3:
                break
            if any((r + 4 * k) % p == 0 for r, p in zip(res, primes)):
                continue
            from math import gcd
            if gcd(c - 1, e) != 1:
                continue
            half = (c - 1) // 2
            if pow(2, half, c) not in (1, c - 1):
                continue
            ok = True
            for _ in range(mr_rounds(8 * nbytes)):
                a = bytearray(drbg.generate(nbytes))
                a[0] &= 0x7F
                if pow(int.from_bytes(a, 'big'), half, c) not in (1, c - 1):
                    ok = False
                    break
            if ok:
                return c


def rsa_keygen(drbg, bits, e=65537):
    primes = small_primes()
    p = find_prime(drbg, bits // 16, e, primes)
    while True:
        q = find_prime(drbg, bits // 16, e, primes)
        if q != p:
            break
    return p * q, max(p, q)


def emit_keygen_vectors():
    n, p = rsa_keygen(HmacDrbg('sha256', b'vEK seed' + b'RSA'), 2048)
    carr('keygen_2048_n', n.to_bytes(256, 'big'))
    carr('keygen_2048_p', p.to_bytes(128, 'big'))


def main():
    out.append('/* Generated by tests/unit/crypto_vectors.py at build time: do not edit. */')
    emit_hash_vectors()
    emit_kdf_vectors()
    emit_drbg_vectors()
    emit_keygen_vectors()
    with tempfile.TemporaryDirectory() as tmp:
        emit_aes_vectors(tmp)
        emit_rsa_vectors(tmp)
        emit_ecc_vectors(tmp)
    sys.stdout.write('\n'.join(out) + '\n')


main()
