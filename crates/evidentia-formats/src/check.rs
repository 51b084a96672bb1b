//! The verification vocabulary: what a check is about, how it ended, and the overall indication.

use std::fmt;

use serde::Serialize;

/// How one check ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Verdict {
    /// It holds.
    Passed,
    /// It does not hold.
    Failed,
    /// It cannot be decided now (the reason says why).
    Indeterminate,
}

impl Verdict {
    /// The word written in reports (`PASSED`, `FAILED`, `INDETERMINATE`).
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Passed => "PASSED",
            Verdict::Failed => "FAILED",
            Verdict::Indeterminate => "INDETERMINATE",
        }
    }
}

/// The overall result of a set of checks, in ETSI EN 319 102-1's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Indication {
    /// Every check passed.
    #[serde(rename = "TOTAL-PASSED")]
    TotalPassed,
    /// At least one check failed.
    #[serde(rename = "TOTAL-FAILED")]
    TotalFailed,
    /// None failed, but at least one could not be decided.
    #[serde(rename = "INDETERMINATE")]
    Indeterminate,
}

impl Indication {
    /// The indication as it is written in reports: `TOTAL-PASSED`, `TOTAL-FAILED`, `INDETERMINATE`.
    pub fn as_str(self) -> &'static str {
        match self {
            Indication::TotalPassed => "TOTAL-PASSED",
            Indication::TotalFailed => "TOTAL-FAILED",
            Indication::Indeterminate => "INDETERMINATE",
        }
    }

    /// The verdict a single check with this outcome would have (for colours and words).
    pub fn verdict(self) -> Verdict {
        match self {
            Indication::TotalPassed => Verdict::Passed,
            Indication::TotalFailed => Verdict::Failed,
            Indication::Indeterminate => Verdict::Indeterminate,
        }
    }
}

impl fmt::Display for Indication {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a check is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckName {
    /// The ASiC container: its `mimetype` entry and structure.
    Container,
    /// `evidence.json`: present and readable.
    Evidence,
    /// The manifest and the digests it lists.
    Manifest,
    /// The manifest's own signature or time-stamp.
    ManifestSeal,
    /// A file's bytes against its recorded digest.
    Content,
    /// A CMS/CAdES signature.
    Signature,
    /// An RFC 3161 time-stamp.
    Timestamp,
    /// A signature inside a PDF.
    PdfSignature,
    /// A PDF document time-stamp.
    DocumentTimestamp,
    /// A record's leaf and Merkle path up to its batch root.
    MerkleProof,
    /// The batch root inside the anchoring transaction, under the block hash.
    ChainProof,
    /// The anchoring block on the node's canonical chain.
    Block,
    /// An OpenTimestamps proof up to its Bitcoin attestation.
    OtsProof,
    /// The Bitcoin block an OpenTimestamps proof is attested in.
    BitcoinBlock,
    /// The custody log: its hash chain and events.
    Custody,
    /// The custody log's head, as anchored.
    CustodyHead,
    /// A work's files against its manifest.
    WorkFiles,
    /// A PDF signature's byte range: it covers the whole revision but the signature itself.
    ByteRange,
    /// What changed in a PDF after a signature, judged against what the signer allowed.
    Modifications,
    /// An evidence record (RFC 4998, RFC 6283): the data it covers and how its chains renew.
    EvidenceRecord,
}

impl CheckName {
    /// The name as it is written in reports (`merkle_proof`).
    pub fn as_str(self) -> &'static str {
        match self {
            CheckName::Container => "container",
            CheckName::Evidence => "evidence",
            CheckName::Manifest => "manifest",
            CheckName::ManifestSeal => "manifest_seal",
            CheckName::Content => "content",
            CheckName::Signature => "signature",
            CheckName::Timestamp => "timestamp",
            CheckName::PdfSignature => "pdf_signature",
            CheckName::DocumentTimestamp => "document_timestamp",
            CheckName::MerkleProof => "merkle_proof",
            CheckName::ChainProof => "chain_proof",
            CheckName::Block => "block",
            CheckName::OtsProof => "ots_proof",
            CheckName::BitcoinBlock => "bitcoin_block",
            CheckName::Custody => "custody",
            CheckName::CustodyHead => "custody_head",
            CheckName::EvidenceRecord => "evidence_record",
            CheckName::WorkFiles => "work_files",
            CheckName::ByteRange => "byte_range",
            CheckName::Modifications => "modifications",
        }
    }
}

