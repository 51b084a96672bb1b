#!/usr/bin/env python3
"""Check an RFC 4998 evidence record (.ers) over the files it covers, independently of Evidentia.

Usage: check_evidence_record.py RECORD.ers FILE [FILE...] [--ca ROOT.pem]

Reads the DER itself (Python's standard library only), recomputes every archive time-stamp's
reduced hash tree (RFC 4998 section 4.3: a level of one value is that value; several are sorted
as unsigned bytes and hashed concatenated; each level's result joins the next), checks that

- the first archive time-stamp's tree holds the digest of each FILE,
- each later time-stamp of a chain holds the digest of the token it renews (its DER),
- the first time-stamp of each later chain holds H(H(FILE) || H(the chains before)) for each FILE,

and, with --ca, has `openssl ts -verify` check each token over its tree's root. Exit status 0
when every check holds, 1 with the first failure named otherwise.
"""
import hashlib
import os
import subprocess
import sys
import tempfile

HASHES = {
    "2.16.840.1.101.3.4.2.1": "sha256",
    "2.16.840.1.101.3.4.2.2": "sha384",
    "2.16.840.1.101.3.4.2.3": "sha512",
    "2.16.840.1.101.3.4.2.4": "sha224",
    "2.16.840.1.101.3.4.2.8": "sha3_256",
    "2.16.840.1.101.3.4.2.9": "sha3_384",
    "2.16.840.1.101.3.4.2.10": "sha3_512",
    "1.3.14.3.2.26": "sha1",
}


def tlv(data, pos):
    """(tag, content start, end) of the element at pos (DER: definite lengths)."""
    tag = data[pos]
    length = data[pos + 1]
    start = pos + 2
    if length & 0x80:
        n = length & 0x7F
        length = int.from_bytes(data[start:start + n], "big")
        start += n
    return tag, start, start + length


def children(data, start, end):
    out = []
    pos = start
    while pos < end:
        tag, s, e = tlv(data, pos)
        out.append((tag, pos, s, e))
        pos = e
    return out


def oid(content):
    first = content[0]
    parts = [first // 40, first % 40]
    value = 0
    for b in content[1:]:
        value = (value << 7) | (b & 0x7F)
        if not b & 0x80:
            parts.append(value)
            value = 0
    return ".".join(str(p) for p in parts)


def digest(name, data):
    return hashlib.new(name, data).digest()


def root_of(name, tree):
    below = None
    for level in tree:
        values = list(level) + ([below] if below is not None else [])
        below = values[0] if len(values) == 1 else digest(name, b"".join(sorted(values)))
    return below


def read_record(data):
    _, s, e = tlv(data, 0)
    parts = children(data, s, e)
    sequence = parts[-1]
    chains = []
    for chain in children(data, sequence[2], sequence[3]):
        stamps = []
        for ats in children(data, chain[2], chain[3]):
            algorithm, tree, token = None, [], None
            for tag, pos, cs, ce in children(data, ats[2], ats[3]):
                if tag == 0xA0:
                    inner = children(data, cs, ce)
                    first = inner[0]
                    if first[0] == 0x30:  # written EXPLICIT
                        first = children(data, first[2], first[3])[0]
                    algorithm = HASHES.get(oid(data[first[2]:first[3]]))
                elif tag == 0xA2:
                    for level in children(data, cs, ce):
                        tree.append([data[v[2]:v[3]] for v in children(data, level[2], level[3])])
                elif tag == 0x30:
                    token = data[pos:ce]
            stamps.append({"algorithm": algorithm, "tree": tree, "token": token})
        chains.append({"raw": data[chain[1]:chain[3]], "stamps": stamps})
    return chains


def der_sequence(content):
    n = len(content)
    if n < 0x80:
        head = bytes([0x30, n])
    else:
        size = n.to_bytes((n.bit_length() + 7) // 8, "big")
        head = bytes([0x30, 0x80 | len(size)]) + size
    return head + content


def openssl_verify(root, token, ca):
    with tempfile.NamedTemporaryFile(suffix=".tst", delete=False) as f:
        f.write(token)
        path = f.name
    try:
        done = subprocess.run(["openssl", "ts", "-verify", "-digest", root.hex(), "-token_in", "-in", path,
                               "-CAfile", ca], capture_output=True, text=True)
        said = [line for line in (done.stdout + done.stderr).splitlines() if not line.startswith("Using configuration")]
        return done.returncode == 0, " ".join(said).strip()
    finally:
        os.unlink(path)


def main(argv):
    ca = None
    if "--ca" in argv:
        i = argv.index("--ca")
        ca = argv[i + 1]
        argv = argv[:i] + argv[i + 2:]
    if len(argv) < 2:
        print(__doc__)
        return 2
    data = open(argv[0], "rb").read()
    files = [open(f, "rb").read() for f in argv[1:]]
    chains = read_record(data)
    previous_token = None
    for c, chain in enumerate(chains, 1):
        for k, stamp in enumerate(chain["stamps"], 1):
            place = f"chain {c} time-stamp {k}"
            name = stamp["algorithm"]
            if name is None:
                print(f"{place}: no digestAlgorithm this script knows")
                return 1
            first = stamp["tree"][0] if stamp["tree"] else []
            if k > 1:
                wanted = [digest(name, previous_token)]
                what = "the token it renews"
            elif c > 1:
                ha = digest(name, der_sequence(b"".join(ch["raw"] for ch in chains[:c - 1])))
                wanted = [digest(name, digest(name, f) + ha) for f in files]
                what = "each file with the chains before it"
            else:
                wanted = [digest(name, f) for f in files]
                what = "each file"
            tree = stamp["tree"] or [wanted[:1]]
            missing = [w for w in wanted if w not in (first or tree[0])]
            if missing:
                print(f"{place}: its hash tree does not hold {what}")
                return 1
            root = root_of(name, tree)
            if ca:
                ok, said = openssl_verify(root, stamp["token"], ca)
                if not ok:
                    print(f"{place}: openssl ts -verify over root {root.hex()}: {said}")
                    return 1
                print(f"{place}: {name} root {root.hex()}: openssl ts -verify: {said}")
            else:
                print(f"{place}: {name} root {root.hex()} holds {what}")
            previous_token = stamp["token"]
    print("evidence record holds")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
