//! Fuzz target: arbitrary bytes as an evidence record (RFC 4998 DER, RFC 6283 XML), read and
//! verified over one data object, and as XML canonicalized; none may panic.
#![no_main]

use evidentia_formats::digest::DigestAlgorithm;
use evidentia_formats::xml_c14n::{Canonicalization, canonicalize_document};
use evidentia_pki::evidence_record::{Coverage, DataObject, EvidenceRecord, verify, xml_aware_digest};
use evidentia_pki::tsp::TimestampPolicy;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(record) = EvidenceRecord::parse(data) {
        let objects = [DataObject {
            name: "data".into(),
            digest: Box::new(|a: DigestAlgorithm, c| Ok(xml_aware_digest(b"<a>data</a>", a, c))),
            coverage: Coverage::Expected,
        }];
        let report = verify(&record, &objects, &TimestampPolicy::default());
        let _ = report.checks("record");
    }
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(doc) = roxmltree::Document::parse(text)
    {
        let _ = canonicalize_document(&doc, Canonicalization::INCLUSIVE);
        let _ = canonicalize_document(&doc, Canonicalization { exclusive: true, with_comments: true });
    }
});
