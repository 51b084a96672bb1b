//! Hashes as the vault and evidence.json write them: 64 lower-case hex digits.

/// A 32-byte value from hex, if it is one.
pub fn unhex32(text: &str) -> Option<[u8; 32]> {
    hex::decode(text).ok()?.try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::unhex32;

    #[test]
    fn only_64_hex_digits_are_a_hash() {
        assert_eq!(unhex32(&"ab".repeat(32)), Some([0xab; 32]));
        assert_eq!(unhex32(&"AB".repeat(32)), Some([0xab; 32]));
        assert_eq!(unhex32(&"ab".repeat(31)), None);
        assert_eq!(unhex32(&"ab".repeat(33)), None);
        assert_eq!(unhex32(&format!("{}zz", "ab".repeat(31))), None);
        assert_eq!(unhex32(""), None);
    }
}
