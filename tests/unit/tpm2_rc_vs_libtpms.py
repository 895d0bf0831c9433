#!/usr/bin/env python3
"""Response codes of the engine's families against libtpms (swtpm), case by case.

Starts anchor-tpmd and swtpm (both speaking the raw TPM command protocol on a TCP port), sends
every command below to both, in the same order, and reports `ok` when the two TPMs answer the
same response code.  The cases walk the error paths of the framework (header, handles, the
authorization area, passwords, dictionary attack) and of the start-up, capability, PCR, hash,
context, NV, hierarchy and clock families.  A few differences are deliberate and reported as
`skip` with the reason.
"""
import os, struct, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tpm_pair import u16, u32, u64, b2, cmd, rc_of, pw, NS, S, Conn, power, set_locality, run_pair

ANCHOR_TPMD = sys.argv[1] if len(sys.argv) > 1 else os.environ.get('ANCHOR_TPMD', 'build/sim/anchor-tpmd')

nvpub = lambda idx, attrs, size, alg=0x0B, pol=b'': b2(u32(idx) + u16(alg) + u32(attrs) + b2(pol) + u16(size))
RW = 0x00060006

DELIBERATE = {
    'PP_Commands': 'left out on purpose (no physical presence): TPM_RC_COMMAND_CODE',
    'getcap bad cap': 'capability 10 is TPM_CAP_ACT in libtpms; no ACT here',
    'testparms p521': 'P-521 not implemented (P-256 and P-384 are)',
    'nvread uninit': 'first DA-protected authorization since Startup: the reference TPM answers '
                     'TPM_RC_RETRY while it records DA use in NV (the TSS retries); no NV delay here',
    'da: used before power loss': 'the same TPM_RC_RETRY of the reference TPM',
    'lockout counter after disorderly': 'a power loss while DA was in use counts as a failure '
                                        '(Part 1 DA rules); libtpms forgets its in-RAM flag',
    'lockout counter after orderly': 'follows from the previous difference',
}

