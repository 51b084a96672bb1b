#!/usr/bin/env python3
"""Recompute an Evidentia work digest from a folder, independently of Evidentia.

Usage: work_digest.py FOLDER [ALGORITHMS]     (ALGORITHMS: comma-separated, default sha256)

Prints the canonical manifest's digest for each algorithm, as `evidentia hash --work` does.
The format is specified in docs/work-manifest.md; this script uses only the Python standard library.
"""
import hashlib
import json
import os
import sys
import unicodedata

ORDER = ["sha256", "sha384", "sha512", "sm3"]


def file_digests(path, algorithms):
    hashers = {a: hashlib.new(a) for a in algorithms}
    size = 0
    with open(path, "rb") as f:
        while True:
            chunk = f.read(1 << 20)
            if not chunk:
                break
            size += len(chunk)
            for h in hashers.values():
                h.update(chunk)
    return size, {a: hashers[a].hexdigest() for a in algorithms}


def manifest_bytes(root, algorithms):
    algorithms = sorted(set(algorithms), key=ORDER.index)
    entries = []
    for dirpath, dirnames, filenames in os.walk(root):
        for name in filenames:
            full = os.path.join(dirpath, name)
            if os.path.islink(full) or not os.path.isfile(full):
                raise SystemExit(f"{full}: not a regular file (Evidentia refuses links and special files)")
            rel = os.path.relpath(full, root).replace(os.sep, "/")
            rel = unicodedata.normalize("NFC", rel)
            size, digests = file_digests(full, algorithms)
            entries.append({"path": rel, "size": size, "digests": digests})
    entries.sort(key=lambda e: e["path"].encode("utf-8"))
    manifest = {"format": "evidentia-work-manifest/1", "algorithms": algorithms, "files": entries}
    return json.dumps(manifest, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def main():
    root = sys.argv[1]
    algorithms = sys.argv[2].split(",") if len(sys.argv) > 2 else ["sha256"]
    data = manifest_bytes(root, algorithms)
    for a in sorted(set(algorithms), key=ORDER.index):
        print(f"{hashlib.new(a, data).hexdigest()}  {root}")


if __name__ == "__main__":
    main()
