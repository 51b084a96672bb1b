//! Fuzz target: arbitrary bytes as anyone's evidence: the content sniffer that tells what a file
//! is, anyone's ASiC manifest (namespace-aware), and a Bitcoin block header; none may panic.
#![no_main]

use evidentia::package::asic::parse_manifest;
use evidentia::verify::kind::kind_of_bytes;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = kind_of_bytes(data, std::path::Path::new("case.bin"));
    if let Ok(m) = parse_manifest(data) {
        for r in &m.references {
            let _ = evidentia::package::asic::decode_uri(&r.uri);
        }
    }
    let _ = evidentia_net::bitcoin::BlockHeader::from_raw(1, "00", data);
});
