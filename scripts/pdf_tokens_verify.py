#!/usr/bin/env python3
"""Checks the signature time-stamp of every signed PDF given with `openssl ts -verify`: the token
from the CMS signature's unsigned attributes (read with pyHanko), the data its imprint covers (the
signature value), and the TSA root. Usage: pdf_tokens_verify.py ROOT.pem SIGNED.pdf...
"""
import os, subprocess, sys, tempfile
from pyhanko.pdf_utils.reader import PdfFileReader
root, files = sys.argv[1], sys.argv[2:]
bad = 0
with tempfile.TemporaryDirectory() as tmp:
    for path in files:
        with open(path, "rb") as f:
            sig = PdfFileReader(f).embedded_signatures[0]
            si = sig.signer_info
            stamps = [a["values"][0] for a in si["unsigned_attrs"] if a["type"].native == "signature_time_stamp_token"]
            if not stamps:
                bad += 1
                print(path, "carries no signature time-stamp", file=sys.stderr)
                continue
            token = stamps[0]
            tst, data = os.path.join(tmp, "t.tst"), os.path.join(tmp, "sig.bin")
            open(tst, "wb").write(token.dump())
            open(data, "wb").write(si["signature"].native)
            r = subprocess.run(["openssl", "ts", "-verify", "-token_in", "-in", tst, "-data", data, "-CAfile", root],
                               capture_output=True, text=True)
            if "Verification: OK" not in r.stdout:
                bad += 1
                print(path, r.stdout.strip(), r.stderr.strip()[:200], file=sys.stderr)
print(f"{len(files) - bad} of {len(files)} signature time-stamps pass openssl ts -verify")
sys.exit(1 if bad else 0)
