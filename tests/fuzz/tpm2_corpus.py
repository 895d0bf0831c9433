#!/usr/bin/env python3
"""Builds the fuzzers' seed corpus from real tpm2-tools traffic.

    PCAP_DIR=/tmp/p ONLY=swtpm tests/tpm2-tools/run.sh
    tests/fuzz/tpm2_corpus.py /tmp/p/*.pcap OUTDIR

Reads the pcapng files written by tpm2-tss's pcap TCTI (raw IPv4, commands go to the TPM's
port 2321) and writes each distinct TPM command (at most PER_CC per command code, so that
abrmd's many ContextSave/ContextLoad do not swamp the rest) as OUTDIR/<sha1>.bin in the fuzzers' input
format: one locality byte (0), then the command."""
import hashlib
import os
import struct
import sys


def packets(path):
    d = open(path, "rb").read()
    o = 0
    while o + 12 <= len(d):
        btype, blen = struct.unpack("<II", d[o:o + 8])
        if blen < 12 or o + blen > len(d):
            break
        body = d[o + 8:o + blen - 4]
        if btype == 6 and len(body) >= 20:                 # Enhanced Packet Block
            caplen = struct.unpack("<I", body[12:16])[0]
            yield body[20:20 + caplen]
        o += blen


def commands(path):
    for pkt in packets(path):
        if len(pkt) < 40 or pkt[0] >> 4 != 4:
            continue
        ihl = (pkt[0] & 15) * 4
        dport = struct.unpack(">H", pkt[ihl + 2:ihl + 4])[0]
        thl = (pkt[ihl + 12] >> 4) * 4
        payload = pkt[ihl + thl:]
        if dport == 2321 and len(payload) >= 10:
            yield payload


def main():
    *pcaps, out = sys.argv[1:]
    os.makedirs(out, exist_ok=True)
    seen = 0
    per_cc = {}
    limit = int(os.environ.get("PER_CC", "6"))
    for p in pcaps:
        for cmd in commands(p):
            cc = cmd[6:10]
            if per_cc.get(cc, 0) >= limit:
                continue
            per_cc[cc] = per_cc.get(cc, 0) + 1
            data = b"\0" + cmd
            name = hashlib.sha1(data).hexdigest()[:16] + ".bin"
            path = os.path.join(out, name)
            if not os.path.exists(path):
                open(path, "wb").write(data)
                seen += 1
    print("%d new commands in %s" % (seen, out))


if __name__ == "__main__":
    main()
