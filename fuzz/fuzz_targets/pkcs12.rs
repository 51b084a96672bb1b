//! Fuzz target: arbitrary bytes as a PKCS #12 file, through the identity import.
#![no_main]

use evidentia::identity::Identity;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = Identity::from_pkcs12(std::path::Path::new("fuzz.p12"), data, "password", "fuzz");
});