impl fmt::Display for CheckName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One check.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// What was checked.
    pub check: CheckName,
    /// What it was checked on: a package entry, an event, a block.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub subject: String,
    /// How it ended.
    pub verdict: Verdict,
    /// The reason code, unless it passed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The evidence, in words: which certificate, which time, which block.
    pub detail: String,
}

impl Check {
    /// A passed check.
    pub fn passed(check: CheckName, subject: impl Into<String>, detail: impl Into<String>) -> Check {
        Check { check, subject: subject.into(), verdict: Verdict::Passed, reason: None, detail: detail.into() }
    }

    /// A failed check.
    pub fn failed(check: CheckName, subject: impl Into<String>, reason: &str, detail: impl Into<String>) -> Check {
        Check::ended(check, Verdict::Failed, subject, reason, detail)
    }

    /// A check that cannot be decided.
    pub fn indeterminate(
        check: CheckName,
        subject: impl Into<String>,
        reason: &str,
        detail: impl Into<String>,
    ) -> Check {
        Check::ended(check, Verdict::Indeterminate, subject, reason, detail)
    }

    fn ended(
        check: CheckName,
        verdict: Verdict,
        subject: impl Into<String>,
        reason: &str,
        detail: impl Into<String>,
    ) -> Check {
        Check { check, subject: subject.into(), verdict, reason: Some(reason.to_owned()), detail: detail.into() }
    }
}

/// `TOTAL-FAILED` if any check failed, else `TOTAL-PASSED` if all passed, else `INDETERMINATE`.
pub fn aggregate<'a>(checks: impl IntoIterator<Item = &'a Check>) -> Indication {
    let mut all_passed = true;
    for c in checks {
        match c.verdict {
            Verdict::Failed => return Indication::TotalFailed,
            Verdict::Indeterminate => all_passed = false,
            Verdict::Passed => {}
        }
    }
    if all_passed { Indication::TotalPassed } else { Indication::Indeterminate }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_failure_fails_all_and_one_undecided_leaves_it_open() {
        let pass = Check::passed(CheckName::Content, "a", "ok");
        let open = Check::indeterminate(CheckName::Block, "b", "CHAIN_UNREACHABLE", "down");
        let fail = Check::failed(CheckName::Timestamp, "c", "IMPRINT_MISMATCH", "other data");
        assert_eq!(aggregate([&pass, &pass]), Indication::TotalPassed);
        assert_eq!(aggregate([&pass, &open]), Indication::Indeterminate);
        assert_eq!(aggregate([&open, &fail, &pass]), Indication::TotalFailed);
        assert_eq!(aggregate([]), Indication::TotalPassed);
    }

    #[test]
    fn names_serialise_as_the_reports_write_them() {
        let c = Check::failed(CheckName::ManifestSeal, "META-INF/x", "SEAL_MISSING", "absent");
        let json = serde_json::to_value(&c).unwrap();
        assert_eq!(json["check"], "manifest_seal");
        assert_eq!(json["verdict"], "FAILED");
        assert_eq!(serde_json::to_value(Indication::TotalPassed).unwrap(), "TOTAL-PASSED");
        for name in [CheckName::OtsProof, CheckName::DocumentTimestamp, CheckName::Block] {
            assert_eq!(serde_json::to_value(name).unwrap(), name.as_str());
        }
    }
}
