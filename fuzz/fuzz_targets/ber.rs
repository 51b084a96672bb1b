//! Fuzz target: arbitrary bytes read as BER and rewritten as DER; the DER reads back as itself.
#![no_main]

use evidentia_pki::ber;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(der) = ber::to_der(data) {
        let again = ber::to_der(&der).expect("the DER we write is BER");
        assert_eq!(again.as_ref(), der.as_ref(), "DER is a fixed point");
        let _ = ber::signed_attributes_as_written(&der);
    }
});
