#!/usr/bin/env python3
"""Verify an RFC 3161 time-stamp for a file with the independent PyPI package `rfc3161-client`.

Usage: verify_with_rfc3161_client.py --token TOKEN --data FILE --ca ROOT.pem [--nonce N]
                                     [--tsa-cert TSA.pem]

TOKEN is DER, either a whole TimeStampResp (what a TSA answers: `openssl ts -reply -out` and
`evidentia timestamp request` write this) or a bare TimeStampToken, the CMS ContentInfo
(`openssl ts -reply -token_out`); a bare token is wrapped in a "granted" TimeStampResp first.
--nonce takes decimal or 0x-prefixed hex (as `openssl ts -query -text` prints it).
--tsa-cert gives the TSA certificate for tokens that do not embed it (certReq false).

Prints OK and exits 0 when the token verifies for the file against the root; otherwise prints
FAILED and the reason, and exits 1.
"""
import argparse
import sys

from cryptography import x509
from rfc3161_client import PKIStatus, VerifierBuilder, decode_timestamp_response


def tlv_length(data, pos):
    """(content start, content end) of the DER element at pos."""
    length, start = data[pos + 1], pos + 2
    if length & 0x80:
        n = length & 0x7F
        length, start = int.from_bytes(data[start:start + n], "big"), start + n
    return start, start + length


def sequence(content):
    n = len(content)
    if n < 0x80:
        return bytes([0x30, n]) + content
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x30, 0x80 | len(raw)]) + raw + content


def as_response(der):
    """The TimeStampResp for a TimeStampResp or a bare TimeStampToken (ContentInfo)."""
    if len(der) < 4 or der[0] != 0x30:
        raise ValueError("not a DER SEQUENCE")
    start, _ = tlv_length(der, 0)
    if der[start] == 0x06:  # ContentInfo begins with its contentType OID: a bare token
        granted = sequence(bytes.fromhex("020100"))  # PKIStatusInfo { status granted (0) }
        return sequence(granted + der)
    return der


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--token", required=True, help="DER TimeStampResp or TimeStampToken")
    ap.add_argument("--data", required=True, help="the time-stamped file")
    ap.add_argument("--ca", required=True, help="PEM root certificate(s) to trust")
    ap.add_argument("--nonce", type=lambda text: int(text, 0), help="the nonce of the request")
    ap.add_argument("--tsa-cert", help="PEM TSA certificate, for tokens that do not embed it")
    args = ap.parse_args()
    try:
        with open(args.token, "rb") as f:
            response = decode_timestamp_response(as_response(f.read()))
        if response.status not in (PKIStatus.GRANTED, PKIStatus.GRANTED_WITH_MODS):
            text = "; ".join(response.status_string)
            raise ValueError(f"the TSA did not grant a token: status {response.status} ({text})")
        builder = VerifierBuilder()
        with open(args.ca, "rb") as f:
            for cert in x509.load_pem_x509_certificates(f.read()):
                builder = builder.add_root_certificate(cert)
        if args.tsa_cert:
            with open(args.tsa_cert, "rb") as f:
                builder = builder.tsa_certificate(x509.load_pem_x509_certificate(f.read()))
        if args.nonce is not None:
            builder = builder.nonce(args.nonce)
        with open(args.data, "rb") as f:
            builder.build().verify_message(response, f.read())
    except Exception as exc:  # any reason at all is a failed verification, reported as such
        print(f"FAILED: {exc}")
        sys.exit(1)
    print("OK")


if __name__ == "__main__":
    main()
