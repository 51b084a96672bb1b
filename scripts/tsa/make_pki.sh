#!/usr/bin/env bash
# Makes the test PKI and `openssl ts` configuration of the local RFC 3161 TSA: make_pki.sh OUTDIR.
# A root, time-stamping certificates (honest and deliberately flawed) and ts.cnf.
# Idempotent: does nothing once OUTDIR/ready exists. Needs openssl and faketime.
set -euo pipefail
out="${1:?usage: make_pki.sh OUTDIR}"
[ -f "$out/ready-2" ] && exit 0
command -v faketime >/dev/null || { echo "make_pki.sh: needs faketime (Debian package)" >&2; exit 1; }
mkdir -p "$out"
cd "$out"

cat > ext.cnf <<'CNF'
[ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[tsa]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
extendedKeyUsage = critical,timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[noeku]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF

# Certificates start one day back, so that answers from /skew/-N still fall inside their validity.
back=(faketime -f -1d)

root() { # name subject
  "${back[@]}" openssl req -x509 -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.pem" \
    -days 3650 -subj "$2" -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
}
key() { # name rsa|ec
  if [ "$2" = ec ]; then
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null
  else
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1.key" 2>/dev/null
  fi
}
leaf() { # name subject issuer rsa|ec extensions-section days [command prefix, e.g. faketime DATE]
  local name=$1 subject=$2 issuer=$3 kind=$4 ext=$5 days=$6
  shift 6
  key "$name" "$kind"
  openssl req -new -key "$name.key" -out "$name.csr" -subj "$subject" 2>/dev/null
  "$@" openssl x509 -req -in "$name.csr" -CA "$issuer.pem" -CAkey "$issuer.key" -CAcreateserial \
    -days "$days" -extfile ext.cnf -extensions "$ext" -out "$name.pem" 2>/dev/null
  rm -f "$name.csr"
}

root root-ca "/O=Evidentia Sandbox/CN=Evidentia Sandbox Root CA"
root other-root "/O=Somebody Else/CN=Unrelated Root CA"
leaf tsa "/O=Evidentia Sandbox/CN=Evidentia Sandbox TSA" root-ca rsa tsa 1825 "${back[@]}"
leaf tsa-ec "/O=Evidentia Sandbox/CN=Evidentia Sandbox TSA (EC)" root-ca ec tsa 1825 "${back[@]}"
leaf tsa-noeku "/O=Evidentia Sandbox/CN=TSA without timeStamping" root-ca rsa noeku 1825 "${back[@]}"
# Valid only in 2020: signed with the clock set back (libfaketime).
leaf tsa-expired "/O=Evidentia Sandbox/CN=Expired TSA" root-ca rsa tsa 365 faketime "2020-01-01 00:00:00"
leaf tsa-untrusted "/O=Somebody Else/CN=TSA under an unrelated root" other-root rsa tsa 1825 "${back[@]}"
# Certificates for proofs that must be renewed: valid two years, and ten (the root is valid ten).
leaf tsa-two-years "/O=Evidentia Sandbox/CN=TSA valid two years" root-ca rsa tsa 730 "${back[@]}"
leaf tsa-ten-years "/O=Evidentia Sandbox/CN=TSA valid ten years" root-ca rsa tsa 3640 "${back[@]}"
# Issued by the TSA certificate itself, which is no CA: a chain a careful verifier refuses.
leaf tsa-leaf-issued "/O=Evidentia Sandbox/CN=TSA issued by a non-CA" tsa rsa tsa 1825 "${back[@]}"

section() { # name, extra lines
  cat <<CNF

[$1]
dir = .
serial = ./serial
crypto_device = builtin
signer_digest = sha256
default_policy = 1.3.6.1.4.1.99999.1.1
other_policies = 1.3.6.1.4.1.99999.1.2
digests = sha256, sha384, sha512, sm3
ordering = no
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
$2
CNF
}
{
  printf '[tsa]\ndefault_tsa = honest\n'
  section honest "accuracy = secs:1"
  section fractional "accuracy = secs:0, millisecs:1
clock_precision_digits = 3"
} > ts.cnf
echo 01 > serial
touch ready-2
