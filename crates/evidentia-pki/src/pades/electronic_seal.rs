//! Electronic seal signatures of GB/T 38540 and GM/T 0031 (`SES_Signature`, SM2), as Chinese
//! signing services write them into PDFs in place of CMS: recognised and named, not verified.

/// One DER element: its tag, its content, and what follows it.
fn element(bytes: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = bytes.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        (rest[..n].iter().fold(0usize, |acc, b| (acc << 8) | usize::from(*b)), &rest[n..])
    };
    (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
}

const SEQUENCE: u8 = 0x30;
const INTEGER: u8 = 0x02;
const IA5_STRING: u8 = 0x16;

/// Whether `der` is an `SES_Signature`: `SEQUENCE { TBS_Sign SEQUENCE { version INTEGER, SESeal
/// SEQUENCE { SES_SealInfo SEQUENCE { SES_Header SEQUENCE { id IA5String "ES", … } … } … } … } … }`.
pub fn is_electronic_seal(der: &[u8]) -> bool {
    let walk = || -> Option<bool> {
        let (tag, signature, _) = element(der)?;
        (tag == SEQUENCE).then_some(())?;
        let (tag, to_sign, _) = element(signature)?;
        (tag == SEQUENCE).then_some(())?;
        let (tag, _, after_version) = element(to_sign)?;
        (tag == INTEGER).then_some(())?;
        let (tag, seal, _) = element(after_version)?;
        (tag == SEQUENCE).then_some(())?;
        let (tag, seal_info, _) = element(seal)?;
        (tag == SEQUENCE).then_some(())?;
        let (tag, header, _) = element(seal_info)?;
        (tag == SEQUENCE).then_some(())?;
        let (tag, id, _) = element(header)?;
        Some(tag == IA5_STRING && id == b"ES")
    };
    walk().unwrap_or(false)
}

/// What the report says of one.
pub const ELECTRONIC_SEAL_NOT_CHECKED: &str = "a GB/T 38540 electronic seal signature (SES_Signature with SM2), not CMS: \
     this version reads it but does not check it; check it with the sealing service's own verifier";

#[cfg(test)]
mod tests {
    use super::*;

    /// DER of `tag` around `content` (short or two-byte long form).
    fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        if content.len() < 0x80 {
            out.push(content.len() as u8);
        } else {
            out.extend([0x82, (content.len() >> 8) as u8, content.len() as u8]);
        }
        out.extend_from_slice(content);
        out
    }

    fn ses(id: &[u8]) -> Vec<u8> {
        let header = tlv(SEQUENCE, &[tlv(IA5_STRING, id), tlv(INTEGER, &[4]), tlv(IA5_STRING, b"vendor")].concat());
        let seal_info = tlv(SEQUENCE, &[header, tlv(IA5_STRING, b"10001000"), tlv(SEQUENCE, &[0u8; 200])].concat());
        let seal = tlv(SEQUENCE, &[seal_info, tlv(SEQUENCE, &[])].concat());
        let to_sign = tlv(SEQUENCE, &[tlv(INTEGER, &[4]), seal, tlv(0x03, &[0, 1, 2])].concat());
        // cert, signatureAlgID SM2-with-SM3, signature
        let sm2 = [0x06, 0x08, 0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x01, 0x83, 0x75];
        tlv(SEQUENCE, &[to_sign, tlv(0x04, &[1, 2, 3]), sm2.to_vec(), tlv(0x03, &[0, 9, 9])].concat())
    }

    #[test]
    fn an_electronic_seal_signature_is_told_from_cms() {
        assert!(is_electronic_seal(&ses(b"ES")));
        assert!(!is_electronic_seal(&ses(b"EX")));
        assert!(!is_electronic_seal(include_bytes!("../testdata/contract.p7s")));
        assert!(!is_electronic_seal(&[]));
        assert!(!is_electronic_seal(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff]));
        let mut truncated = ses(b"ES");
        truncated.truncate(20);
        assert!(!is_electronic_seal(&truncated));
    }

    #[test]
    fn every_truncation_and_changed_byte_ends_in_an_answer() {
        let whole = ses(b"ES");
        for len in 0..whole.len() {
            let _ = is_electronic_seal(&whole[..len]);
        }
        for at in 0..whole.len() {
            for value in [0x00, 0x7f, 0x80, 0x84, 0xff] {
                let mut changed = whole.clone();
                changed[at] = value;
                let _ = is_electronic_seal(&changed);
            }
        }
    }
}
