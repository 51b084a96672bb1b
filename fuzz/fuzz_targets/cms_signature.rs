//! Fuzz target: arbitrary bytes as a detached CMS/CAdES signature, through the verifier and the
//! helpers that read a signature's parts.
#![no_main]

use evidentia::cades::{signature_timestamp_token, signature_value, signed_digest};
use evidentia::cades_verify::verify_detached;
use evidentia::tsp::TimestampPolicy;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = verify_detached(data, &|algo| Ok(vec![0; algo.output_len()]), &TimestampPolicy::default());
    let _ = signature_value(data);
    let _ = signed_digest(data);
    let _ = signature_timestamp_token(data);
});
