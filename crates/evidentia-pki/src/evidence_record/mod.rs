//! Evidence records (RFC 4998 in DER, RFC 6283 in XML): archive time-stamps over hash trees of
//! data objects, renewed in chains; read into one model whatever the syntax, then verified.
//!
//! The order is fixed: bytes → [`EvidenceRecord::parse`] → [`verify::verify`] over the digests
//! of the data objects the record is meant to cover. [`build`] makes RFC 4998 records.

mod asn1;
pub mod build;
pub mod verify;
mod xml;

use evidentia_formats::digest::DigestAlgorithm;
use evidentia_formats::xml_c14n::Canonicalization;

pub use verify::{
    ArchiveStampOutcome, Coverage, DataObject, EvidenceRecordReport, ObjectOutcome, StampKind, verify, xml_aware_digest,
};

/// The syntax an evidence record is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// RFC 4998, DER.
    Asn1,
    /// RFC 6283, XML.
    Xml,
}

impl Syntax {
    /// The name reports use.
    pub fn name(self) -> &'static str {
        match self {
            Syntax::Asn1 => "RFC 4998",
            Syntax::Xml => "RFC 6283 (XML)",
        }
    }
}

/// An evidence record: its archive time-stamp chains, oldest first.
#[derive(Debug, Clone)]
pub struct EvidenceRecord {
    /// How it is written.
    pub syntax: Syntax,
    /// The chains; each later one renews the hash trees of all before it.
    pub chains: Vec<ArchiveTimeStampChain>,
}

/// Archive time-stamps under one hash algorithm; each later one renews the one before it.
#[derive(Debug, Clone)]
pub struct ArchiveTimeStampChain {
    /// The chain's hash algorithm, or the name of one this version does not compute.
    pub digest_algorithm: Result<DigestAlgorithm, String>,
    /// How XML is canonicalized before hashing (XML records: data objects that are XML, and
    /// what renewals cover); `None` for RFC 4998, which hashes bytes as they are.
    pub canonicalization: Option<Canonicalization>,
    /// The archive time-stamps, oldest first.
    pub stamps: Vec<ArchiveTimeStamp>,
    /// For a chain after the first: the bytes of all chains before it as this record's syntax
    /// encodes them, whose digest joins each data object's digest (hash-tree renewal).
    pub preceding_chains: Vec<u8>,
}

/// One archive time-stamp: a reduced hash tree and the time-stamp token over its root.
#[derive(Debug, Clone)]
pub struct ArchiveTimeStamp {
    /// The hash tree, leaf level first: each level's hash values (a level's computed value joins
    /// the next level).
    pub hash_tree: Vec<Vec<Vec<u8>>>,
    /// The RFC 3161 token (a CMS ContentInfo), DER.
    pub token: Vec<u8>,
    /// The bytes a time-stamp renewal hashes: what the next archive time-stamp of the chain covers.
    pub renewal_input: Vec<u8>,
}

/// An evidence record that cannot be read, with where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a readable evidence record: {0}")]
pub struct EvidenceRecordError(pub String);

