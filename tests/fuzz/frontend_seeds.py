#!/usr/bin/env python3
"""Seeds for tests/fuzz/frontend_fuzz.c: the Linux flows (a TIS command/response at locality 0
and at a seized locality 3, a CRB command/response) in the fuzzer's input encoding, so that
mutation starts from inputs that reach Execution and Completion."""
import os
import struct
import sys

SIZES = {1: 0, 2: 1, 4: 2, 8: 3}
CMD = bytes([0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x7B, 0, 16])


def write(off, size, value, crb=False):
    return bytes([(0 << 4) | (SIZES[size] << 1) | crb, 0x80]) + struct.pack('<H', off) + \
        value.to_bytes(size, 'little')


def read(off, size, crb=False):
    return bytes([(6 << 4) | (SIZES[size] << 1) | crb, 0x80]) + struct.pack('<H', off)


def take(crb=False):
    return bytes([(11 << 4) | crb]) + struct.pack('<H', 4096)


def complete(length, crb=False):
    return bytes([(13 << 4) | crb]) + struct.pack('<H', length) + bytes([0x11])


def tis_flow(loc, width):
    base = loc * 0x1000
    s = write(base, 1, 0x02) + write(base + 0x18, 1, 0x40)
    for i in range(0, len(CMD), width):
        s += write(base + 0x24, width, int.from_bytes(CMD[i:i + width], 'little'))
    s += write(base + 0x18, 1, 0x20) + take() + complete(30)
    s += b''.join(read(base + 0x24, 1) for _ in range(30))
    return s + write(base + 0x18, 1, 0x40) + write(base, 1, 0x20)


def crb_flow():
    s = write(0x08, 4, 1, True) + write(0x40, 4, 1, True) + write(0x48, 4, 0, True)
    for i in range(0, len(CMD), 4):
        s += write(0x80 + i, 4, int.from_bytes(CMD[i:i + 4], 'little'), True)
    s += write(0x4C, 4, 1, True) + take(True) + complete(30, True)
    s += b''.join(read(0x80 + i, 8, True) for i in range(0, 32, 8))
    return s + write(0x40, 4, 2, True) + write(0x08, 4, 2, True)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    seeds = {
        'tis-loc0-w1': b'\x00' + tis_flow(0, 1),
        'tis-loc0-w4-burst8': b'\x08' + tis_flow(0, 4),
        'tis-seize3': b'\x00' + tis_flow(0, 2)[:40] + write(0x3000, 1, 0x08) + tis_flow(3, 4),
        'crb': b'\x00' + crb_flow(),
        'both': b'\x00' + tis_flow(1, 4) + crb_flow(),
    }
    for name, data in seeds.items():
        with open(os.path.join(out, name), 'wb') as f:
            f.write(data)


main()