cases = [
 ('startup again', cmd(NS, 0x144, u16(0))),
 ('%readclock fresh', cmd(NS, 0x181)),
 ('unknown cc', cmd(NS, 0x1FF)),
 ('PP_Commands', cmd(NS, 0x12D)),
 ('getrandom no param', cmd(NS, 0x17B)),
 ('getrandom trailing', cmd(NS, 0x17B, u16(8) + b'\0')),
 ('getrandom 100', cmd(NS, 0x17B, u16(100))),
 ('pcr_extend nosess', cmd(NS, 0x182, u32(16) + u32(0))),
 ('pcr_extend pcr24', cmd(S, 0x182, u32(24) + pw(b'') + u32(0))),
 ('pcr_extend owner', cmd(S, 0x182, u32(0x40000001) + pw(b'') + u32(0))),
 ('pcr_extend authsize', cmd(S, 0x182, u32(16) + u32(1000))),
 ('pcr_extend sess not loaded', cmd(S, 0x182, u32(16) + u32(9) + u32(0x02000000) + u16(0) + b'\x01' + u16(0) + u32(0))),
 ('pcr_extend pw encrypt', cmd(S, 0x182, u32(16) + u32(9) + u32(0x40000009) + u16(0) + b'\x40' + u16(0) + u32(0))),
 ('pcr_extend bad pw', cmd(S, 0x182, u32(16) + pw(b'x') + u32(0))),
 ('pcr_extend count 5', cmd(S, 0x182, u32(16) + pw(b'') + u32(5))),
 ('pcr_extend sm3', cmd(S, 0x182, u32(16) + pw(b'') + u32(1) + u16(0x12))),
 ('pcr_extend 17 loc0', cmd(S, 0x182, u32(17) + pw(b'') + u32(0))),
 ('pcr_reset 0', cmd(S, 0x13D, u32(0) + pw(b''))),
 ('pcr_reset 17', cmd(S, 0x13D, u32(17) + pw(b''))),
 ('pcr_read size4', cmd(NS, 0x17E, u32(1) + u16(0xB) + b'\x04\0\0\0\0')),
 ('pcr_read sm3', cmd(NS, 0x17E, u32(1) + u16(0x12) + b'\x03\0\0\0')),
 ('pcr_read count5', cmd(NS, 0x17E, u32(5))),
 ('pcr_event 1025', cmd(S, 0x13C, u32(16) + pw(b'') + b2(b'a' * 1025))),
 ('contextsave empty', cmd(NS, 0x162, u32(0x80000000))),
 ('contextsave sess', cmd(NS, 0x162, u32(0x02000000))),
 ('contextsave persistent', cmd(NS, 0x162, u32(0x81000000))),
 ('flush empty', cmd(NS, 0x165, u32(0x80000000))),
 ('flush sess empty', cmd(NS, 0x165, u32(0x02000000))),
 ('flush owner', cmd(NS, 0x165, u32(0x40000001))),
 ('flush with sessions', cmd(S, 0x165, pw(b'') + u32(0x80000000))),
 ('contextload garbage', cmd(NS, 0x161, u64(1) + u32(0x80000000) + u32(0x40000007) + b2(b'x' * 40))),
 ('contextload bad handle', cmd(NS, 0x161, u64(1) + u32(0x81000000) + u32(0x40000007) + b2(b'x' * 40))),
 ('contextload bad hier', cmd(NS, 0x161, u64(1) + u32(0x80000000) + u32(0x40000005) + b2(b'x' * 40))),
 ('getcap bad cap', cmd(NS, 0x17A, u32(10) + u32(0) + u32(1))),
 ('getcap handles bad', cmd(NS, 0x17A, u32(1) + u32(0x05000000) + u32(1))),
 ('stirrandom 129', cmd(NS, 0x146, b2(b'a' * 129))),
 ('selftest 2', cmd(NS, 0x143, b'\x02')),
 ('testparms rsa1000', cmd(NS, 0x18A, u16(1) + u16(0x10) + u16(0x10) + u16(1000) + u32(0))),
 ('testparms p521', cmd(NS, 0x18A, u16(0x23) + u16(0x10) + u16(0x10) + u16(5) + u16(0x10))),
 ('testparms aes100', cmd(NS, 0x18A, u16(0x25) + u16(6) + u16(100) + u16(0x43))),
 ('testparms badtype', cmd(NS, 0x18A, u16(0x05))),
 ('testparms sym mode bad', cmd(NS, 0x18A, u16(0x25) + u16(6) + u16(128) + u16(0x05))),
 ('testparms rsa scheme bad', cmd(NS, 0x18A, u16(1) + u16(0x10) + u16(0x18) + u16(0xB) + u16(2048) + u32(0))),
 ('testparms ecc scheme bad', cmd(NS, 0x18A, u16(0x23) + u16(0x10) + u16(0x14) + u16(0xB) + u16(3) + u16(0x10))),
 ('testparms ecc kdf bad', cmd(NS, 0x18A, u16(0x23) + u16(0x10) + u16(0x10) + u16(3) + u16(0x18) + u16(0xB))),
 ('testparms keyedhash bad', cmd(NS, 0x18A, u16(0x08) + u16(0x14) + u16(0xB))),
 ('hash null', cmd(NS, 0x17D, b2(b'abc') + u16(0x10) + u32(0x40000001))),
 ('hash lockout', cmd(NS, 0x17D, b2(b'abc') + u16(0xB) + u32(0x4000000A))),
 ('hash 1025', cmd(NS, 0x17D, b2(b'a' * 1025) + u16(0xB) + u32(0x40000001))),
 ('hashseqstart auth65', cmd(NS, 0x186, b2(b'a' * 65) + u16(0xB))),
 ('hmac on owner', cmd(S, 0x155, u32(0x40000001) + pw(b'') + b2(b'a') + u16(0xB))),
 ('hmac not loaded', cmd(S, 0x155, u32(0x80000000) + pw(b'') + b2(b'a') + u16(0xB))),
 ('sequpdate not loaded', cmd(S, 0x15C, u32(0x80000000) + pw(b'') + b2(b'a'))),
 ('nvdefine platformcreate by owner', cmd(S, 0x12A, u32(0x40000001) + pw(b'') + b2(b'') + nvpub(0x1500000, RW | 0x40000000, 8))),
 ('nvdefine no write', cmd(S, 0x12A, u32(0x40000001) + pw(b'') + b2(b'') + nvpub(0x1500000, 0x00040000, 8))),
 ('nvdefine counter 4', cmd(S, 0x12A, u32(0x40000001) + pw(b'') + b2(b'') + nvpub(0x1500000, RW | 0x10, 4))),
 ('nvdefine big', cmd(S, 0x12A, u32(0x40000001) + pw(b'') + b2(b'') + nvpub(0x1500000, RW, 3000))),
 ('nvdefine bad index', cmd(S, 0x12A, u32(0x40000001) + pw(b'') + b2(b'') + nvpub(0x2000000, RW, 8))),
 ('nvdefine auth too long', cmd(S, 0x12A, u32(0x40000001) + pw(b'') + b2(b'a' * 33) + nvpub(0x1500000, RW, 8))),
 ('nvdefine written set', cmd(S, 0x12A, u32(0x40000001) + pw(b'') + b2(b'') + nvpub(0x1500000, RW | 0x20000000, 8))),
 ('nvdefine pin', cmd(S, 0x12A, u32(0x40000001) + pw(b'') + b2(b'') + nvpub(0x1500000, RW | 0x80, 8))),
 ('nvdefine policy len', cmd(S, 0x12A, u32(0x40000001) + pw(b'') + b2(b'') + nvpub(0x1500000, RW, 8, pol=b'a' * 20))),
 ('nvdefine policydelete owner', cmd(S, 0x12A, u32(0x40000001) + pw(b'') + b2(b'') + nvpub(0x1500000, RW | 0x400, 8))),
 ('nvdefine extend wrong size', cmd(S, 0x12A, u32(0x40000001) + pw(b'') + b2(b'') + nvpub(0x1500000, RW | 0x40, 20))),
 ('nvdefine ok', cmd(S, 0x12A, u32(0x40000001) + pw(b'') + b2(b'pw') + nvpub(0x1500000, RW, 16))),
 ('nvdefine again', cmd(S, 0x12A, u32(0x40000001) + pw(b'') + b2(b'pw') + nvpub(0x1500000, RW, 16))),
 ('nvread uninit', cmd(S, 0x14E, u32(0x1500000) + u32(0x1500000) + pw(b'pw') + u16(4) + u16(0))),
 ('nvwrite range', cmd(S, 0x137, u32(0x1500000) + u32(0x1500000) + pw(b'pw') + b2(b'abc') + u16(15))),
 ('nvwrite ok', cmd(S, 0x137, u32(0x1500000) + u32(0x1500000) + pw(b'pw') + b2(b'abc') + u16(0))),
 ('nvread range', cmd(S, 0x14E, u32(0x1500000) + u32(0x1500000) + pw(b'pw') + u16(4) + u16(14))),
 ('nvread platform', cmd(S, 0x14E, u32(0x4000000C) + u32(0x1500000) + pw(b'') + u16(4) + u16(0))),
 ('nvread other index', cmd(S, 0x14E, u32(0x1500001) + u32(0x1500000) + pw(b'') + u16(4) + u16(0))),
 ('nvread bad pw', cmd(S, 0x14E, u32(0x1500000) + u32(0x1500000) + pw(b'x') + u16(4) + u16(0))),
 ('nvincrement ordinary', cmd(S, 0x134, u32(0x1500000) + u32(0x1500000) + pw(b'pw'))),
 ('nvwritelock no attr', cmd(S, 0x138, u32(0x1500000) + u32(0x1500000) + pw(b'pw'))),
 ('nvreadlock no attr', cmd(S, 0x14F, u32(0x1500000) + u32(0x1500000) + pw(b'pw'))),
 ('nvchangeauth pw', cmd(S, 0x13B, u32(0x1500000) + pw(b'pw') + b2(b'new'))),
 ('nvundefinespecial no attr', cmd(S, 0x11F, u32(0x1500000) + u32(0x4000000C) + pw(b'pw', b''))),
 ('nvreadpublic missing', cmd(NS, 0x169, u32(0x1500009))),
 ('nvundefine by platform ok?', cmd(S, 0x122, u32(0x4000000C) + u32(0x1500000) + pw(b''))),
 ('setprimarypolicy mismatch', cmd(S, 0x12E, u32(0x40000001) + pw(b'') + b2(b'a' * 32) + u16(4))),
 ('setprimarypolicy null with digest', cmd(S, 0x12E, u32(0x40000001) + pw(b'') + b2(b'a' * 32) + u16(0x10))),
 ('clearcontrol lockout no', cmd(S, 0x127, u32(0x4000000A) + pw(b'') + b'\x00')),
 ('clearcontrol 2', cmd(S, 0x127, u32(0x4000000C) + pw(b'') + b'\x02')),
 ('hiercontrol endorse->owner', cmd(S, 0x121, u32(0x4000000B) + pw(b'') + u32(0x40000001) + b'\x01')),
 ('hiercontrol owner disables endorse', cmd(S, 0x121, u32(0x40000001) + pw(b'') + u32(0x4000000B) + b'\x00')),
 ('hiercontrol bad enable', cmd(S, 0x121, u32(0x4000000C) + pw(b'') + u32(0x40000005) + b'\x01')),
 ('hiercontrol lockout handle', cmd(S, 0x121, u32(0x4000000A) + pw(b'') + u32(0x40000001) + b'\x00')),
 ('changeauth too long', cmd(S, 0x129, u32(0x40000001) + pw(b'') + b2(b'a' * 65))),
 ('changeauth 40', cmd(S, 0x129, u32(0x4000000B) + pw(b'') + b2(b'a' * 40))),
 ('clear owner', cmd(S, 0x126, u32(0x40000001) + pw(b''))),
 ('changeeps owner', cmd(S, 0x124, u32(0x40000001) + pw(b''))),
 ('clockset back', cmd(S, 0x128, u32(0x40000001) + pw(b'') + u64(5))),
 ('clockrate 5', cmd(S, 0x130, u32(0x40000001) + pw(b'') + b'\x05')),
 ('dalockreset owner', cmd(S, 0x139, u32(0x40000001) + pw(b''))),
 ('pcr_allocate owner', cmd(S, 0x12B, u32(0x40000001) + pw(b'') + u32(0))),
 ('shutdown bad', cmd(NS, 0x145, u16(7))),
 ('incselftest', cmd(NS, 0x142, u32(1) + u16(0xB))),
 ('readclock trailing', cmd(NS, 0x181, b'\0')),
 ('authsize 8', cmd(S, 0x182, u32(16) + u32(8) + u32(0x40000009) + u32(0) + u32(0))),
 ('authsize extra session bytes', cmd(S, 0x182, u32(16) + u32(10) + u32(0x40000009) + u16(0) + b'\x01' + u16(0) + b'\0' + u32(0))),
 ('4 sessions', cmd(S, 0x182, u32(16) + u32(36) + (u32(0x40000009) + u16(0) + b'\x01' + u16(0)) * 4 + u32(0))),
 ('pw for no handle', cmd(S, 0x17B, pw(b'') + u16(8))),
 ('two pw one handle', cmd(S, 0x182, u32(16) + pw(b'', b'') + u32(0))),
 ('nonce 65', cmd(S, 0x182, u32(16) + u32(4+2+65+1+2) + u32(0x40000009) + b2(b'n'*65) + b'\x01' + u16(0) + u32(0))),
 ('pw audit attr', cmd(S, 0x182, u32(16) + u32(9) + u32(0x40000009) + u16(0) + b'\x80' + u16(0) + u32(0))),
 ('session handle perm', cmd(S, 0x182, u32(16) + u32(9) + u32(0x40000001) + u16(0) + b'\x01' + u16(0) + u32(0))),
 ('nvdefine idx2', cmd(S, 0x12A, u32(0x40000001) + pw(b'') + b2(b'') + nvpub(0x1500002, RW | 0x4000 | 0x80000000, 16))),
 ('nvwrite2', cmd(S, 0x137, u32(0x40000001) + u32(0x1500002) + pw(b'') + b2(b'abc') + u16(0))),
 ('nvwritelock2', cmd(S, 0x138, u32(0x40000001) + u32(0x1500002) + pw(b''))),
 ('nvwritelock2 again', cmd(S, 0x138, u32(0x40000001) + u32(0x1500002) + pw(b''))),
 ('nvwrite locked', cmd(S, 0x137, u32(0x40000001) + u32(0x1500002) + pw(b'') + b2(b'abc') + u16(0))),
 ('nvreadlock2', cmd(S, 0x14F, u32(0x40000001) + u32(0x1500002) + pw(b''))),
 ('nvread locked', cmd(S, 0x14E, u32(0x40000001) + u32(0x1500002) + pw(b'') + u16(3) + u16(0))),
 ('nvread 0 bytes', cmd(S, 0x14E, u32(0x40000001) + u32(0x1500002) + pw(b'') + u16(0) + u16(0))),
 ('globalwritelock', cmd(S, 0x132, u32(0x40000001) + pw(b''))),
 ('nvdefine counter', cmd(S, 0x12A, u32(0x40000001) + pw(b'') + b2(b'') + nvpub(0x1500003, RW | 0x10, 8))),
 ('nvread counter unwritten', cmd(S, 0x14E, u32(0x40000001) + u32(0x1500003) + pw(b'') + u16(8) + u16(0))),
 ('nvincrement', cmd(S, 0x134, u32(0x40000001) + u32(0x1500003) + pw(b''))),
 ('nvsetbits on counter', cmd(S, 0x135, u32(0x40000001) + u32(0x1500003) + pw(b'') + u64(1))),
 ('nvextend on counter', cmd(S, 0x136, u32(0x40000001) + u32(0x1500003) + pw(b'') + b2(b'a'))),
 ('nvundefine platform idx by owner', None),
 ('hashseq start', cmd(NS, 0x186, b2(b'') + u16(0xB))),
 ('evseqcomplete on hash seq', cmd(S, 0x185, u32(16) + u32(0x80000000) + pw(b'', b'') + b2(b''))),
 ('seqcomplete lockout hier', cmd(S, 0x13E, u32(0x80000000) + pw(b'') + b2(b'') + u32(0x4000000A))),
 ('seqcomplete ok', cmd(S, 0x13E, u32(0x80000000) + pw(b'') + b2(b'') + u32(0x40000001))),
 ('seqstart x4', cmd(NS, 0x186, b2(b'') + u16(0x10))),
 ('hierarchy disabled hash', None),
 ('da: define index', cmd(S, 0x12A, u32(0x40000001) + pw(b'') + b2(b'pw') + nvpub(0x1500200, RW, 8))),
 ('da: write index', cmd(S, 0x137, u32(0x1500200) + u32(0x1500200) + pw(b'pw') + b2(b'12345678') + u16(0))),
 ('da: params max 2, recovery 0', cmd(S, 0x13A, u32(0x4000000A) + pw(b'') + u32(2) + u32(0) + u32(0))),
 ('da(rec 0): bad 1', cmd(S, 0x14E, u32(0x1500200) + u32(0x1500200) + pw(b'x') + u16(8) + u16(0))),
 ('da(rec 0): bad 2', cmd(S, 0x14E, u32(0x1500200) + u32(0x1500200) + pw(b'x') + u16(8) + u16(0))),
 ('da(rec 0): good after 2 bad', cmd(S, 0x14E, u32(0x1500200) + u32(0x1500200) + pw(b'pw') + u16(8) + u16(0))),
 ('=da(rec 0): lockout counter', cmd(NS, 0x17A, u32(6) + u32(0x20E) + u32(1))),
 ('da: lock reset', cmd(S, 0x139, u32(0x4000000A) + pw(b''))),
 ('da: params max 2, recovery 1000', cmd(S, 0x13A, u32(0x4000000A) + pw(b'') + u32(2) + u32(1000) + u32(1000))),
 ('da: bad 1', cmd(S, 0x14E, u32(0x1500200) + u32(0x1500200) + pw(b'x') + u16(8) + u16(0))),
 ('da: good after 1 bad', cmd(S, 0x14E, u32(0x1500200) + u32(0x1500200) + pw(b'pw') + u16(8) + u16(0))),
 ('da: bad 2', cmd(S, 0x14E, u32(0x1500200) + u32(0x1500200) + pw(b'x') + u16(8) + u16(0))),
 ('da: bad 3 (locked out)', cmd(S, 0x14E, u32(0x1500200) + u32(0x1500200) + pw(b'x') + u16(8) + u16(0))),
 ('da: good while locked out', cmd(S, 0x14E, u32(0x1500200) + u32(0x1500200) + pw(b'pw') + u16(8) + u16(0))),
 ('=da: lockout counter 2', cmd(NS, 0x17A, u32(6) + u32(0x20E) + u32(1))),
 ('da: permanent (inLockout)', cmd(NS, 0x17A, u32(6) + u32(0x200) + u32(1))),
 ('da: owner auth not DA', cmd(S, 0x12A, u32(0x40000001) + pw(b'') + b2(b'') + nvpub(0x1500201, RW | 0x02000000, 8))),
 ('da: NO_DA index wrong pw', cmd(S, 0x14E, u32(0x1500201) + u32(0x1500201) + pw(b'x') + u16(8) + u16(0))),
 ('da: lock reset 2', cmd(S, 0x139, u32(0x4000000A) + pw(b''))),
 ('da: good after reset', cmd(S, 0x14E, u32(0x1500200) + u32(0x1500200) + pw(b'pw') + u16(8) + u16(0))),
 ('lockout bad', cmd(S, 0x139, u32(0x4000000A) + pw(b'x'))),
 ('lockout good after bad', cmd(S, 0x139, u32(0x4000000A) + pw(b''))),
 # '=' cases: the whole response must be byte-identical, not only the code
 ('=pcr_reset 23', cmd(S, 0x13D, u32(23) + pw(b''))),
 ('=pcr_event 23', cmd(S, 0x13C, u32(23) + pw(b'') + b2(b'abc'))),
 ('=pcr_extend 23 sha1+sha512', cmd(S, 0x182, u32(23) + pw(b'') + u32(2) + u16(4) + b'\x11' * 20 + u16(0xD) + b'\x22' * 64)),
 ('~pcr_read 23 all banks', cmd(NS, 0x17E, u32(4) + b''.join(u16(a) + b'\x03\0\0\x80' for a in (4, 0xB, 0xC, 0xD)))),
 ('~pcr_read 9 of sha256', cmd(NS, 0x17E, u32(1) + u16(0xB) + b'\x03\xff\x01\0')),
 ('=hash sha384 null', cmd(NS, 0x17D, b2(b'abc') + u16(0xC) + u32(0x40000007))),
 ('=hash generated value', cmd(NS, 0x17D, b2(b'\xffTCGabc') + u16(0xB) + u32(0x40000001))),
 ('=getcap pcrs', cmd(NS, 0x17A, u32(5) + u32(0) + u32(1))),
 ('=getcap pcr handles', cmd(NS, 0x17A, u32(1) + u32(0) + u32(100))),
 ('=getcap pcr handles from 20', cmd(NS, 0x17A, u32(1) + u32(20) + u32(100))),
 ('=getcap pcr handles count 2', cmd(NS, 0x17A, u32(1) + u32(3) + u32(2))),
 ('=getcap permanent handles', cmd(NS, 0x17A, u32(1) + u32(0x40000000) + u32(100))),
 ('=getcap loaded sessions', cmd(NS, 0x17A, u32(1) + u32(0x02000000) + u32(100))),
 ('=getcap saved sessions', cmd(NS, 0x17A, u32(1) + u32(0x03000000) + u32(100))),
 ('=getcap persistent handles', cmd(NS, 0x17A, u32(1) + u32(0x81000000) + u32(100))),
 ('getcap AC handles', cmd(NS, 0x17A, u32(1) + u32(0x90000000) + u32(100))),
 ('getcap pp commands (libtpms has PP_Commands)', cmd(NS, 0x17A, u32(3) + u32(0) + u32(100))),
 ('=getcap audit commands', cmd(NS, 0x17A, u32(4) + u32(0) + u32(100))),
 ('=getcap properties count 0', cmd(NS, 0x17A, u32(6) + u32(0x100) + u32(0))),
 ('^getcap fixed properties: same set', cmd(NS, 0x17A, u32(6) + u32(0x100) + u32(46))),
 ('^getcap properties first 5', cmd(NS, 0x17A, u32(6) + u32(0x100) + u32(5))),
 ('^getcap variable properties: same set', cmd(NS, 0x17A, u32(6) + u32(0x200) + u32(100))),
 ('^getcap properties from 0', cmd(NS, 0x17A, u32(6) + u32(0) + u32(3))),
 ('^getcap properties between groups', cmd(NS, 0x17A, u32(6) + u32(0x150) + u32(2))),
 ('^getcap properties past the end', cmd(NS, 0x17A, u32(6) + u32(0x300) + u32(2))),
 ('=getcap lockout props', cmd(NS, 0x17A, u32(6) + u32(0x20E) + u32(4))),
 ('=getcap pcr props (no PCR policy/auth groups here)', cmd(NS, 0x17A, u32(7) + u32(0) + u32(13))),
 ('=flush all', None),
 ('=seq start', cmd(NS, 0x186, b2(b'') + u16(0xB))),
 ('=seq update', cmd(S, 0x15C, u32(0x80000000) + pw(b'') + b2(b'a' * 100))),
 ('=seq complete', cmd(S, 0x13E, u32(0x80000000) + pw(b'') + b2(b'b' * 100) + u32(0x40000007))),
 ('=event seq start', cmd(NS, 0x186, b2(b'') + u16(0x10))),
 ('=event seq complete', cmd(S, 0x185, u32(0x40000007) + u32(0x80000000) + pw(b'', b'') + b2(b'ev'))),
 ('=nv define 0x1500100', cmd(S, 0x12A, u32(0x40000001) + pw(b'') + b2(b'') + nvpub(0x1500100, RW | 0x02000000, 32))),
 ('=nv write', cmd(S, 0x137, u32(0x40000001) + u32(0x1500100) + pw(b'') + b2(b'hello') + u16(3))),
 ('=nv read', cmd(S, 0x14E, u32(0x40000001) + u32(0x1500100) + pw(b'') + u16(8) + u16(0))),
 ('=nv readpublic', cmd(NS, 0x169, u32(0x1500100))),
 ('=nv define extend', cmd(S, 0x12A, u32(0x40000001) + pw(b'') + b2(b'') + nvpub(0x1500101, RW | 0x40, 48, alg=0xC))),
 ('=nv extend', cmd(S, 0x136, u32(0x40000001) + u32(0x1500101) + pw(b'') + b2(b'x'))),
 ('=nv read extend', cmd(S, 0x14E, u32(0x40000001) + u32(0x1500101) + pw(b'') + u16(48) + u16(0))),
 ('=nv readpublic extend', cmd(NS, 0x169, u32(0x1500101))),
 ('=getrandom 0', cmd(NS, 0x17B, u16(0))),
 ('stirrandom 0', cmd(NS, 0x146, b2(b''))),
 ('incselftest tdes', cmd(NS, 0x142, u32(1) + u16(3))),
 ('incselftest 0', cmd(NS, 0x142, u32(0))),
 ('testparms aes192 cfb', cmd(NS, 0x18A, u16(0x25) + u16(6) + u16(192) + u16(0x43))),
 ('testparms aes256 null mode', cmd(NS, 0x18A, u16(0x25) + u16(6) + u16(256) + u16(0x10))),
 ('testparms symcipher null', cmd(NS, 0x18A, u16(0x25) + u16(0x10))),
 ('testparms keyedhash hmac', cmd(NS, 0x18A, u16(8) + u16(5) + u16(0xB))),
 ('testparms keyedhash xor', cmd(NS, 0x18A, u16(8) + u16(0xA) + u16(0xB) + u16(0x22))),
 ('testparms keyedhash null', cmd(NS, 0x18A, u16(8) + u16(0x10))),
 ('testparms rsa3072 oaep', cmd(NS, 0x18A, u16(1) + u16(0x10) + u16(0x17) + u16(4) + u16(3072) + u32(0))),
 ('testparms rsa2048 aes sym', cmd(NS, 0x18A, u16(1) + u16(6) + u16(128) + u16(0x43) + u16(0x10) + u16(2048) + u32(65537))),
 ('testparms ecc384 ecdh', cmd(NS, 0x18A, u16(0x23) + u16(0x10) + u16(0x19) + u16(0xC) + u16(4) + u16(0x10))),
 ('testparms ecc256 ecdsa sha512', cmd(NS, 0x18A, u16(0x23) + u16(0x10) + u16(0x18) + u16(0xD) + u16(3) + u16(0x10))),
 ('testparms trailing', cmd(NS, 0x18A, u16(8) + u16(0x10) + b'\0')),
 ('~pcr_read select 1 byte', cmd(NS, 0x17E, u32(1) + u16(0xB) + b'\x01\x03')),
 ('~pcr_read select 0 bytes', cmd(NS, 0x17E, u32(1) + u16(0xB) + b'\x00')),
 ('~pcr_read two banks', cmd(NS, 0x17E, u32(2) + u16(0xB) + b'\x03\x03\0\0' + u16(4) + b'\x03\x01\0\0')),
 ('~pcr_read empty list', cmd(NS, 0x17E, u32(0))),
 ('=hash empty', cmd(NS, 0x17D, b2(b'') + u16(0xD) + u32(0x40000007))),
 ('hash owner ticket', cmd(NS, 0x17D, b2(b'abc') + u16(0xB) + u32(0x40000001))),
 ('=evseq2 start', cmd(NS, 0x186, b2(b'e') + u16(0x10))),
 ('evseq2 complete pcr17 loc0', cmd(S, 0x185, u32(17) + u32(0x80000000) + pw(b'', b'e') + b2(b''))),
 ('evseq2 complete wrong pw', cmd(S, 0x185, u32(0x40000007) + u32(0x80000000) + pw(b'', b'x') + b2(b''))),
 ('=evseq2 complete null', cmd(S, 0x185, u32(0x40000007) + u32(0x80000000) + pw(b'', b'e') + b2(b'x'))),
 ('=seq3 start', cmd(NS, 0x186, b2(b'') + u16(0x4))),
 ('=seq4 start', cmd(NS, 0x186, b2(b'') + u16(0xC))),
 ('=getcap transient handles', cmd(NS, 0x17A, u32(1) + u32(0x80000000) + u32(10))),
 ('seqcomplete on event? no: on sha1', cmd(S, 0x13E, u32(0x80000000) + pw(b'') + b2(b'') + u32(0x40000007))),
 ('=getcap transient after', cmd(NS, 0x17A, u32(1) + u32(0x80000000) + u32(10))),
 ('flush seq4', cmd(NS, 0x165, u32(0x80000001))),
 ('nv define platform idx', cmd(S, 0x12A, u32(0x4000000C) + pw(b'') + b2(b'') + nvpub(0x1500300, 0x00010001 | 0x40000000 | 0x00060006, 8))),
 ('nv undefine platform idx by owner', cmd(S, 0x122, u32(0x40000001) + u32(0x1500300) + pw(b''))),
 ('nv write platform idx with pp', cmd(S, 0x137, u32(0x4000000C) + u32(0x1500300) + pw(b'') + b2(b'ab') + u16(0))),
 ('nv write owner idx with platform', cmd(S, 0x137, u32(0x4000000C) + u32(0x1500100) + pw(b'') + b2(b'ab') + u16(0))),
 ('hiercontrol platform_nv off', cmd(S, 0x121, u32(0x4000000C) + pw(b'') + u32(0x4000000D) + b'\x00')),
 ('nv read platform idx when phEnableNV off', cmd(S, 0x14E, u32(0x4000000C) + u32(0x1500300) + pw(b'') + u16(2) + u16(0))),
 ('nv readpublic platform idx when off', cmd(NS, 0x169, u32(0x1500300))),
 ('hiercontrol platform_nv on', cmd(S, 0x121, u32(0x4000000C) + pw(b'') + u32(0x4000000D) + b'\x01')),
 ('=nv readpublic platform idx', cmd(NS, 0x169, u32(0x1500300))),
 ('hiercontrol owner off', cmd(S, 0x121, u32(0x4000000C) + pw(b'') + u32(0x40000001) + b'\x00')),
 ('nv read owner idx when sh off', cmd(S, 0x14E, u32(0x1500100) + u32(0x1500100) + pw(b'') + u16(2) + u16(0))),
 ('hash owner when sh off', cmd(NS, 0x17D, b2(b'abc') + u16(0xB) + u32(0x40000001))),
 ('hiercontrol owner on', cmd(S, 0x121, u32(0x4000000C) + pw(b'') + u32(0x40000001) + b'\x01')),
 ('setprimarypolicy endorsement', cmd(S, 0x12E, u32(0x4000000B) + pw(b'') + b2(b'\x01' * 32) + u16(0xB))),
 ('setprimarypolicy lockout sha1', cmd(S, 0x12E, u32(0x4000000A) + pw(b'') + b2(b'\x02' * 20) + u16(4))),
 ('changeeps', cmd(S, 0x124, u32(0x4000000C) + pw(b''))),
 ('changepps', cmd(S, 0x125, u32(0x4000000C) + pw(b''))),
 ('%readclock before clear', cmd(NS, 0x181)),
 ('clear by platform', cmd(S, 0x126, u32(0x4000000C) + pw(b''))),
 ('%readclock after clear', cmd(NS, 0x181)),
 ('=nv handles after clear', cmd(NS, 0x17A, u32(1) + u32(0x01000000) + u32(20))),
 ('clearcontrol platform yes', cmd(S, 0x127, u32(0x4000000C) + pw(b'') + b'\x01')),
 ('clear disabled', cmd(S, 0x126, u32(0x4000000C) + pw(b''))),
 ('clearcontrol platform no', cmd(S, 0x127, u32(0x4000000C) + pw(b'') + b'\x00')),
 ('pcr_allocate sha1 off', cmd(S, 0x12B, u32(0x4000000C) + pw(b'') + u32(1) + u16(4) + b'\x03\0\0\0')),
 ('pcr_allocate sm3', cmd(S, 0x12B, u32(0x4000000C) + pw(b'') + u32(1) + u16(0x12) + b'\x03\0\0\0')),
 ('hiercontrol platform off', cmd(S, 0x121, u32(0x4000000C) + pw(b'') + u32(0x4000000C) + b'\x00')),
 ('platform cmd when ph off', cmd(S, 0x125, u32(0x4000000C) + pw(b''))),
 ('hiercontrol owner by owner to on', cmd(S, 0x121, u32(0x40000001) + pw(b'') + u32(0x40000001) + b'\x01')),
 ('nv: define 2k', cmd(S, 0x12A, u32(0x40000001) + pw(b'') + b2(b'') + nvpub(0x1500400, RW | 0x02000000, 2048))),
 ('nv: read unwritten (NO_DA)', cmd(S, 0x14E, u32(0x40000001) + u32(0x1500400) + pw(b'') + u16(8) + u16(0))),
 ('nv: write 1024 at 1024', cmd(S, 0x137, u32(0x40000001) + u32(0x1500400) + pw(b'') + b2(b'\x5a' * 1024) + u16(1024))),
 ('nv: write 0 bytes at end', cmd(S, 0x137, u32(0x40000001) + u32(0x1500400) + pw(b'') + b2(b'') + u16(2048))),
 ('nv: write 1025', cmd(S, 0x137, u32(0x40000001) + u32(0x1500400) + pw(b'') + b2(b'\x5a' * 1025) + u16(0))),
 ('=nv: read 1024 at 1024', cmd(S, 0x14E, u32(0x40000001) + u32(0x1500400) + pw(b'') + u16(1024) + u16(1024))),
 ('=nv: read first 16 (erased)', cmd(S, 0x14E, u32(0x40000001) + u32(0x1500400) + pw(b'') + u16(16) + u16(0))),
 ('nv: read 1100', cmd(S, 0x14E, u32(0x40000001) + u32(0x1500400) + pw(b'') + u16(1100) + u16(0))),
 ('=nv: read 0', cmd(S, 0x14E, u32(0x40000001) + u32(0x1500400) + pw(b'') + u16(0) + u16(0))),
 ('nv: define bits', cmd(S, 0x12A, u32(0x40000001) + pw(b'') + b2(b'') + nvpub(0x1500401, RW | 0x02000000 | 0x20, 8))),
 ('nv: read bits unwritten', cmd(S, 0x14E, u32(0x40000001) + u32(0x1500401) + pw(b'') + u16(8) + u16(0))),
 ('nv: setbits', cmd(S, 0x135, u32(0x40000001) + u32(0x1500401) + pw(b'') + u64(0x8000000000000001))),
 ('=nv: read bits', cmd(S, 0x14E, u32(0x40000001) + u32(0x1500401) + pw(b'') + u16(8) + u16(0))),
 ('nv: define extend sha384', cmd(S, 0x12A, u32(0x40000001) + pw(b'') + b2(b'') + nvpub(0x1500402, RW | 0x02000000 | 0x40, 48, alg=0xC))),
 ('nv: extend 1025', cmd(S, 0x136, u32(0x40000001) + u32(0x1500402) + pw(b'') + b2(b'a' * 1025))),
 ('nv: define writedefine', cmd(S, 0x12A, u32(0x40000001) + pw(b'') + b2(b'') + nvpub(0x1500403, RW | 0x02000000 | 0x2000, 8))),
 ('nv: writedefine lock before write', cmd(S, 0x138, u32(0x40000001) + u32(0x1500403) + pw(b''))),
 ('nv: writedefine write after lock', cmd(S, 0x137, u32(0x40000001) + u32(0x1500403) + pw(b'') + b2(b'12345678') + u16(0))),
 ('nv: define writedefine 2', cmd(S, 0x12A, u32(0x40000001) + pw(b'') + b2(b'') + nvpub(0x1500409, RW | 0x02000000 | 0x2000, 8))),
 ('nv: writedefine 2 write', cmd(S, 0x137, u32(0x40000001) + u32(0x1500409) + pw(b'') + b2(b'12345678') + u16(0))),
 ('nv: writedefine 2 lock', cmd(S, 0x138, u32(0x40000001) + u32(0x1500409) + pw(b''))),
 ('nv: define wstclear', cmd(S, 0x12A, u32(0x40000001) + pw(b'') + b2(b'') + nvpub(0x1500404, RW | 0x02000000 | 0x4000 | 0x80000000, 8))),
 ('nv: wstclear write', cmd(S, 0x137, u32(0x40000001) + u32(0x1500404) + pw(b'') + b2(b'12345678') + u16(0))),
 ('nv: wstclear lock', cmd(S, 0x138, u32(0x40000001) + u32(0x1500404) + pw(b''))),
 ('nv: rstclear lock', cmd(S, 0x14F, u32(0x40000001) + u32(0x1500404) + pw(b''))),
 ('=nv: readpublic locked', cmd(NS, 0x169, u32(0x1500404))),
 ('nv: define clear_stclear', cmd(S, 0x12A, u32(0x40000001) + pw(b'') + b2(b'') + nvpub(0x1500405, RW | 0x02000000 | 0x08000000, 8))),
 ('nv: clear_stclear write', cmd(S, 0x137, u32(0x40000001) + u32(0x1500405) + pw(b'') + b2(b'12345678') + u16(0))),
 ('nv: define globallock', cmd(S, 0x12A, u32(0x40000001) + pw(b'') + b2(b'') + nvpub(0x1500406, RW | 0x02000000 | 0x8000, 8))),
 ('nv: globallock', cmd(S, 0x132, u32(0x40000001) + pw(b''))),
 ('nv: write globallocked', cmd(S, 0x137, u32(0x40000001) + u32(0x1500406) + pw(b'') + b2(b'1') + u16(0))),
 ('=nv: readpublic globallocked', cmd(NS, 0x169, u32(0x1500406))),
 ('nv: define counter 2', cmd(S, 0x12A, u32(0x40000001) + pw(b'') + b2(b'') + nvpub(0x1500407, RW | 0x02000000 | 0x10, 8))),
 ('nv: increment', cmd(S, 0x134, u32(0x40000001) + u32(0x1500407) + pw(b''))),
 ('nv: define platform policy-delete', cmd(S, 0x12A, u32(0x4000000C) + pw(b'') + b2(b'') + nvpub(0x1500408, 0x00060006 | 0x40000000 | 0x400, 8, pol=b'\x00' * 32))),
 ('nv: undefine policy-delete', cmd(S, 0x122, u32(0x4000000C) + u32(0x1500408) + pw(b''))),
 ('!save seq', cmd(NS, 0x186, b2(b'') + u16(0xB))),
 ('seq: update', cmd(S, 0x15C, u32(0x80000000) + pw(b'') + b2(b'abc'))),
 ('!ctxsave seq', cmd(NS, 0x162, u32(0x80000000))),
 ('seq: flush', cmd(NS, 0x165, u32(0x80000000))),
 ('!ctxload seq', None),
 ('=seq: complete after reload', cmd(S, 0x13E, u32(0x80000000) + pw(b'') + b2(b'def') + u32(0x40000007))),
 ('!ctxload seq again (same blob twice)', None),
 ('seq: flush 2', cmd(NS, 0x165, u32(0x80000000))),
 ('!ctxload-corrupt seq', None),
 ('!ctxload-truncated seq', None),
 # HMAC with a keyed-hash primary whose key is given (deterministic on both TPMs)
 ('hmac: createprimary keyedhash', cmd(S, 0x131, u32(0x40000007) + pw(b'') +
     b2(b2(b'') + b2(b'hmac-key-bytes')) +
     b2(u16(8) + u16(0xB) + u32(0x00040052) + b2(b'') + u16(5) + u16(0xB) + b2(b'')) +
     b2(b'') + u32(0))),
 ('=hmac: one-shot', cmd(S, 0x155, u32(0x80000000) + pw(b'') + b2(b'data' * 50) + u16(0x10))),
 ('hmac: hash differs from scheme', cmd(S, 0x155, u32(0x80000000) + pw(b'') + b2(b'data') + u16(4))),
 ('=hmac: start', cmd(S, 0x15B, u32(0x80000000) + pw(b'') + b2(b'sq') + u16(0xB))),
 ('hmac: update', cmd(S, 0x15C, u32(0x80000001) + pw(b'sq') + b2(b'data' * 25))),
 ('=hmac: complete', cmd(S, 0x13E, u32(0x80000001) + pw(b'sq') + b2(b'data' * 25) + u32(0x40000001))),
 ('hmac: flush key', cmd(NS, 0x165, u32(0x80000000))),
 ('hmac: createprimary sealed data', cmd(S, 0x131, u32(0x40000007) + pw(b'') +
     b2(b2(b'') + b2(b'secret')) +
     b2(u16(8) + u16(0xB) + u32(0x00000052) + b2(b'') + u16(0x10) + b2(b'')) +
     b2(b'') + u32(0))),
 ('hmac: on sealed data object', cmd(S, 0x155, u32(0x80000000) + pw(b'') + b2(b'data') + u16(0xB))),
 ('hmac_start: on sealed data object', cmd(S, 0x15B, u32(0x80000000) + pw(b'') + b2(b'') + u16(0xB))),
 ('hmac: flush sealed', cmd(NS, 0x165, u32(0x80000000))),
 ('hmac: createprimary keyedhash no scheme', cmd(S, 0x131, u32(0x40000007) + pw(b'') +
     b2(b2(b'') + b2(b'k')) +
     b2(u16(8) + u16(0xB) + u32(0x00040052) + b2(b'') + u16(0x10) + b2(b'')) +
     b2(b'') + u32(0))),
 ('hmac: null hash with no scheme', cmd(S, 0x155, u32(0x80000000) + pw(b'') + b2(b'data') + u16(0x10))),
 ('=hmac: sha384 with no scheme', cmd(S, 0x155, u32(0x80000000) + pw(b'') + b2(b'data') + u16(0xC))),
 ('hmac: flush 3', cmd(NS, 0x165, u32(0x80000000))),
 # power cycles (swtpm control channel CMD_INIT on both): orderly and disorderly start-up
 ('~pcr_extend 5', cmd(S, 0x182, u32(5) + pw(b'') + u32(1) + u16(0xB) + b'\x33' * 32)),
 ('shutdown state', cmd(NS, 0x145, u16(1))),
 ('POWER', None),
 ('startup state after shutdown state', cmd(NS, 0x144, u16(1))),
 ('%readclock after resume', cmd(NS, 0x181)),
 ('~pcr_read 5 after resume', cmd(NS, 0x17E, u32(1) + u16(0xB) + b'\x03\x20\0\0')),
 ('da: used before power loss', cmd(S, 0x14E, u32(0x1500200) + u32(0x1500200) + pw(b'pw') + u16(8) + u16(0))),
 ('POWER', None),
 ('startup state after disorderly', cmd(NS, 0x144, u16(1))),
 ('startup clear after disorderly', cmd(NS, 0x144, u16(0))),
 ('=startup_clear attrs after disorderly', cmd(NS, 0x17A, u32(6) + u32(0x201) + u32(1))),
 ('lockout counter after disorderly', cmd(NS, 0x17A, u32(6) + u32(0x20E) + u32(1))),
 ('~pcr_read 5 after reset', cmd(NS, 0x17E, u32(1) + u16(0xB) + b'\x03\x20\0\0')),
 ('shutdown clear', cmd(NS, 0x145, u16(0))),
 ('POWER', None),
 ('startup state after shutdown clear', cmd(NS, 0x144, u16(1))),
 ('startup clear after shutdown clear', cmd(NS, 0x144, u16(0))),
 ('=startup_clear attrs after orderly', cmd(NS, 0x17A, u32(6) + u32(0x201) + u32(1))),
 ('%readclock after reset', cmd(NS, 0x181)),
 ('lockout counter after orderly', cmd(NS, 0x17A, u32(6) + u32(0x20E) + u32(1))),
 ('shutdown state 2', cmd(NS, 0x145, u16(1))),
 ('POWER', None),
 ('startup clear after shutdown state (restart)', cmd(NS, 0x144, u16(0))),
 ('~pcr_read 5 after restart', cmd(NS, 0x17E, u32(1) + u16(0xB) + b'\x03\x20\0\0')),
 ('%readclock after restart', cmd(NS, 0x181)),
 # localities (swtpm control channel CMD_SET_LOCALITY on both)
 ('LOCALITY 4', None),
 ('pcr_reset 17 loc4', cmd(S, 0x13D, u32(17) + pw(b''))),
 ('pcr_reset 16 loc4', cmd(S, 0x13D, u32(16) + pw(b''))),
 ('pcr_extend 19 loc4', cmd(S, 0x182, u32(19) + pw(b'') + u32(1) + u16(0xB) + b'\x44' * 32)),
 ('pcr_extend 18 loc4', cmd(S, 0x182, u32(18) + pw(b'') + u32(1) + u16(0xB) + b'\x44' * 32)),
 ('LOCALITY 2', None),
 ('pcr_reset 21 loc2', cmd(S, 0x13D, u32(21) + pw(b''))),
 ('pcr_extend 21 loc2', cmd(S, 0x182, u32(21) + pw(b'') + u32(1) + u16(0xB) + b'\x44' * 32)),
 ('LOCALITY 1', None),
 ('pcr_extend 20 loc1', cmd(S, 0x182, u32(20) + pw(b'') + u32(1) + u16(0xB) + b'\x44' * 32)),
 ('pcr_extend 21 loc1', cmd(S, 0x182, u32(21) + pw(b'') + u32(1) + u16(0xB) + b'\x44' * 32)),
 ('LOCALITY 0', None),
 ('~pcr_read 16-23 sha256', cmd(NS, 0x17E, u32(1) + u16(0xB) + b'\x03\0\0\xff')),
 ('shutdown for loc3 start', cmd(NS, 0x145, u16(0))),
 ('POWER', None),
 ('LOCALITY 3', None),
 ('startup clear at locality 3', cmd(NS, 0x144, u16(0))),
 ('LOCALITY 0', None),
 ('~pcr_read 0 after a locality-3 start', cmd(NS, 0x17E, u32(2) + u16(0xB) + b'\x03\x01\0\0' + u16(4) + b'\x03\x01\0\0')),
 ('=getcap pcrs after allocate + power cycle', cmd(NS, 0x17A, u32(5) + u32(0) + u32(1))),
 ('!ctxload seq after reset', None),
 ('nv: written writedefine locked forever', cmd(S, 0x137, u32(0x40000001) + u32(0x1500409) + pw(b'') + b2(b'12345678') + u16(0))),
 ('nv: unwritten writedefine unlocked at restart', cmd(S, 0x137, u32(0x40000001) + u32(0x1500403) + pw(b'') + b2(b'12345678') + u16(0))),
 ('nv: wstclear unlocked', cmd(S, 0x137, u32(0x40000001) + u32(0x1500404) + pw(b'') + b2(b'12345678') + u16(0))),
 ('=nv: rstclear unlocked', cmd(S, 0x14E, u32(0x40000001) + u32(0x1500404) + pw(b'') + u16(8) + u16(0))),
 ('nv: clear_stclear forgotten', cmd(S, 0x14E, u32(0x40000001) + u32(0x1500405) + pw(b'') + u16(8) + u16(0))),
 ('nv: globallock gone', cmd(S, 0x137, u32(0x40000001) + u32(0x1500406) + pw(b'') + b2(b'1') + u16(0))),
 ('=nv: readpublics after restart', cmd(NS, 0x169, u32(0x1500403))),
 ('platform back after power cycle', cmd(S, 0x129, u32(0x4000000C) + pw(b'') + b2(b''))),
]

