//! Fuzz target: arbitrary bytes as a signed PDF: the PDF reader, the signature finder, byte-range
//! and CMS checks, and the classification of later changes must end in a report or a refusal.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = std::env::temp_dir().join(format!("evidentia-fuzz-pdf-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join("case.pdf");
    if std::fs::write(&path, data).is_err() {
        return;
    }
    let policy = evidentia::verify::SignaturePolicy::default();
    let _ = evidentia::pades::verify_pdf(&path, &policy);
});