impl EvidenceRecord {
    /// Reads an evidence record in either syntax (told apart by the first byte).
    pub fn parse(bytes: &[u8]) -> Result<Self, EvidenceRecordError> {
        let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        match text.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'<') => xml::parse(text),
            Some(0x30) => asn1::parse(bytes),
            _ => Err(EvidenceRecordError(
                "it starts with neither a DER SEQUENCE (RFC 4998) nor an XML element (RFC 6283)".into(),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use base64::Engine;
    use evidentia_formats::check::Verdict;

    use super::*;
    use crate::tsp::TimestampPolicy;

    /// What cannot be decided without trusting the archive TSAs' roots.
    const TRUST: [&str; 3] = ["NO_TRUSTED_ROOT", "CRYPTO_CONSTRAINTS", "SIGNER_CERT_NOT_FOUND"];

    fn algorithm(name: &str) -> DigestAlgorithm {
        match name {
            "SHA224" => DigestAlgorithm::Sha224,
            "SHA256" => DigestAlgorithm::Sha256,
            "SHA384" => DigestAlgorithm::Sha384,
            "SHA512" => DigestAlgorithm::Sha512,
            other => panic!("digest {other}"),
        }
    }

    /// The data objects one of DSS's tests hands its validator: bytes, files, or digests only.
    fn objects(dir: &Path, supplied: &serde_json::Value) -> Vec<DataObject<'static>> {
        let mut out = Vec::new();
        for (i, s) in supplied.as_array().unwrap().iter().enumerate() {
            let name = s["name"].as_str().map(str::to_owned).unwrap_or_else(|| format!("object {}", i + 1));
            // The content of a time-stamp a record covers is the time-stamp's business, not the record's.
            let coverage = if s["role"].as_str().is_some_and(|r| r.starts_with("detached content")) {
                Coverage::Optional
            } else {
                Coverage::Expected
            };
            let bytes = if let Some(t) = s["bytes_utf8"].as_str() {
                Some(t.as_bytes().to_vec())
            } else if let Some(h) = s["bytes_hex"].as_str() {
                Some(hex::decode(h).unwrap())
            } else {
                s["file"].as_str().map(|f| std::fs::read(dir.join(f)).unwrap())
            };
            let digest: Box<dyn Fn(DigestAlgorithm, Option<Canonicalization>) -> verify::ObjectDigest> = match bytes {
                Some(b) => Box::new(move |a, c| Ok(xml_aware_digest(&b, a, c))),
                None => {
                    let given: Vec<(DigestAlgorithm, Vec<u8>)> = s["digest"]
                        .as_object()
                        .unwrap()
                        .iter()
                        .map(|(a, v)| {
                            (
                                algorithm(a),
                                base64::engine::general_purpose::STANDARD.decode(v.as_str().unwrap()).unwrap(),
                            )
                        })
                        .collect();
                    Box::new(move |a, _| {
                        given
                            .iter()
                            .find(|g| g.0 == a)
                            .map(|g| g.1.clone())
                            .ok_or_else(|| format!("no {a} digest given"))
                    })
                }
            };
            out.push(DataObject { name, digest, coverage });
        }
        out
    }

    /// EU DSS's evidence-record corpus (`tests/fixtures/third-party/dss-evidence-record/`), each
    /// record with the data DSS's own test gives it: valid ones cover their data and every archive
    /// time-stamp holds (only the test TSAs' roots are untrusted), broken ones fail, malformed
    /// ones are refused, and one without its data is not passed.
    #[test]
    fn the_dss_evidence_record_corpus_is_judged_as_dss_judges_it() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/third-party/dss-evidence-record");
        let expected: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.join("expected.json")).unwrap()).unwrap();
        let policy = TimestampPolicy::default();
        let mut disagreements = Vec::new();
        let mut judged = 0;
        for (file, e) in expected.as_object().unwrap() {
            let mut cases =
                vec![(e["test"].as_str().unwrap().to_owned(), e["expect"].clone(), e["data_supplied"].clone())];
            for o in e["other_tests"].as_array().into_iter().flatten() {
                cases.push((o["test"].as_str().unwrap().to_owned(), o["expect"].clone(), o["data_supplied"].clone()));
            }
            let bytes = std::fs::read(dir.join(file)).unwrap();
            let parsed = EvidenceRecord::parse(&bytes);
            for (test, expect, supplied) in cases {
                judged += 1;
                let expect = expect.as_str().unwrap_or("");
                let record = match (&parsed, expect) {
                    (Err(_), "malformed") => continue,
                    (Ok(_), "malformed") => {
                        disagreements.push(format!("{file} ({test}): read, DSS refuses it"));
                        continue;
                    }
                    (Err(why), _) => {
                        disagreements.push(format!("{file} ({test}): {why}, DSS {expect}"));
                        continue;
                    }
                    (Ok(r), _) => r,
                };
                let objects = objects(&dir, &supplied);
                let checks = verify(record, &objects, &policy).checks(file);
                let failed = checks.iter().find(|c| c.verdict == Verdict::Failed);
                let beyond_trust = checks
                    .iter()
                    .find(|c| c.verdict != Verdict::Passed && !c.reason.as_deref().is_some_and(|r| TRUST.contains(&r)));
                let verdict =
                    |c: &evidentia_formats::check::Check| format!("{:?} {:?}: {}", c.verdict, c.reason, c.detail);
                match expect {
                    "valid" => {
                        if let Some(c) = beyond_trust {
                            disagreements.push(format!("{file} ({test}): {}, DSS valid", verdict(c)));
                        }
                    }
                    "broken" if failed.is_none() => {
                        disagreements
                            .push(format!("{file} ({test}): nothing FAILED ({}), DSS broken", verdict(&checks[0])));
                    }
                    "indeterminate" if beyond_trust.is_none() => {
                        disagreements.push(format!("{file} ({test}): passed, DSS indeterminate"));
                    }
                    _ => {}
                }
            }
        }
        eprintln!("DSS evidence-record corpus: {judged} cases judged, {} disagreements", disagreements.len());
        assert!(judged >= 70, "{judged}");
        assert!(disagreements.is_empty(), "disagreements with DSS:\n{}", disagreements.join("\n"));
    }

    /// BSI's TR-ESOR sample record over its text document: DSS's repository stores the document
    /// with LF line ends (its `.gitattributes`), the record covers it as BSI wrote it, with CRLF.
    /// Over the CRLF bytes every hash tree and time-stamp holds (only the sample TSA's root is
    /// undecided); over the bytes as stored, it does not pass.
    #[test]
    fn the_bsi_tr_esor_sample_covers_its_document_as_bsi_wrote_it() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/third-party/dss-evidence-record");
        let record = EvidenceRecord::parse(&std::fs::read(dir.join("bsi_gov_vte-lza_002.ers")).unwrap()).unwrap();
        let stored = std::fs::read(dir.join("bsi_gov_vte-lza_002.bin")).unwrap();
        let crlf: Vec<u8> =
            stored.iter().flat_map(|b| if *b == b'\n' { vec![b'\r', b'\n'] } else { vec![*b] }).collect();
        let judge = |bytes: Vec<u8>| {
            let objects = [DataObject {
                name: "bsi_gov_vte-lza_002.bin".into(),
                digest: Box::new(move |a, c| Ok(xml_aware_digest(&bytes, a, c))),
                coverage: Coverage::Expected,
            }];
            verify(&record, &objects, &TimestampPolicy::default()).checks("bsi_gov_vte-lza_002.ers")
        };
        let checks = judge(crlf);
        assert!(
            checks
                .iter()
                .all(|c| c.verdict == Verdict::Passed || c.reason.as_deref().is_some_and(|r| TRUST.contains(&r))),
            "{checks:#?}"
        );
        assert_ne!(judge(stored)[0].verdict, Verdict::Passed);
    }
}
