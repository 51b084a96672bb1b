//! What a file handed to `verify` is, told by its content rather than its name: an evidence
//! package or ASiC container, a PDF, an OpenTimestamps proof, an RFC 3161 time-stamp (a response
//! or a bare token), a CMS signature, an evidence record — or none of these (a sealed file, looked up in the vault).

use std::io::Read;
use std::path::Path;

/// What a file is, as far as verification is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EvidenceKind {
    /// A ZIP container: an evidence package or an ASiC container.
    Container,
    /// A PDF (its signatures and document time-stamps).
    Pdf,
    /// A detached OpenTimestamps proof.
    OtsProof,
    /// An RFC 3161 TimeStampResp, or the bare token (a SignedData over a TSTInfo).
    TimestampToken,
    /// A CMS SignedData (CAdES, PKCS #7), detached or enveloping.
    Cms,
    /// An evidence record: RFC 4998 (DER) or RFC 6283 (XML).
    EvidenceRecord,
    /// Anything else: a file that may have been sealed into the vault.
    Other,
}

/// The DER of `signedData`'s OBJECT IDENTIFIER (1.2.840.113549.1.7.2), content included.
const SIGNED_DATA: &[u8] = &[0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02];
/// The DER of signedData as GM/T 0010 names it (1.2.156.10197.6.1.4.2.2).
const GMT_SIGNED_DATA: &[u8] = &[0x06, 0x0a, 0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x06, 0x01, 0x04, 0x02, 0x02];
/// The DER of `id-ct-TSTInfo` (1.2.840.113549.1.9.16.1.4).
const TST_INFO: &[u8] = &[0x06, 0x0b, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x01, 0x04];
/// The DER of `id-data` (1.2.840.113549.1.7.1) as an eContentType.
const ID_DATA: &[u8] = &[0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01];
/// How much of a file is read to tell what it is.
const SNIFF: u64 = 64 * 1024;

/// What the file at `path` is. Only its first bytes are read (a PDF's header may follow up to
/// 1 KiB of other bytes, as readers accept).
pub fn kind_of(path: &Path) -> std::io::Result<EvidenceKind> {
    let mut head = Vec::new();
    std::fs::File::open(path)?.take(SNIFF).read_to_end(&mut head)?;
    Ok(kind_of_bytes(&head, path))
}

/// What a file starting with `head` is; `path`'s extension decides only for a container whose
/// first header is damaged (`.asice`, `.asics`, `.sce`, `.scs`) and an unreadable evidence record
/// (`.ers`), so that each is refused as what it claims to be.
pub fn kind_of_bytes(head: &[u8], path: &Path) -> EvidenceKind {
    let container_name = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| ["asice", "asics", "sce", "scs"].iter().any(|x| e.eq_ignore_ascii_case(x)));
    if head.starts_with(b"PK\x03\x04") || container_name {
        return EvidenceKind::Container;
    }
    if head.starts_with(crate::anchor::ots::format::HEADER_MAGIC) {
        return EvidenceKind::OtsProof;
    }
    if head.windows(5).take(1024).any(|w| w == b"%PDF-") {
        return EvidenceKind::Pdf;
    }
    if head.first() == Some(&0x30) {
        return der_kind(head);
    }
    let record_name = path.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case("ers"));
    if xml_evidence_record(head) || (record_name && !head.is_empty()) {
        return EvidenceKind::EvidenceRecord;
    }
    EvidenceKind::Other
}

/// An XML document whose first bytes declare the RFC 6283 namespace.
fn xml_evidence_record(head: &[u8]) -> bool {
    let body = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'<')
        && find(&body[..body.len().min(4096)], b"urn:ietf:params:xml:ns:ers").is_some()
}

