#!/usr/bin/env python3
"""Writes seed inputs for hv_walk_fuzz: cr0, cr3, cr4, efer, gva (little-endian u64) followed
by guest memory holding valid page tables for each paging mode.  usage: hv_walk_seeds.py DIR"""
import os
import struct
import sys


def image(entries, size=0x6000):
    mem = bytearray(size)
    for addr, val, width in entries:
        mem[addr:addr + width] = val.to_bytes(width, "little")
    return bytes(mem)


def seed(cr0, cr3, cr4, efer, gva, mem):
    return struct.pack("<5Q", cr0, cr3, cr4, efer, gva) + mem


SEEDS = {
    # long mode 4K: PML4 0x1000 -> PDPT 0x2000 -> PD 0x3000 -> PT 0x4000 -> page 0x5000
    "long4k": seed(0x80000001, 0x1000, 0x20, 0x500, 0x201234,
                   image([(0x1000, 0x2003, 8), (0x2000, 0x3003, 8), (0x3008, 0x4003, 8),
                          (0x4008, 0x5003, 8)])),
    # long mode 2M and 1G leaves
    "long2m": seed(0x80000001, 0x1000, 0x20, 0x500, 0x212345,
                   image([(0x1000, 0x2003, 8), (0x2000, 0x3003, 8), (0x3008, 0x40000083, 8)])),
    "long1g": seed(0x80000001, 0x1000, 0x20, 0x500, 0x40001234,
                   image([(0x1000, 0x2003, 8), (0x2008, 0x80000083, 8)])),
    # 5-level
    "la57": seed(0x80000001, 0x1000, 0x1020, 0x500, 0x1234,
                 image([(0x1000, 0x2003, 8), (0x2000, 0x3003, 8), (0x3000, 0x4083, 8)])),
    # PAE: PDPT at 0x1000, PD 0x2000, PT 0x3000
    "pae": seed(0x80000001, 0x1000, 0x20, 0, 0x40201234,
                image([(0x1008, 0x2001, 8), (0x2008, 0x3003, 8), (0x3008, 0x7003, 8)])),
    # legacy 2-level with a 4M page and a 4K page
    "legacy": seed(0x80000001, 0x1000, 0x10, 0, 0xFFFFF123,
                   image([(0x1000 + 4 * 0x3FF, 0x2003, 4), (0x2000 + 4 * 1023, 0x5003, 4),
                          (0x1000 + 4 * 0x100, 0xC00083, 4)])),
    "paging-off": seed(0x1, 0, 0, 0, 0x12345678, b""),
}

os.makedirs(sys.argv[1], exist_ok=True)
for name, data in SEEDS.items():
    with open(os.path.join(sys.argv[1], name), "wb") as f:
        f.write(data)
