#!/usr/bin/env python3
"""Verify an RFC 3161 time-stamp with the independent PyPI package `rfc3161-client`.

Usage: verify_with_rfc3161_client.py --token RESP.tsr --data FILE --ca ROOT.pem [--nonce N]

RESP.tsr is a DER TimeStampResp (what a TSA answers; `openssl ts -reply` and `evidentia timestamp
request` write this). Prints OK and exits 0 when the token verifies for the file against the root.
"""
import argparse
import sys

from cryptography import x509
from rfc3161_client import VerifierBuilder, decode_timestamp_response


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--token", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--ca", required=True)
    ap.add_argument("--nonce", type=int)
    args = ap.parse_args()
    response = decode_timestamp_response(open(args.token, "rb").read())
    builder = VerifierBuilder()
    for cert in x509.load_pem_x509_certificates(open(args.ca, "rb").read()):
        builder = builder.add_root_certificate(cert)
    if args.nonce is not None:
        builder = builder.nonce(args.nonce)
    try:
        builder.build().verify_message(response, open(args.data, "rb").read())
    except Exception as exc:
        print(f"FAILED: {exc}")
        sys.exit(1)
    print("OK")


if __name__ == "__main__":
    main()
