//! Fuzz target: arbitrary bytes as an evidence package: the container reader, then the whole
//! verification (manifest, evidence document, proofs) must end in a report or a refusal.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = std::env::temp_dir().join(format!("evidentia-fuzz-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join("case.asice");
    if std::fs::write(&path, data).is_err() {
        return;
    }
    let runtime = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
    let policy = evidentia::verify::Policy::default();
    let _ = runtime.block_on(evidentia::verify::package::verify_package(&path, &policy));
});