/// A DER or BER SEQUENCE: a TimeStampResp starts with its PKIStatusInfo (a SEQUENCE), a
/// ContentInfo with the signedData OID; which SignedData it is shows in its eContentType, written
/// a few bytes after the digest algorithms.
fn der_kind(head: &[u8]) -> EvidenceKind {
    // Past the outer SEQUENCE's identifier and length (short, long or indefinite form).
    let body = match head.get(1) {
        Some(&n) if n < 0x80 => 2,
        Some(0x80) => 2,
        Some(&n) => 2 + usize::from(n & 0x7f),
        None => return EvidenceKind::Other,
    };
    let Some(rest) = head.get(body..) else { return EvidenceKind::Other };
    // EvidenceRecord: SEQUENCE { INTEGER 1, SEQUENCE OF AlgorithmIdentifier, ... }.
    if rest.starts_with(&[0x02, 0x01, 0x01, 0x30]) {
        return EvidenceKind::EvidenceRecord;
    }
    if rest.first() == Some(&0x30) {
        // PKIStatusInfo: SEQUENCE { INTEGER status, ... }, then the token.
        let inner = match rest.get(1) {
            Some(&n) if n < 0x80 => 2,
            Some(&n) if n > 0x80 => 2 + usize::from(n & 0x7f),
            _ => return EvidenceKind::Other,
        };
        return if rest.get(inner) == Some(&0x02) && find(rest, TST_INFO).is_some() {
            EvidenceKind::TimestampToken
        } else {
            EvidenceKind::Other
        };
    }
    if rest.starts_with(GMT_SIGNED_DATA) {
        return EvidenceKind::Cms;
    }
    if !rest.starts_with(SIGNED_DATA) {
        return EvidenceKind::Other;
    }
    // The eContentType comes before the certificates; look only at the first bytes.
    let early = &rest[..rest.len().min(160)];
    match (find(early, TST_INFO), find(early, ID_DATA)) {
        (Some(_), _) => EvidenceKind::TimestampToken,
        _ => EvidenceKind::Cms,
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(rel: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/third-party").join(rel)
    }

    #[test]
    fn each_kind_is_told_by_its_content() {
        assert_eq!(kind_of(&fixture("ots-examples/hello-world.txt.ots")).unwrap(), EvidenceKind::OtsProof);
        assert_eq!(kind_of(&fixture("ots-examples/hello-world.txt")).unwrap(), EvidenceKind::Other);
        assert_eq!(kind_of(&fixture("dss/DSS-2025.pdf")).unwrap(), EvidenceKind::Pdf);
        let cms = Path::new(env!("CARGO_MANIFEST_DIR")).join("../evidentia-pki/src/testdata/contract.p7s");
        assert_eq!(kind_of(&cms).unwrap(), EvidenceKind::Cms);
        assert_eq!(kind_of(&fixture("dss-evidence-record/BIN-1_ER.ers")).unwrap(), EvidenceKind::EvidenceRecord);
        assert_eq!(kind_of(&fixture("dss-evidence-record/er-simple-bom.xml")).unwrap(), EvidenceKind::EvidenceRecord);
        assert_eq!(kind_of(&fixture("dss-evidence-record/sample-c14n.xml")).unwrap(), EvidenceKind::Other);
        assert_eq!(kind_of_bytes(b"PK\x03\x04rest", Path::new("x.bin")), EvidenceKind::Container);
        assert_eq!(kind_of_bytes(b"garbage", Path::new("x.asice")), EvidenceKind::Container);
        assert_eq!(kind_of_bytes(b"", Path::new("x")), EvidenceKind::Other);
        assert_eq!(kind_of_bytes(&[0x31, 0x82], Path::new("x.ers")), EvidenceKind::EvidenceRecord);
        assert_eq!(kind_of_bytes(&[0x30], Path::new("x")), EvidenceKind::Other);
        assert_eq!(kind_of_bytes(&[0x30, 0x84, 0xff], Path::new("x")), EvidenceKind::Other);
    }

    #[test]
    fn a_time_stamp_is_told_from_a_signature_in_both_its_forms() {
        // A TimeStampResp: SEQUENCE { PKIStatusInfo { INTEGER 0 }, ContentInfo { signedData ... TSTInfo } }.
        let mut token = vec![0x30, 0x80];
        token.extend_from_slice(SIGNED_DATA);
        token.extend_from_slice(&[0xa0, 0x80, 0x30, 0x80, 0x02, 0x01, 0x03, 0x31, 0x00, 0x30, 0x80]);
        token.extend_from_slice(TST_INFO);
        assert_eq!(kind_of_bytes(&token, Path::new("t.tst")), EvidenceKind::TimestampToken);
        let mut response = vec![0x30, 0x82, 0x01, 0x00, 0x30, 0x03, 0x02, 0x01, 0x00];
        response.extend_from_slice(&token);
        assert_eq!(kind_of_bytes(&response, Path::new("t.tsr")), EvidenceKind::TimestampToken);
    }
}
