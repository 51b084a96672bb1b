//! Fuzz target: arbitrary bytes as a TSA's answer, through the token parser and the verifier.
#![no_main]

use evidentia::digest::DigestAlgorithm;
use evidentia::tsp::{Expectation, TimestampPolicy, TimestampToken, verify};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(token) = TimestampToken::from_any_der(data) {
        let expected = Expectation { algorithm: DigestAlgorithm::Sha256, imprint: vec![0; 32], nonce: None };
        let _ = verify(&token, &expected, &TimestampPolicy::default());
    }
});
