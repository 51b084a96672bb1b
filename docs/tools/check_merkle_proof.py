#!/usr/bin/env python3
"""Checks a record's anchor-batch inclusion proof with Python's standard library only.

Usage: evidentia --json vault show ID | python3 check_merkle_proof.py
Recomputes the record's salted leaf (docs/anchoring.md) from its SHA-256 and salt, walks the
RFC 6962 audit path (RFC 9162 section 2.1.3.2) and compares with the batch root."""

import hashlib
import json
import sys

RECORD_TAG = b"evidentia-record-leaf-v1\x00"


def main() -> int:
    detail = json.load(sys.stdin)
    inclusion = detail.get("inclusion")
    if not inclusion:
        print("the record is in no batch yet")
        return 2
    sha = bytes.fromhex(detail["digests"]["sha256"])
    salt = bytes.fromhex(inclusion["salt"])
    leaf = hashlib.sha256(b"\x00" + RECORD_TAG + salt + sha).digest()
    proof = inclusion["proof"]
    fn, sn, r = proof["leaf_index"], proof["tree_size"] - 1, leaf
    for p in (bytes.fromhex(h) for h in proof["path"]):
        if sn == 0:
            print("FAILED: the path is too long")
            return 1
        if fn & 1 or fn == sn:
            r = hashlib.sha256(b"\x01" + p + r).digest()
            while fn & 1 == 0 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = hashlib.sha256(b"\x01" + r + p).digest()
        fn >>= 1
        sn >>= 1
    if sn != 0 or r.hex() != inclusion["batch"]["root"]:
        print(f"FAILED: the proof leads to {r.hex()}, not the batch root {inclusion['batch']['root']}")
        return 1
    print(f"PASSED: leaf {proof['leaf_index']} of {proof['tree_size']} leads to root {r.hex()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
