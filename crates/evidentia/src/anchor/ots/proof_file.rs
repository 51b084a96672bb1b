//! A detached `.ots` file from anyone, read whole and checked before anything is judged or
//! upgraded: its size bounded, its operations evaluated as the reference client does.

use std::path::{Path, PathBuf};

use super::OtsError;
use super::format::{DetachedTimestamp, OtsFormatError};

/// Largest `.ots` file read (the reference client's limits keep real proofs to a few KiB).
const MAX_PROOF: u64 = 1 << 20;

/// Why a proof could not be judged at all.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OtsProofError {
    /// The proof file cannot be read.
    #[error(transparent)]
    Input(#[from] crate::subject::InputError),
    /// The bytes are not an OpenTimestamps proof this build can evaluate.
    #[error("{path}: {source}")]
    Malformed {
        /// The proof.
        path: PathBuf,
        /// What is wrong.
        source: OtsFormatError,
    },
    /// The proof file is larger than any real proof.
    #[error("{0}: over 1 MiB, which no OpenTimestamps proof is")]
    TooLarge(PathBuf),
    /// A calendar client could not start.
    #[error(transparent)]
    Calendar(#[from] OtsError),
    /// No stamped file to check the proof over.
    #[error(
        "{proof}: the stamped file {} is not there; give it with --file",
        .expected.as_ref().map_or_else(|| "(named like the proof without .ots)".to_owned(), |p| p.display().to_string())
    )]
    NoData {
        /// The proof.
        proof: PathBuf,
        /// Where the file was looked for.
        expected: Option<PathBuf>,
    },
}

impl OtsProofError {
    /// Stable reason code.
    pub fn code(&self) -> &'static str {
        match self {
            OtsProofError::Input(e) => e.code(),
            OtsProofError::Malformed { source, .. } => source.code(),
            OtsProofError::TooLarge(_) => "OTS_MALFORMED",
            OtsProofError::Calendar(e) => e.code(),
            OtsProofError::NoData { .. } => "DATA_FILE_NEEDED",
        }
    }
}

/// Reads and parses a proof file, and evaluates every operation in it (as the reference client
/// does while reading), so that an over-long result is refused before anything is judged.
pub fn read_proof(path: &Path) -> Result<DetachedTimestamp, OtsProofError> {
    let meta = std::fs::metadata(path).map_err(|e| crate::subject::InputError::from_io(path, e))?;
    if meta.len() > MAX_PROOF {
        return Err(OtsProofError::TooLarge(path.to_owned()));
    }
    let bytes = std::fs::read(path).map_err(|e| crate::subject::InputError::from_io(path, e))?;
    let malformed = |source| OtsProofError::Malformed { path: path.to_owned(), source };
    let proof = DetachedTimestamp::from_bytes(&bytes).map_err(malformed)?;
    proof.timestamp.attestations(&proof.digest).map_err(malformed)?;
    Ok(proof)
}
