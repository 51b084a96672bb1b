#!/usr/bin/env python3
"""Compares `evidentia pdf verify` with pyHanko signature by signature over a folder of signed PDFs
(for example EU DSS's dss-pades/src/test/resources/validation): the signature's mathematics
(pyHanko "cryptographically sound"/"unsound") and the changes after it (pyHanko "compatible" or
"incompatible with the current document modification policy"). Where pyHanko's own difference
analysis stops with an error, its modification verdict is counted as "pyHanko could not tell".

  scripts/corpus_compare.py [--evidentia BIN] FOLDER     prints one line per disagreement, then counts
  scripts/corpus_compare.py --record OUT.json FOLDER      also writes pyHanko's verdicts, file by file
                                                          (what the corpus test in evidentia-pki reads)
"""
import argparse
import collections
import json
import pathlib
import re
import subprocess


def pyhanko(path):
    run = subprocess.run(
        ["pyhanko", "sign", "validate", "--pretty-print", "--no-revocation-check", "--no-strict-syntax", str(path)],
        capture_output=True, text=True, timeout=120,
    )
    text = run.stdout + run.stderr
    fields = {}
    for part in re.split(r"\nField \d+: ", "\n" + text)[1:]:
        name = part.split("\n", 1)[0].strip()
        crypto = "sound" if "cryptographically sound" in part else "unsound" if "cryptographically unsound" in part else None
        if "incompatible" in part or "illegitimate" in part:
            changes = "bad"
        elif "compatible" in part or "covers the entire file" in part:
            changes = "ok"
        else:
            changes = None
        fields[name] = (crypto, changes)
    return fields, "Error in diff operation" in text


def ours(binary, path):
    run = subprocess.run([binary, "--json", "pdf", "verify", str(path)], capture_output=True, text=True, timeout=120)
    try:
        return json.loads(run.stdout)
    except json.JSONDecodeError:
        return {"error": {"code": "NO_JSON"}}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--evidentia", default="target/debug/evidentia")
    p.add_argument("--record", help="write pyHanko's verdicts to this JSON file")
    p.add_argument("folder")
    a = p.parse_args()
    counts = collections.Counter()
    recorded = {}
    for path in sorted(pathlib.Path(a.folder).glob("*.pdf")):
        reference, diff_error = pyhanko(path)
        recorded[path.name] = {
            "diff_error": diff_error,
            "signatures": {f: {"integrity": c, "changes": m} for f, (c, m) in reference.items()},
        }
        report = ours(a.evidentia, path)
        if "error" in report:
            counts["ours: refused with an error" if reference else "both: no signature read"] += 1
            if reference:
                print(f"{path.name}: ours refused it ({report['error']['code']}), pyHanko read {len(reference)} signature(s)")
            continue
        for s in report.get("signatures", []):
            if s["field"] not in reference:
                counts["signature pyHanko did not list"] += 1
                continue
            crypto, changes = reference[s["field"]]
            checks = {c["check"]: c for c in s["checks"]}
            integrity = checks.get("signature") or checks.get("document_timestamp") or checks.get("byte_range")
            broken = s["result"] == "TOTAL-FAILED" and integrity is not None and integrity["verdict"] == "FAILED"
            if crypto == "sound" and broken:
                counts["integrity: ours FAILED, pyHanko sound (false reject)"] += 1
                print(f"{path.name} {s['field']}: integrity FAILED ({integrity['reason']}), pyHanko: sound")
            elif crypto == "unsound" and s["result"] != "TOTAL-FAILED":
                counts["integrity: ours not FAILED, pyHanko unsound (false accept)"] += 1
                print(f"{path.name} {s['field']}: {s['result']}, pyHanko: unsound")
            elif crypto:
                counts["integrity: agree"] += 1
            m = checks.get("modifications")
            if m is None or changes is None:
                continue
            if diff_error and changes == "bad":
                counts["changes: pyHanko's analysis stopped with an error"] += 1
            elif changes == "ok" and m["verdict"] == "FAILED":
                counts["changes: ours FAILED, pyHanko compatible (false reject)"] += 1
                print(f"{path.name} {s['field']}: changes FAILED ({m['detail'][:120]}), pyHanko: compatible")
            elif changes == "bad" and m["verdict"] == "PASSED":
                counts["changes: ours PASSED, pyHanko incompatible (false accept)"] += 1
                print(f"{path.name} {s['field']}: changes PASSED, pyHanko: incompatible")
            else:
                counts["changes: agree"] += 1
    for k, v in sorted(counts.items()):
        print(f"{v:5}  {k}")
    if a.record:
        with open(a.record, "w") as out:
            json.dump(recorded, out, indent=1, sort_keys=True, ensure_ascii=False)
            out.write("\n")


if __name__ == "__main__":
    main()
