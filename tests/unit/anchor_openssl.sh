#!/bin/sh
# Anchoring's certificates judged by openssl (docs/anchoring.md, "Certificate profile"):
# runs anchor_unit (argv[1]), which prints its own checks and writes the CA and EK certificates
# it made (signed through an engine acting as the PTPM, and with a software key), then checks
# every certificate with openssl asn1parse / verify / x509 -text, field by field.
unit=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fails=0
ok()  { echo "ok - $1"; }
bad() { echo "not ok - $1 ${2:-}"; fails=$((fails + 1)); }
t()   { name=$1; shift; if "$@" >/dev/null 2>&1; then ok "$name"; else bad "$name"; fi; }

"$unit" "$dir" > "$dir/unit.out" 2>&1
unit_rc=$?
cat "$dir/unit.out"
[ $unit_rc -eq 0 ] || fails=$((fails + 1))

cd "$dir" || exit 1
for f in ca chain0 ek_rsa ek_ecc sw_ca sw_ek_rsa sw_ek_ecc; do
	t "asn1parse accepts $f.der" openssl asn1parse -inform der -in $f.der
	openssl x509 -inform der -in $f.der -out $f.pem 2>/dev/null
	openssl x509 -in $f.pem -text -noout > $f.txt 2>/dev/null
done
t "x509_pem gives what openssl writes" cmp ca.pem ca_ours.pem

t "verify: RSA EK certificate against the PTPM-signed CA" openssl verify -CAfile ca.pem ek_rsa.pem
t "verify: ECC EK certificate against the PTPM-signed CA" openssl verify -CAfile ca.pem ek_ecc.pem
t "verify: the CA in the NV chain index verifies itself" openssl verify -CAfile chain0.pem chain0.pem
t "verify: software-signed RSA EK certificate" openssl verify -CAfile sw_ca.pem sw_ek_rsa.pem
t "verify: software-signed ECC EK certificate" openssl verify -CAfile sw_ca.pem sw_ek_ecc.pem
t "verify: an EK certificate fails against another CA" sh -c '! openssl verify -CAfile sw_ca.pem ek_ecc.pem'
# flip one bit of the public key inside the signed part
python3 - ek_ecc.der tampered.der <<'PY'
import sys
d = bytearray(open(sys.argv[1], 'rb').read()); d[len(d) // 2] ^= 1
open(sys.argv[2], 'wb').write(d)
PY
openssl x509 -inform der -in tampered.der -out tampered.pem 2>/dev/null
t "verify: a tampered EK certificate fails" sh -c '! openssl verify -CAfile ca.pem tampered.pem'

field() { grep -A1 "$2" "$1.txt" | tail -1 | sed 's/^ *//'; }
has()   { grep -q -- "$2" "$1.txt"; }
for f in ek_rsa ek_ecc; do
	t "$f: version 3, ecdsa-with-SHA256" sh -c "grep -q 'Version: 3' $f.txt && grep -q 'Signature Algorithm: ecdsa-with-SHA256' $f.txt"
	t "$f: empty subject" grep -qx ' *Subject: *' $f.txt
	t "$f: issuer is the CA's subject" test "$(openssl x509 -in $f.pem -noout -issuer)" = \
	    "$(openssl x509 -in ca.pem -noout -subject | sed 's/^subject/issuer/')"
	t "$f: subjectAltName critical" has $f 'Subject Alternative Name: critical'
	t "$f: SAN directoryName manufacturer/model/version" has $f \
	    'DirName:/2.23.133.2.1=id:414E4348+2.23.133.2.2=Anchor vTPM+2.23.133.2.3=id:00010000'
	t "$f: basicConstraints critical CA:FALSE" sh -c "grep -A1 'Basic Constraints: critical' $f.txt | grep -q CA:FALSE"
	t "$f: extKeyUsage tcg-kp-EKCertificate" sh -c "grep -A1 'Extended Key Usage' $f.txt | grep -q 2.23.133.8.1"
	t "$f: authorityKeyIdentifier is the CA's key id" test "$(field $f 'Authority Key Identifier')" = \
	    "$(field ca 'Subject Key Identifier')"
	t "$f: not after 9999-12-31" has $f 'Not After : Dec 31 23:59:59 9999 GMT'
done
t "ek_rsa: keyUsage critical keyEncipherment only" test "$(field ek_rsa 'Key Usage: critical')" = "Key Encipherment"
t "ek_ecc: keyUsage critical keyAgreement only" test "$(field ek_ecc 'Key Usage: critical')" = "Key Agreement"
t "ek_rsa: RSA 2048, e 65537" sh -c "grep -q 'Public-Key: (2048 bit)' ek_rsa.txt && grep -q 'Exponent: 65537' ek_rsa.txt"
t "ek_ecc: P-256" grep -q 'NIST CURVE: P-256' ek_ecc.txt
t "ca: subject = issuer, names the PTPM" sh -c "grep -q 'Subject: O = Anchor, OU = platform CA, CN = PTPM' ca.txt && grep -q 'Issuer: O = Anchor, OU = platform CA, CN = PTPM' ca.txt"
t "ca: basicConstraints critical CA:TRUE" sh -c "grep -A1 'Basic Constraints: critical' ca.txt | grep -q CA:TRUE"
t "ca: keyUsage critical keyCertSign, cRLSign" test "$(field ca 'Key Usage: critical')" = "Certificate Sign, CRL Sign"

# The hashes anchor_unit printed (as the console line does) are SHA-256 of the DER SPKI.
spki() { openssl x509 -in "$1.pem" -pubkey -noout | openssl pkey -pubin -outform der | sha256sum | cut -d' ' -f1; }
line=$(grep '^# alpha ek rsa2048' unit.out)
t "console hash of the RSA EK = SHA-256 of the certificate's SPKI" sh -c "echo '$line' | grep -q 'rsa2048 sha256=$(spki ek_rsa) '"
t "console hash of the ECC EK = SHA-256 of the certificate's SPKI" sh -c "echo '$line' | grep -q 'ecc-p256 sha256=$(spki ek_ecc)\$'"

# docs/anchoring.md's derivation, recomputed in Python from the identity and the PTPM's answer.
vec=$(grep '^# vector ' unit.out)
uuid=$(echo "$vec" | sed 's/.*uuid=\([^ ]*\).*/\1/')
name=$(echo "$vec" | sed 's/.* name=\([^ ]*\).*/\1/')
secret=$(echo "$vec" | sed 's/.*secret=\([0-9a-f]*\).*/\1/')
python3 "$(dirname "$(readlink -f "$0")")/anchor_recompute.py" "$uuid" "$name" "$secret" > recomputed.txt 2>&1
for k in config_digest hmac_input eps pps sps; do
	want=$(grep "^$k=" recomputed.txt | cut -d= -f2)
	case $k in config_digest) got=$(grep '^# config_digest(alpha)' unit.out | sed 's/.*= //') ;;
	           *) got=$(grep "^# $k=" unit.out | cut -d= -f2) ;; esac
	t "docs/anchoring.md recomputed in Python: $k" test -n "$want" -a "$want" = "$got"
