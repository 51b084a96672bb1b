//! Verifying anyone's OpenTimestamps proof (`.ots`) over the file it stamps: the file's digest,
//! then every attestation the proof leads to — Bitcoin ones against a node's block headers when
//! one is given, the others named — judged as the `ots` client judges them.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{Check, CheckName, Indication, Verdict, aggregate};
use crate::anchor::ots::format::Attestation;
use evidentia_net::bitcoin::BitcoinNode;

pub use crate::anchor::ots::proof_file::{OtsProofError, read_proof};

/// The verdict on an OpenTimestamps proof.
#[derive(Debug, Clone, Serialize)]
pub struct OtsReport {
    /// The proof.
    pub proof: String,
    /// The file it was checked over.
    pub file: String,
    /// How the proof hashes the file, and the file's digest (hex).
    pub file_hash: String,
    /// The file's digest, hex.
    pub digest: String,
    /// PASSED when a Bitcoin attestation is confirmed by the node (as `ots verify` succeeds);
    /// FAILED when the file differs, or when no Bitcoin attestation is confirmed and one is
    /// contradicted by the node; INDETERMINATE otherwise.
    pub result: Indication,
    /// `offline`, or the Bitcoin node the attestations were checked with.
    pub bitcoin_node: String,
    /// The checks the verdict rests on.
    pub checks: Vec<Check>,
    /// Attestations that do not bear on the verdict once a Bitcoin one is confirmed.
    pub notes: Vec<Check>,
}

/// Whether `bytes` start like a detached OpenTimestamps proof.
pub fn looks_like_proof(bytes: &[u8]) -> bool {
    bytes.starts_with(crate::anchor::ots::format::HEADER_MAGIC)
}

/// The file a proof stamps when none is given: the proof's path without `.ots`, as the `ots`
/// client looks for it.
pub fn default_data_file(proof: &Path) -> Option<PathBuf> {
    let name = proof.file_name()?.to_str()?;
    let stem = name.strip_suffix(".ots")?;
    (!stem.is_empty()).then(|| proof.with_file_name(stem))
}

/// Verifies the proof at `proof` over `data` (by default the file named like the proof without
/// `.ots`); Bitcoin attestations are checked with `node` when one is given.
pub async fn verify_ots(
    proof: &Path,
    data: Option<&Path>,
    node: Option<&BitcoinNode>,
) -> Result<OtsReport, OtsProofError> {
    let parsed = read_proof(proof)?;
    let data = match data {
        Some(d) => d.to_owned(),
        None => match default_data_file(proof).filter(|p| p.is_file()) {
            Some(p) => p,
            None => return Err(OtsProofError::NoData { proof: proof.to_owned(), expected: default_data_file(proof) }),
        },
    };
    let file = std::fs::File::open(&data).map_err(|e| crate::subject::InputError::from_io(&data, e))?;
    let digest = parsed
        .file_hash
        .digest_reader(std::io::BufReader::new(file))
        .map_err(|e| crate::subject::InputError::from_io(&data, e))?
        .unwrap_or_default();
    let mut report = OtsReport {
        proof: proof.display().to_string(),
        file: data.display().to_string(),
        file_hash: parsed.file_hash.name().to_owned(),
        digest: hex::encode(&digest),
        result: Indication::Indeterminate,
        bitcoin_node: node.map_or_else(|| "offline".to_owned(), |n| n.address().to_owned()),
        checks: Vec::new(),
        notes: Vec::new(),
    };
    let subject = data.display().to_string();
    if digest != parsed.digest {
        report.checks.push(Check::failed(
            CheckName::OtsProof,
            &subject,
            "OTS_DIGEST_MISMATCH",
            format!(
                "the proof is for a file whose {} is {}; this file's is {}",
                parsed.file_hash.name(),
                hex::encode(&parsed.digest),
                report.digest
            ),
        ));
        report.result = Indication::TotalFailed;
        return Ok(report);
    }
    let found = match parsed.timestamp.attestations(&parsed.digest) {
        Ok(found) => found,
        Err(source) => return Err(OtsProofError::Malformed { path: proof.to_owned(), source }),
    };
    report.checks.push(Check::passed(
        CheckName::OtsProof,
        &subject,
        format!(
            "the file's {} is the proof's ({}); the proof leads to {} attestation(s)",
            parsed.file_hash.name(),
            report.digest,
            found.len()
        ),
    ));
    let mut attested = Vec::new();
    for (commitment, attestation) in &found {
        attested.push(attestation_check(commitment, attestation, node).await);
    }
    // As `ots verify`: the earliest Bitcoin attestation the node confirms proves the time, and
    // the others are notes; without one, every attestation bears on the verdict.
    let confirmed = attested
        .iter()
        .filter(|c| c.check == CheckName::BitcoinBlock && c.verdict == Verdict::Passed)
        .min_by_key(|c| c.subject.trim_start_matches("Bitcoin block ").parse::<u64>().unwrap_or(u64::MAX))
        .cloned();
    match confirmed {
        Some(proof_of_time) => {
            report.notes.extend(attested.into_iter().filter(|c| c.subject != proof_of_time.subject));
            report.checks.push(proof_of_time);
        }
        None => report.checks.extend(attested),
    }
    if found.is_empty() {
        report.checks.push(Check::indeterminate(
            CheckName::OtsProof,
            &subject,
            "OTS_NO_ATTESTATION",
            "the proof leads to no attestation: nothing says when the file existed",
        ));
    }
    report.result = aggregate(&report.checks);
    Ok(report)
}

