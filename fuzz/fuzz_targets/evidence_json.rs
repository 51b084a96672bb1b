//! Fuzz target: arbitrary bytes as a package's evidence.json: what reads must write back and
//! read the same.
#![no_main]

use evidentia::package::evidence::{EvidenceDocument, check_version};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let head: serde_json::Value = serde_json::from_slice(data).unwrap_or_default();
    let _ = check_version(head["format"].as_str().unwrap_or_default(), head["version"].as_str().unwrap_or_default());
    if let Ok(doc) = serde_json::from_slice::<EvidenceDocument>(data) {
        let written = serde_json::to_value(&doc).expect("what we read, we write");
        let again: EvidenceDocument = serde_json::from_value(written.clone()).expect("what we write, we read");
        assert_eq!(serde_json::to_value(&again).expect("written again"), written);
    }
});
