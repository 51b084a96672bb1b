//! VERIFY.md: the exact commands that re-check a package with open tools (sha256sum, openssl,
//! python3, the OpenTimestamps client), each one written for this package's entries.

use std::fmt::Write;

use super::evidence::{EvidenceDocument, PackagedRecord};
use super::manifest::DataObject;
use super::{
    ERS_CHECKER_PATH, MANIFEST_PATH, MANIFEST_SIGNATURE_PATH, MANIFEST_TIMESTAMP_PATH, REPORT_PATH, SM2_CHECKER_PATH,
    is_sm2_signature,
};

/// The Merkle recomputation of every anchored record (RFC 6962 hashing, RFC 9162 §2.1.3.2 walk).
const MERKLE_SCRIPT: &str = r#"python3 - <<'PY'
import hashlib, json
doc = json.load(open("META-INF/evidentia/evidence.json", encoding="utf-8"))
for r in doc["records"]:
    a = r.get("anchor")
    if not a:
        continue
    sha = bytes.fromhex(r["record"]["digests"]["sha256"])
    h = hashlib.sha256(b"\x00evidentia-record-leaf-v1\x00" + bytes.fromhex(a["salt"]) + sha).digest()
    fn, sn = a["proof"]["leaf_index"], a["proof"]["tree_size"] - 1
    for p in map(bytes.fromhex, a["proof"]["path"]):
        if fn & 1 or fn == sn:
            h = hashlib.sha256(b"\x01" + p + h).digest()
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            h = hashlib.sha256(b"\x01" + h + p).digest()
        fn, sn = fn >> 1, sn >> 1
    assert sn == 0 and h.hex() == a["batch"]["root"], "record %s: the path does not lead to the root" % r["record"]["id"]
    print("record", r["record"]["id"], "is in batch root", h.hex())
PY"#;

/// VERIFY.md for `doc`, whose listed entries (all but itself and the manifest's) are `listed`.
pub fn verify_md(doc: &EvidenceDocument, listed: &[DataObject]) -> String {
    let mut m = String::new();
    let _ = writeln!(m, "# How to verify this evidence package without Evidentia\n");
    let _ = writeln!(m, "Written by {} at {} under the `{}` profile.", doc.producer, doc.exported_at, doc.profile);
    if doc.profile == "sandbox" {
        let _ = writeln!(
            m,
            "\n**SANDBOX — NOT LEGAL EVIDENCE.** Its time-stamps and anchors come from local test services."
        );
    }
    let _ = writeln!(
        m,
        "\nThe tools: `unzip`, `sha256sum`, `openssl` (1.1 or newer), `python3`, and for Bitcoin proofs the \
         OpenTimestamps client (`pip install opentimestamps-client`). Extract the package and run every block \
         below from the extracted folder:\n\n    unzip case.asice -d case && cd case\n\n\
         Say which roots you trust: `TSA_ROOT` for the time-stamping authority (a PEM file; the system bundle \
         holds the public TSAs' roots) and, for signatures, `SIGNER_ROOT` (the signer's CA; for a self-signed \
         signer the blocks below trust the certificate carried in the signature, which proves only that the \
         holder of that certificate signed).\n\n```sh\nTSA_ROOT=\"${{TSA_ROOT:-/etc/ssl/certs/ca-certificates.crt}}\"\n```\n"
    );

    let _ = writeln!(m, "## 1. Every entry is the one the manifest lists\n\n```sh\nsha256sum -c <<'SUMS'");
    for o in listed {
        let _ = writeln!(m, "{}  {}", hex::encode(&o.sha256), o.uri);
    }
    let _ = writeln!(m, "SUMS\n```\n");
    let _ = writeln!(m, "The same digests are in `{MANIFEST_PATH}` (base64, ETSI ASiC-E).\n");
    if listed.iter().any(|o| o.uri == REPORT_PATH) {
        let _ = writeln!(
            m,
            "`{REPORT_PATH}` is Evidentia's verification report at export time, for reading; the steps \
             below check everything it states.\n"
        );
    }

    let _ = writeln!(m, "## 2. The manifest is sealed\n");
    {
        let _ = writeln!(
            m,
            "If the package holds `{MANIFEST_TIMESTAMP_PATH}`, it is an RFC 3161 time-stamp over the manifest:\n\n\
             ```sh\nif [ -e {MANIFEST_TIMESTAMP_PATH} ]; then openssl ts -verify -token_in -in {MANIFEST_TIMESTAMP_PATH} \
             -data {MANIFEST_PATH} -CAfile \"$TSA_ROOT\"; fi\n```\n\n\
             If it holds `{MANIFEST_SIGNATURE_PATH}`, it is a CAdES signature over the manifest:\n\n```sh\n\
             if [ -e {MANIFEST_SIGNATURE_PATH} ]; then\n  openssl pkcs7 -inform DER -in {MANIFEST_SIGNATURE_PATH} \
             -print_certs -out package-signer.pem\n  openssl cms -verify -binary -inform DER -in {MANIFEST_SIGNATURE_PATH} \
             -content {MANIFEST_PATH} -purpose any -CAfile \"${{SIGNER_ROOT:-package-signer.pem}}\" -out /dev/null\nfi\n```\n"
        );
    }

    let _ = writeln!(m, "## 3. Each record\n");
    for r in &doc.records {
        record_section(&mut m, r);
    }

    if doc.records.iter().any(|r| r.anchor.is_some()) {
        let _ = writeln!(
            m,
            "## 4. The Merkle paths\n\nEach anchored record's leaf is SHA-256(0x00 ‖ \"evidentia-record-leaf-v1\" 0x00 ‖ \
             salt ‖ SHA-256 of the content); each step hashes SHA-256(0x01 ‖ left ‖ right) (RFC 6962). This \
             recomputes every path from `evidence.json` and stops at the first that does not reach its root:\n\n\
             ```sh\n{MERKLE_SCRIPT}\n```\n"
        );
    }
    m
}

