#!/usr/bin/env python3
"""Compares `evidentia signature verify` with `openssl cms -verify -noverify` over a folder of
enveloping CMS/CAdES signatures (for example EU DSS's dss-cades/src/test/resources/validation):
whether the signature's mathematics holds (OpenSSL: "Verification successful" without judging the
signer's chain). Detached signatures, whose content is another file, are counted apart.

  scripts/cades_corpus_compare.py [--evidentia BIN] FOLDER    one line per disagreement, then counts
  scripts/cades_corpus_compare.py --record OUT.json FOLDER     also writes OpenSSL's verdict per file
                                                               (what the CAdES corpus test reads)
"""
import argparse
import collections
import json
import pathlib
import subprocess

SUFFIXES = {".p7m", ".p7s", ".pkcs7", ".cms", ".sig", ".bin"}
# Our verdicts that say the mathematics held and something else is undecided.
INTACT_BUT = {"NO_TRUSTED_ROOT", "CRYPTO_CONSTRAINTS", "REVOCATION_MISSING", "REVOKED_NO_POE",
              "CERT_NOT_VALID_AT_SIGNING_TIME"}


def openssl(path):
    run = subprocess.run(["openssl", "cms", "-verify", "-noverify", "-binary", "-inform", "DER", "-in", str(path),
                          "-out", "/dev/null"], capture_output=True, text=True, timeout=60)
    text = run.stdout + run.stderr
    if "Verification successful" in text:
        return "sound"
    if "no content" in text.lower():
        return "detached"
    if any(w in text for w in ("verify error", "signature failure", "digest failure", "verification failure")):
        return "unsound"
    return "unreadable"


def ours(binary, path):
    run = subprocess.run([binary, "--json", "signature", "verify", str(path)], capture_output=True, text=True,
                         timeout=60)
    try:
        out = json.loads(run.stdout)
    except json.JSONDecodeError:
        return "ERROR", (run.stderr.strip().splitlines() or ["no output"])[-1]
    if "signers" in out:
        # Several signers: intact when each is; the first reason that is not PASSED.
        reasons = [s.get("reason") or "" for s in out["signers"] if s.get("result") != "PASSED"]
        if out.get("result") == "INDETERMINATE" and all(r in INTACT_BUT for r in reasons):
            return "INDETERMINATE", (reasons or ["NO_TRUSTED_ROOT"])[0]
        return out.get("result", "ERROR"), ",".join(reasons)
    return out.get("result", "ERROR"), out.get("reason") or out.get("code") or ""


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--evidentia", default="target/debug/evidentia")
    p.add_argument("--record", help="write OpenSSL's verdicts to this JSON file")
    p.add_argument("folder")
    a = p.parse_args()
    counts = collections.Counter()
    recorded = {}
    for path in sorted(pathlib.Path(a.folder).iterdir()):
        if path.suffix not in SUFFIXES:
            continue
        reference = openssl(path)
        recorded[path.name] = reference
        result, reason = ours(a.evidentia, path)
        intact = result == "PASSED" or (result == "INDETERMINATE" and reason in INTACT_BUT)
        if reference == "detached":
            counts["detached (content elsewhere): not compared"] += 1
        elif reference == "sound" and result == "FAILED":
            counts["ours FAILED, OpenSSL sound (false reject)"] += 1
            print(f"{path.name}: FAILED {reason}, OpenSSL: sound")
        elif reference == "unsound" and intact:
            counts["ours intact, OpenSSL unsound (false accept)"] += 1
            print(f"{path.name}: {result} {reason}, OpenSSL: unsound")
        elif reference == "sound" and not intact:
            counts["OpenSSL sound, ours not judged (INDETERMINATE)"] += 1
            print(f"{path.name}: {result} {reason}, OpenSSL: sound")
        elif reference == "unreadable":
            counts[f"OpenSSL cannot read or check it; ours {result}"] += 1
            print(f"{path.name}: {result} {reason}, OpenSSL: cannot read or check it")
        else:
            counts["agree"] += 1
    for k, v in sorted(counts.items()):
        print(f"{v:5}  {k}")
    if a.record:
        with open(a.record, "w") as out:
            json.dump(recorded, out, indent=1, sort_keys=True)
            out.write("\n")


if __name__ == "__main__":
    main()