done

# The NV attributes next to the peer: what swtpm_setup --create-ek-cert --lock-nvram gives its
# EK certificate index, read back with tpm2_nvreadpublic in this run.
if command -v swtpm_setup >/dev/null && command -v tpm2_nvreadpublic >/dev/null; then
	mkdir -p swtpm
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	if swtpm_setup --tpm2 --tpmstate swtpm --create-ek-cert --lock-nvram --overwrite >swtpm.log 2>&1; then
		swtpm socket --tpm2 --tpmstate dir=swtpm --server type=tcp,port=$port \
			--ctrl type=tcp,port=$((port + 1)) --flags not-need-init,startup-clear &
		spid=$!
		sleep 0.5
		peer=$(TPM2TOOLS_TCTI=swtpm:host=127.0.0.1,port=$port tpm2_nvreadpublic 0x1c00002 2>/dev/null |
		       sed -n 's/^ *value: \(0x[0-9A-Fa-f]*\)$/\1/p' | sed -n 2p)
		kill $spid 2>/dev/null
		ours=$(grep -o "attrs_after_write=0x[0-9a-f]*" unit.out | head -1 | cut -d= -f2)
		t "NV attributes of the EK certificate index equal swtpm's ($peer)" \
		    test -n "$peer" -a "$((peer))" = "$((ours))"
	else
		echo "skip - NV attributes against swtpm: swtpm_setup failed"
	fi
else
	echo "skip - NV attributes against swtpm: swtpm_setup or tpm2-tools missing"
fi

exit $([ $fails -eq 0 ] && echo 0 || echo 1)
