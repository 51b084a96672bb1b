//! Fuzz target: arbitrary bytes as an `.ots` proof, read, walked to its attestations and written back.
#![no_main]

use evidentia::anchor::ots::format::DetachedTimestamp;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(proof) = DetachedTimestamp::from_bytes(data) {
        let _ = proof.timestamp.attestations(&proof.digest);
        let bytes = proof.to_bytes();
        let again = DetachedTimestamp::from_bytes(&bytes).expect("what we write, we read");
        assert_eq!(again.to_bytes(), bytes);
    }
});
