#!/usr/bin/env python3
"""Reads an Anchor console log for the vTPM tests (tests/qemu/vtpm-*.sh).

  vtpm_console.py veks LOG
      one line per LPAR from the hypervisor's anchoring lines
      ("anchor: lpar <name> vtpm <crb|tis> ek rsa2048 sha256=<hex> ecc-p256 sha256=<hex>"):
      "<name> <interface> <rsa-hash> <ecc-hash>" (the last such line per LPAR).
  vtpm_console.py certs LOG NAME...
      for each LPAR NAME, judges what its test guest dumped in mode `tpm` (guests/testguest,
      "vtpm: dump <label> <offset>: <hex>"): openssl verifies both EK certificates against the
      platform CA the hypervisor printed as PEM, the chain in NV holds that CA, the key in each
      certificate is the EK the guest created, and sha256 of its SubjectPublicKeyInfo is the hash
      on the console line.  Prints "ok - ..." / "not ok - ..." lines.
The DER of the guest's keys is built here from the raw public key (a second, independent
encoding of SubjectPublicKeyInfo next to the hypervisor's).
"""
import hashlib
import os
import re
import subprocess
import sys
import tempfile

ANCHOR_RE = re.compile(r'anchor: lpar (\S+) vtpm (crb|tis) ek rsa2048 sha256=([0-9a-f]{64}) '
                       r'ecc-p256 sha256=([0-9a-f]{64})')


def lines(log):
    with open(log, 'rb') as f:
        text = f.read().decode('ascii', 'replace').replace('\r', '')
    return re.sub(r'\x1b\[[0-9;=]*[a-zA-Z]', '', text).split('\n')


def veks(log):
    found = {}
    for line in lines(log):
        m = ANCHOR_RE.search(line)
        if m:
            found[m.group(1)] = m.groups()[1:]
    return found


def platform_ca(log):
    """The PEM certificate on the console: the base64 is the last word of each line."""
    body, inside = [], False
    for line in lines(log):
        if '-----BEGIN CERTIFICATE-----' in line:
            body, inside = [], True
        elif '-----END CERTIFICATE-----' in line and inside:
            return ('-----BEGIN CERTIFICATE-----\n' + '\n'.join(body) +
                    '\n-----END CERTIFICATE-----\n')
        elif inside and line.split():
            body.append(line.split()[-1])
    return None


def dumps(log, name):
    """label -> bytes for the complete dumps of LPAR name (the last complete one per label)."""
    parts, done = {}, {}
    pat = re.compile(r'^\[' + re.escape(name) + r'\] vtpm: dump (\S+) (end (\d+)|(\d+): ([0-9a-f]*))$')
    for line in lines(log):
        m = pat.match(line)
        if not m:
            continue
        label = m.group(1)
        if m.group(3) is not None:
            data = parts.pop(label, b'')
            if len(data) == int(m.group(3)):
                done[label] = data
        else:
            data = parts.get(label, b'') if int(m.group(4)) else b''
            if len(data) == int(m.group(4)):
                parts[label] = data + bytes.fromhex(m.group(5))
    return done


def der(tag, body):
    n = len(body)
    if n < 0x80:
        head = bytes([n])
    else:
        b = n.to_bytes((n.bit_length() + 7) // 8, 'big')
        head = bytes([0x80 | len(b)]) + b
    return bytes([tag]) + head + body


def der_int(value):
    b = value.to_bytes(value.bit_length() // 8 + 1, 'big')
    return der(0x02, b)


OID_RSA = bytes.fromhex('06092a864886f70d010101')
OID_EC = bytes.fromhex('06072a8648ce3d0201')
OID_P256 = bytes.fromhex('06082a8648ce3d030107')


def spki_rsa(n, e=65537):
    key = der(0x30, der_int(int.from_bytes(n, 'big')) + der_int(e))
    return der(0x30, der(0x30, OID_RSA + b'\x05\x00') + der(0x03, b'\x00' + key))


def spki_ecc(x, y):
    return der(0x30, der(0x30, OID_EC + OID_P256) + der(0x03, b'\x00\x04' + x + y))


def openssl(*args, data=None):
    return subprocess.run(['openssl'] + list(args), input=data, capture_output=True)


def cert_spki(cert_der):
    pem = openssl('x509', '-inform', 'DER', '-pubkey', '-noout', data=cert_der)
    if pem.returncode:
        return None
    spki = openssl('pkey', '-pubin', '-outform', 'DER', data=pem.stdout)
    return spki.stdout if spki.returncode == 0 else None


def result(good, name, why=''):
    print(('ok - ' if good else 'not ok - ') + name + ('' if good else ' ' + why))
    return good


def certs(log, names):
    ca = platform_ca(log)
    result(ca is not None, 'the platform CA certificate is on the console as PEM', '(none found)')
    hashes = veks(log)
    tmp = tempfile.mkdtemp()
    ca_file = os.path.join(tmp, 'ca.pem')
    ca_der = b''
    if ca:
        open(ca_file, 'w').write(ca)
        ca_der = openssl('x509', '-outform', 'DER', '-in', ca_file).stdout
    for name in names:
        d = dumps(log, name)
        line = hashes.get(name)
        result(line is not None, f'{name}: the anchoring line is on the console', '(none)')
        keys = {}
        if 'ek-rsa-n' in d:
            keys['rsa'] = spki_rsa(d['ek-rsa-n'])
        if 'ek-ecc-x' in d and 'ek-ecc-y' in d:
            keys['ecc'] = spki_ecc(d['ek-ecc-x'], d['ek-ecc-y'])
        for kind, col in (('rsa', 1), ('ecc', 2)):
            label = 'cert-' + kind
            cert = d.get(label)
            if not result(cert is not None and kind in keys,
                          f'{name}: the guest dumped its {kind} EK and certificate',
                          f'(dumps: {sorted(d)})'):
                continue
            path = os.path.join(tmp, f'{name}-{kind}.der')
            open(path, 'wb').write(cert)
            pem = openssl('x509', '-inform', 'DER', '-in', path)
            verify = openssl('verify', '-CAfile', ca_file, data=pem.stdout) if ca else None
            result(verify is not None and verify.returncode == 0 and b': OK' in verify.stdout,
                   f'{name}: openssl verify of the {kind} EK certificate against the platform CA',
                   '(' + (verify.stdout + verify.stderr).decode(errors='replace').strip()
                   .replace('\n', ' | ') + ')' if verify else '(no CA)')
            spki = cert_spki(cert)
            result(spki is not None and spki == keys[kind],
                   f'{name}: the {kind} certificate holds the EK the guest created',
                   '(SubjectPublicKeyInfo differs)')
            want = line[col] if line else None
            got = hashlib.sha256(keys[kind]).hexdigest()
            result(want == got, f'{name}: sha256 of the {kind} EK is the console line\'s',
                   f'(console {want}, guest EK {got})')
        chain = [d[k] for k in sorted(d) if k.startswith('chain-')]
        result(bool(ca_der) and ca_der in chain,
               f'{name}: the EK certificate chain in NV holds the platform CA certificate',
               f'({len(chain)} chain certificates)')


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == 'veks':
        for name, (intf, rsa, ecc) in sorted(veks(sys.argv[2]).items()):
            print(name, intf, rsa, ecc)
    elif len(sys.argv) >= 4 and sys.argv[1] == 'certs':
        certs(sys.argv[2], sys.argv[3:])
    else:
        sys.exit(__doc__)


if __name__ == '__main__':
    main()