def compare(pa, ps):
    a, s = Conn(pa), Conn(ps)
    saved = {}
    for name, c in cases:
        if name.startswith('!ctxload'):
            blobs = []
            for who in ('a', 's'):
                b = saved.get(who, b'')
                if 'corrupt' in name and b:
                    b = b[:-1] + bytes([b[-1] ^ 1])
                if 'truncated' in name and b:
                    b = b[:-3]
                blobs.append(cmd(NS, 0x161, b))
            ba, bs = a.x(blobs[0]), s.x(blobs[1])
            ra, rs = rc_of(ba), rc_of(bs)
            print('%s - rc vs libtpms: %s (anchor 0x%03x, libtpms 0x%03x)'
                  % ('ok' if ra == rs else 'not ok', name[1:], ra, rs))
            continue
        if name.startswith('!ctxsave'):
            ba, bs = a.x(c), s.x(c)
            saved = {'a': ba[10:], 's': bs[10:]}
            ra, rs = rc_of(ba), rc_of(bs)
            print('%s - rc vs libtpms: %s (anchor 0x%03x, libtpms 0x%03x)'
                  % ('ok' if ra == rs else 'not ok', name[1:], ra, rs))
            continue
        if name.startswith('!'):
            name = name[1:]
        if name == 'POWER':
            power(pa + 1); power(ps + 1)
            continue
        if name.startswith('LOCALITY '):
            set_locality(pa + 1, int(name[9:])); set_locality(ps + 1, int(name[9:]))
            continue
        if c is None:
            continue
        ba, bs = a.x(c), s.x(c)
        ra, rs = rc_of(ba), rc_of(bs)
        if name.startswith('^'):   # TPM properties: same tags and moreData, values may differ
            def tags(b):
                if len(b) < 19:
                    return b
                n = struct.unpack('>I', b[15:19])[0]
                return b[:19] + b''.join(b[19 + 8 * i:23 + 8 * i] for i in range(n))
            ba, bs = tags(ba), tags(bs)
            name = '=' + name[1:]
        if name.startswith('%'):   # ReadClock: same but for time and clock
            ba, bs = ba[:10] + ba[26:], bs[:10] + bs[26:]
            name = '=' + name[1:]
        if name.startswith('~'):   # same but for pcrUpdateCounter (its start differs)
            ba, bs = ba[:10] + ba[14:], bs[:10] + bs[14:]
            name = '=' + name[1:]
        if name.startswith('=') and ra == rs == 0 and ba != bs:
            print('not ok - same response as libtpms: %s anchor %s libtpms %s'
                  % (name[1:], ba.hex(), bs.hex()))
            continue
        if name.startswith('='):
            name = 'same response bytes: ' + name[1:]
        if name in DELIBERATE:
            print('skip - rc vs libtpms: %s (anchor 0x%03x, libtpms 0x%03x): %s'
                  % (name, ra, rs, DELIBERATE[name]))
        elif ra == rs:
            print('ok - rc vs libtpms: %s (0x%03x)' % (name, ra))
        else:
            print('not ok - rc vs libtpms: %s anchor 0x%03x, libtpms 0x%03x' % (name, ra, rs))

def main():
    return run_pair('tpm2 rc vs libtpms', ANCHOR_TPMD, compare)

if __name__ == '__main__':
    sys.exit(main())