fn record_section(m: &mut String, r: &PackagedRecord) {
    let rec = &r.record;
    let sha = rec.sha256_hex();
    let _ = writeln!(m, "### {} (record {})\n", rec.name, rec.id);
    let _ = writeln!(m, "Sealed {} — {} bytes, SHA-256 `{sha}`.\n", rec.created_at, rec.size);
    let subject = match (&r.content, &r.work) {
        (Some(entry), _) => {
            let _ = writeln!(m, "The content:\n\n```sh\necho \"{sha}  {entry}\" | sha256sum -c\n```\n");
            entry.clone()
        }
        (None, Some(work)) => {
            let _ = writeln!(
                m,
                "A work: its digest is that of its canonical manifest, which lists each file's digest \
                 (the files were checked in step 1):\n\n```sh\necho \"{sha}  {}\" | sha256sum -c\n```\n",
                work.manifest
            );
            work.manifest.clone()
        }
        (None, None) => return,
    };
    for s in &r.signatures {
        if is_sm2_signature(&s.signature) {
            let _ = writeln!(
                m,
                "Signed with SM2/SM3 by {} (issuer {}{}). OpenSSL 3.0 cannot check SM2 inside CMS; the script \
                 beside this file checks the SM3 message digest over the content and the SM2 signature (GM/T 0009 \
                 default distinguishing ID) with GmSSL's `gmssl` (`pip install gmssl asn1crypto`):\n\n```sh\n\
                 python3 {SM2_CHECKER_PATH} verify {} {subject}\nopenssl pkcs7 -inform DER -in {} -print_certs\n```\n\n\
                 The second command shows the signer's certificate chain, to compare with the CA you trust.\n",
                s.signature.signer_subject,
                s.signature.signer_issuer,
                if s.signature.self_signed { "; self-signed" } else { "" },
                s.entry,
                s.entry
            );
            continue;
        }
        let pem = format!("signer-{}.pem", rec.id);
        let _ = writeln!(
            m,
            "Signed by {} (issuer {}{}):\n\n```sh\nopenssl pkcs7 -inform DER -in {} -print_certs -out {pem}\n\
             openssl cms -verify -binary -inform DER -in {} -content {subject} -purpose any -CAfile \"${{SIGNER_ROOT:-{pem}}}\" -out /dev/null\n```\n",
            s.signature.signer_subject,
            s.signature.signer_issuer,
            if s.signature.self_signed { "; self-signed" } else { "" },
            s.entry,
            s.entry
        );
    }
    for t in &r.timestamps {
        let over = if t.timestamp.imprint == sha {
            format!("-data {subject}")
        } else {
            format!("-digest {}", t.timestamp.imprint)
        };
        let what = if t.timestamp.imprint == sha { "the content" } else { "the signature value (its SHA-256)" };
        let _ = writeln!(
            m,
            "Time-stamped by {} at {} over {what}:\n\n```sh\nopenssl ts -verify -in {} {over} -CAfile \"$TSA_ROOT\"\n```\n",
            t.timestamp.tsa_url, t.timestamp.gen_time, t.entry
        );
    }
    if let Some(ers) = &r.evidence_record {
        let covered: Vec<&str> =
            std::iter::once(subject.as_str()).chain(r.timestamps.iter().map(|t| t.entry.as_str())).collect();
        let _ = writeln!(
            m,
            "Its proofs are renewed in an evidence record (RFC 4998, `{ers}`): each archive time-stamp over a hash \
             tree of the content and its time-stamps, each renewal over what it renews, so the time-stamps above \
             stay proven after their TSA certificates expire. `{ERS_CHECKER_PATH}` (Python's standard library \
             only; also in Evidentia's `docs/tools/`) recomputes every tree and runs `openssl ts -verify` on \
             every archive time-stamp:\n\n```sh\npython3 {ERS_CHECKER_PATH} {ers} {} --ca \"$TSA_ROOT\"\n```\n",
            covered.join(" ")
        );
    }
    if let Some(a) = &r.anchor {
        let _ = writeln!(m, "In anchor batch {} (root `{}`, salt `{}`).", a.batch.id, a.batch.root, a.salt);
        if let Some(c) = &a.chain {
            let _ = writeln!(
                m,
                "On chain {}: transaction `{}` in block {} (hash `{}`, time {}). Look the transaction up on any \
                 explorer or node of that chain: its input data must be `0x{}` and its block hash must be the one above.",
                c.anchor.chain_id,
                c.anchor.tx_hash,
                c.anchor.block_number,
                c.anchor.block_hash,
                c.anchor.block_time,
                a.batch.root
            );
        }
        if let Some(ots) = &a.ots {
            let _ = writeln!(
                m,
                "\nOpenTimestamps proof (Bitcoin):\n\n```sh\nots info {ots}\n```\n\n`ots verify -d {sha} {ots}` checks it \
                 against a Bitcoin node once it is attested (`ots upgrade {ots}` fetches the attestation)."
            );
        }
        let _ = writeln!(m);
    }
}
