#!/usr/bin/env python3
"""Recompute an Evidentia vault's custody chain, independently of Evidentia.

Usage: check_custody_log.py VAULT_FOLDER
       check_custody_log.py postgres://USER@HOST:PORT/DATABASE SHARED_FOLDER

Reads vault.db with Python's sqlite3 module (or a team vault's custody_events through psql's CSV
output), recomputes every event hash as specified in docs/vault.md, checks each previous-hash
link and the head witness, and prints the head.
Exit status 0 when the chain is whole, 1 with the first broken event named otherwise.
"""
import csv
import hashlib
import io
import json
import os
import sqlite3
import struct
import subprocess
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


QUERY = "SELECT seq, kind, recorded_at, record_id, payload, prev_hash, hash FROM custody_events ORDER BY seq"


def postgres_rows(url):
    out = subprocess.run(["psql", "-X", "--csv", "-v", "ON_ERROR_STOP=1", url, "-c", QUERY],
                         check=True, capture_output=True, text=True).stdout
    rows = list(csv.reader(io.StringIO(out)))[1:]
    return [(int(r[0]), r[1], r[2], r[3] or None, r[4], r[5], r[6]) for r in rows]


def main():
    if sys.argv[1].startswith(("postgres://", "postgresql://")):
        rows, vault = postgres_rows(sys.argv[1]), sys.argv[2]
    else:
        vault = sys.argv[1]
        db = sqlite3.connect(f"file:{os.path.join(vault, 'vault.db')}?mode=ro", uri=True)
        rows = db.execute(QUERY).fetchall()
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
