#!/usr/bin/env python3
"""Recompute an Evidentia vault's custody chain, independently of Evidentia.

Usage: check_custody_log.py VAULT_FOLDER

Reads vault.db with Python's sqlite3 module, recomputes every event hash as specified in
docs/vault.md, checks each previous-hash link and the head witness, and prints the head.
Exit status 0 when the chain is whole, 1 with the first broken event named otherwise.
"""
import hashlib
import json
import os
import sqlite3
import struct
import sys

TAG = b"evidentia-custody-v1\x00"
GENESIS = "0" * 64


def event_hash(seq, kind, recorded_at, record_id, payload, prev_hash):
    data = bytearray(TAG)
    data += struct.pack(">Q", seq)
    for field in (kind, recorded_at, record_id or "", payload, prev_hash):
        raw = field.encode("utf-8")
        data += struct.pack(">I", len(raw)) + raw
    return hashlib.sha256(bytes(data)).hexdigest()


def main():
    vault = sys.argv[1]
    db = sqlite3.connect(f"file:{os.path.join(vault, 'vault.db')}?mode=ro", uri=True)
    rows = db.execute(
        "SELECT seq, kind, recorded_at, record_id, payload, prev_hash, hash FROM custody_events ORDER BY seq"
    ).fetchall()
    prev, expected = GENESIS, 1
    for seq, kind, at, rid, payload, prev_hash, h in rows:
        if seq != expected:
            sys.exit(f"event #{expected}: missing")
        if event_hash(seq, kind, at, rid, payload, prev_hash) != h:
            sys.exit(f"event #{seq}: content does not match its hash")
        if prev_hash != prev:
            sys.exit(f"event #{seq}: previous-hash link broken")
        prev, expected = h, seq + 1
    witness_path = os.path.join(vault, "head.json")
    if os.path.exists(witness_path):
        witness = json.load(open(witness_path))
        if witness["seq"] > len(rows) or rows[witness["seq"] - 1][6] != witness["hash"]:
            sys.exit(f"event #{witness['seq']}: log does not reach the head witness")
    print(f"{len(rows)} events, head {prev}")


if __name__ == "__main__":
    main()
