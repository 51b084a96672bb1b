//! Fuzz target: arbitrary text as an ASiC manifest; what parses must write back and parse the same.
#![no_main]

use evidentia::package::manifest::AsicManifest;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(m) = AsicManifest::from_xml(&String::from_utf8_lossy(data)) {
        assert_eq!(AsicManifest::from_xml(&m.to_xml()).as_ref(), Ok(&m));
    }
});