/// One attestation, judged: Bitcoin against the node (or left to compare offline), the others named.
async fn attestation_check(commitment: &[u8], attestation: &Attestation, node: Option<&BitcoinNode>) -> Check {
    let shown = |bytes: &[u8]| hex::encode(bytes.iter().rev().copied().collect::<Vec<u8>>());
    match attestation {
        Attestation::Pending(uri) => Check::indeterminate(
            CheckName::OtsProof,
            uri.clone(),
            "OTS_PENDING",
            format!(
                "pending at calendar {uri}: the Bitcoin attestation comes hours after stamping; \
                 upgrade the proof (`ots upgrade`, or `evidentia sync --ots FILE.ots`)"
            ),
        ),
        Attestation::Bitcoin(height) => {
            let subject = format!("Bitcoin block {height}");
            if commitment.len() != 32 {
                return Check::failed(
                    CheckName::BitcoinBlock,
                    subject,
                    "OTS_ROOT_MISMATCH",
                    format!("the proof leads to {} bytes, and a Merkle root has 32", commitment.len()),
                );
            }
            let root = shown(commitment);
            let Some(node) = node else {
                return Check::indeterminate(
                    CheckName::BitcoinBlock,
                    subject,
                    "BLOCK_NOT_CHECKED",
                    format!(
                        "confirm on any block explorer or node that Bitcoin block {height} has Merkle root {root} \
                         (or give --bitcoin-node)"
                    ),
                );
            };
            match node.block_header(*height).await {
                Ok(header) if header.merkle_root[..] == *commitment => {
                    let time = chrono::DateTime::from_timestamp(i64::from(header.time), 0)
                        .map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
                        .unwrap_or_else(|| header.time.to_string());
                    Check::passed(
                        CheckName::BitcoinBlock,
                        subject,
                        format!(
                            "Bitcoin block {height} ({}) has Merkle root {root}: it attests existence as of {time}",
                            header.hash
                        ),
                    )
                }
                Ok(header) => Check::failed(
                    CheckName::BitcoinBlock,
                    subject,
                    "OTS_ROOT_MISMATCH",
                    format!(
                        "Bitcoin block {height} ({}) has Merkle root {}; the proof leads to {root}",
                        header.hash,
                        header.merkle_root_shown()
                    ),
                ),
                Err(e) => Check::indeterminate(CheckName::BitcoinBlock, subject, e.code(), e.to_string()),
            }
        }
        Attestation::Unknown(tag, _) => match attestation.other_ledger() {
            Some((ledger, _)) => Check::indeterminate(
                CheckName::OtsProof,
                attestation.to_string(),
                "UNSUPPORTED_ATTESTATION",
                format!(
                    "{attestation} (commitment {}): {ledger} attestations are named, not checked",
                    hex::encode(commitment)
                ),
            ),
            None => Check::indeterminate(
                CheckName::OtsProof,
                attestation.to_string(),
                "UNKNOWN_ATTESTATION",
                format!("an attestation of a kind this version does not know (tag {})", hex::encode(tag)),
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn examples() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/third-party/ots-examples")
    }

    #[test]
    fn the_stamped_file_is_found_beside_the_proof() {
        assert_eq!(default_data_file(Path::new("/a/hello.txt.ots")), Some(PathBuf::from("/a/hello.txt")));
        assert_eq!(default_data_file(Path::new("/a/hello.txt")), None);
        assert_eq!(default_data_file(Path::new("/a/.ots")), None);
    }

    #[tokio::test]
    async fn offline_a_bitcoin_attestation_names_height_and_root_and_a_changed_file_fails() {
        let dir = examples();
        let report = verify_ots(&dir.join("hello-world.txt.ots"), None, None).await.unwrap();
        assert_eq!(report.result, Indication::Indeterminate, "{report:#?}");
        let block = report.checks.iter().find(|c| c.check == CheckName::BitcoinBlock).unwrap();
        assert_eq!(block.reason.as_deref(), Some("BLOCK_NOT_CHECKED"));
        assert!(block.detail.contains("358391"), "{}", block.detail);
        assert!(block.detail.contains("8a1b66ecb7cbd07d8139a7e7d7f2c41aab1f5009b8364aaf61d03ad245e47e00"));
        // Another file under the same proof.
        let other = verify_ots(&dir.join("hello-world.txt.ots"), Some(&dir.join("empty")), None).await.unwrap();
        assert_eq!(other.result, Indication::TotalFailed);
        assert_eq!(other.checks[0].reason.as_deref(), Some("OTS_DIGEST_MISMATCH"));
    }

    #[tokio::test]
    async fn pending_unknown_and_other_ledger_attestations_are_named_never_passed() {
        let dir = examples();
        let pending = verify_ots(&dir.join("incomplete.txt.ots"), None, None).await.unwrap();
        assert_eq!(pending.result, Indication::Indeterminate);
        assert!(pending.checks.iter().any(|c| c.reason.as_deref() == Some("OTS_PENDING")));
        let unknown = verify_ots(&dir.join("unknown-notary.txt.ots"), None, None).await.unwrap();
        assert_eq!(unknown.result, Indication::Indeterminate);
        assert!(unknown.checks.iter().any(|c| c.reason.as_deref() == Some("UNKNOWN_ATTESTATION")));
        let mixed = verify_ots(&dir.join("different-blockchains.txt.ots"), None, None).await.unwrap();
        assert!(mixed.checks.iter().any(|c| c.detail.contains("Ethereum block 3283713")), "{mixed:#?}");
    }

    #[tokio::test]
    async fn malformed_proofs_are_refused_with_the_reason() {
        let dir = examples().join("invalid");
        for (name, says) in [
            ("bad-major-version.ots", "version"),
            ("exceeds-max-msg-length.ots", "4096"),
            ("invalid-file-digest-type.ots", "file hash"),
        ] {
            let e = read_proof(&dir.join(name)).unwrap_err();
            assert!(matches!(e, OtsProofError::Malformed { .. }), "{name}: {e}");
            assert!(e.to_string().contains(says), "{name}: {e}");
        }
    }
}
