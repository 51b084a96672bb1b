#!/usr/bin/env bash
# Makes a SoftHSM2 token for tests: a CA, and RSA 2048, ECDSA P-256 and P-384 signing keys on the
# token with their certificates. Usage: make_token.sh DIR [USER_PIN]. Writes DIR/softhsm2.conf
# (export SOFTHSM2_CONF=DIR/softhsm2.conf to use it), DIR/ca.pem, DIR/ca.crl and DIR/<key>.pem.
set -euo pipefail
dir=$(realpath -m "$1")
pin=${2:-123456}
so_pin=87654321
module=${EVIDENTIA_PKCS11_MODULE:-/usr/lib/softhsm/libsofthsm2.so}
label="Evidentia Test"

rm -rf "$dir" && mkdir -p "$dir/tokens"
printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' "$dir" >"$dir/softhsm2.conf"
export SOFTHSM2_CONF="$dir/softhsm2.conf"
cd "$dir"

softhsm2-util --init-token --free --label "$label" --so-pin "$so_pin" --pin "$pin" >/dev/null

openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -subj "/CN=Token Test CA" -days 30 \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
id=1
for spec in rsa:rsa_keygen_bits:2048 p256:ec_paramgen_curve:P-256 p384:ec_paramgen_curve:P-384; do
    name=${spec%%:*}
    opt=${spec#*:}
    algorithm=EC
    [ "$name" = rsa ] && algorithm=RSA
    openssl genpkey -algorithm "$algorithm" -pkeyopt "$opt" -out "$name.key" 2>/dev/null
    openssl req -new -key "$name.key" -subj "/CN=Token signer $name" -out "$name.csr"
    openssl x509 -req -in "$name.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 20 -out "$name.pem" \
        -extfile <(printf 'keyUsage=critical,digitalSignature,nonRepudiation\n') 2>/dev/null
    hex=$(printf '%02x' "$id")
    softhsm2-util --import "$name.key" --token "$label" --label "$name" --id "$hex" --pin "$pin" >/dev/null
    openssl x509 -in "$name.pem" -outform DER -out "$name.der"
    pkcs11-tool --module "$module" --token-label "$label" --login --pin "$pin" \
        --write-object "$name.der" --type cert --id "$hex" --label "$name" >/dev/null 2>&1
    rm -f "$name.key" "$name.csr" "$name.der"
    id=$((id + 1))
done
# The CA's CRL (revoking nothing), DIR/ca.crl: the revocation data a verifier is handed.
printf '[ca]\ndefault_ca=c\n[c]\ndatabase=index.txt\ncrlnumber=crlnumber\ndefault_md=sha256\ndefault_crl_days=30\ncertificate=ca.pem\nprivate_key=ca.key\n' > ca.cnf
: > index.txt
echo 01 > crlnumber
openssl ca -gencrl -config ca.cnf -out ca.crl 2>/dev/null
rm -f ca.key ca.srl ca.cnf index.txt* crlnumber*
