//! Hashes as the vault and evidence.json write them: lower-case hex digits, two per byte. Encoding
//! and decoding here are table lookups without allocation beyond the result, as the vault check
//! does them for every row of a large vault.

const DIGITS: &[u8; 16] = b"0123456789abcdef";

/// A 32-byte value from hex, if it is one.
pub fn unhex32(text: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    decode_into(text, &mut out).then_some(out)
}

/// The bytes of hex text in either case, if it is hex of whole bytes.
pub fn decode(text: &str) -> Option<Vec<u8>> {
    let mut out = vec![0u8; text.len() / 2];
    decode_into(text, &mut out).then_some(out)
}

/// Fills `out` from hex text of exactly twice its length; false if the text is anything else.
pub fn decode_into(text: &str, out: &mut [u8]) -> bool {
    let digits = text.as_bytes();
    if digits.len() != out.len() * 2 {
        return false;
    }
    // Without a branch per digit (digits and letters come at random, so branches mispredict):
    // any byte that is not a hex digit sets a high bit, checked once at the end.
    let mut bad = 0u8;
    for (byte, pair) in out.iter_mut().zip(digits.chunks_exact(2)) {
        let (high, low) = (NIBBLES[usize::from(pair[0])], NIBBLES[usize::from(pair[1])]);
        bad |= high | low;
        *byte = (high << 4) | (low & 0x0f);
    }
    bad & 0xf0 == 0
}

/// The value of each byte as a hex digit, or 0xff for a byte that is not one.
const NIBBLES: [u8; 256] = {
    let mut table = [0xffu8; 256];
    let mut i = 0;
    while i < 10 {
        table[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        table[b'a' as usize + i] = 10 + i as u8;
        table[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    table
};

/// Writes the lower-case hex of `bytes` at the start of `out` (at least twice as long) and
/// returns it; empty if `out` is too short.
pub fn encode_into<'a>(bytes: &[u8], out: &'a mut [u8]) -> &'a str {
    let Some(out) = out.get_mut(..bytes.len() * 2) else {
        return "";
    };
    for (pair, byte) in out.chunks_exact_mut(2).zip(bytes) {
        pair[0] = DIGITS[usize::from(byte >> 4)];
        pair[1] = DIGITS[usize::from(byte & 0x0f)];
    }
    std::str::from_utf8(out).unwrap_or_default()
}

/// The lower-case hex of `bytes`.
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(char::from(DIGITS[usize::from(byte >> 4)]));
        out.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    out
}

/// Whether `text` is exactly the lower-case hex of `bytes`.
pub fn is_lower_hex_of(text: &str, bytes: &[u8]) -> bool {
    let digits = text.as_bytes();
    digits.len() == bytes.len() * 2
        && bytes.iter().zip(digits.chunks_exact(2)).all(|(byte, pair)| {
            pair[0] == DIGITS[usize::from(byte >> 4)] && pair[1] == DIGITS[usize::from(byte & 0x0f)]
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_64_hex_digits_are_a_hash() {
        assert_eq!(unhex32(&"ab".repeat(32)), Some([0xab; 32]));
        assert_eq!(unhex32(&"AB".repeat(32)), Some([0xab; 32]));
        assert_eq!(unhex32(&"ab".repeat(31)), None);
        assert_eq!(unhex32(&"ab".repeat(33)), None);
        assert_eq!(unhex32(&format!("{}zz", "ab".repeat(31))), None);
        assert_eq!(unhex32(""), None);
    }

    #[test]
    fn encoding_and_decoding_agree_with_the_hex_crate() {
        let bytes: Vec<u8> = (0..=255u8).collect();
        let text = encode(&bytes);
        assert_eq!(text, hex::encode(&bytes));
        let mut buf = [0u8; 512];
        assert_eq!(encode_into(&bytes, &mut buf), text);
        assert_eq!(encode_into(&bytes, &mut [0u8; 10]), "");
        assert_eq!(decode(&text), Some(bytes.clone()));
        assert_eq!(decode(&text.to_uppercase()), Some(bytes.clone()));
        assert!(is_lower_hex_of(&text, &bytes));
        assert!(!is_lower_hex_of(&text.to_uppercase(), &bytes));
        assert!(!is_lower_hex_of(&text[2..], &bytes));
        for b in 0..=255u8 {
            let mut out = [0u8; 1];
            for pair in [[b, b'0'], [b'0', b]] {
                let ok = decode_into(std::str::from_utf8(&pair).unwrap_or("zz"), &mut out);
                assert_eq!(ok, b.is_ascii_hexdigit(), "{pair:?}");
                if ok {
                    assert_eq!(out.to_vec(), hex::decode(pair).unwrap_or_default(), "{pair:?}");
                }
            }
        }
        for bad in ["abc", "0g", "g0", " 00", "0\u{e9}"] {
            assert_eq!(decode(bad), None, "{bad:?}");
            assert!(hex::decode(bad).is_err(), "{bad:?}");
        }
    }
}
