#!/usr/bin/env bash
# Makes the algorithm vectors: one detached CAdES signature over ../contract.txt per scheme, each by
# a key with its own self-signed certificate, with OpenSSL alone (keys are not kept).
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sign() { # name keygen-args md [extra cms args...]
  local name=$1 gen=$2 md=$3
  shift 3
  # shellcheck disable=SC2086
  openssl genpkey $gen -out "$tmp/$name.key" 2>/dev/null
  openssl req -x509 -new -key "$tmp/$name.key" -subj "/O=Evidentia Test/CN=$name" -days 3650 \
    -addext keyUsage=critical,digitalSignature,nonRepudiation -out "$name.pem" 2>/dev/null
  local mdargs=(-md "$md") form=(-cades)
  [ "$md" = default ] && mdargs=()
  [[ $name == *noattr* ]] && form=(-noattr)
  local input=../contract.txt
  # adbe.pkcs7.sha1 as PDF writers made it: the SignedData encapsulates SHA-1 of the signed bytes.
  if [[ $name == *sha1-digest* ]]; then
    openssl dgst -sha1 -binary ../contract.txt >"$tmp/sha1"
    input=$tmp/sha1
  fi
  openssl cms -sign -binary "${form[@]}" "${mdargs[@]}" -signer "$name.pem" -inkey "$tmp/$name.key" "$@" \
    -in "$input" -outform DER -out "$name.p7s"
  if [[ $name != *sha1-digest* && $name != *attached* ]]; then
    openssl cms -verify -binary -inform DER -in "$name.p7s" -content ../contract.txt -CAfile "$name.pem" \
      -purpose any -out /dev/null 2>&1 | sed "s/^/$name: /"
  else
    openssl cms -verify -binary -inform DER -in "$name.p7s" -CAfile "$name.pem" -purpose any -out "$tmp/out" 2>&1 \
      | sed "s/^/$name (encapsulated): /"
    cmp -s "$tmp/out" "$input" && echo "$name: encapsulates $(basename "$input")"
  fi
}
sign brainpool256 "-algorithm EC -pkeyopt ec_paramgen_curve:brainpoolP256r1" sha256
sign brainpool384 "-algorithm EC -pkeyopt ec_paramgen_curve:brainpoolP384r1" sha384
sign brainpool512 "-algorithm EC -pkeyopt ec_paramgen_curve:brainpoolP512r1" sha512
sign p521 "-algorithm EC -pkeyopt ec_paramgen_curve:P-521" sha512
sign p384-sha512 "-algorithm EC -pkeyopt ec_paramgen_curve:P-384" sha512
sign rsa-sha3 "-algorithm RSA -pkeyopt rsa_keygen_bits:2048" sha3-256
sign rsa-sha224 "-algorithm RSA -pkeyopt rsa_keygen_bits:2048" sha224
sign rsa-pss-salt20 "-algorithm RSA -pkeyopt rsa_keygen_bits:2048" sha256 \
  -keyopt rsa_padding_mode:pss -keyopt rsa_pss_saltlen:20
sign rsa-pss-sha512 "-algorithm RSA -pkeyopt rsa_keygen_bits:3072" sha512 \
  -keyopt rsa_padding_mode:pss -keyopt rsa_pss_saltlen:64
sign rsa-sha1 "-algorithm RSA -pkeyopt rsa_keygen_bits:2048" sha1
sign rsa-sha1-digest "-algorithm RSA -pkeyopt rsa_keygen_bits:2048" sha256 -nodetach
sign p256-attached "-algorithm EC -pkeyopt ec_paramgen_curve:P-256" sha256 -nodetach
sign rsa-noattr "-algorithm RSA -pkeyopt rsa_keygen_bits:2048" sha256
sign p256-noattr "-algorithm EC -pkeyopt ec_paramgen_curve:P-256" sha384
