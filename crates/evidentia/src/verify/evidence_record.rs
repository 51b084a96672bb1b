//! Verifying a detached evidence record (an RFC 4998 `.ers` or an RFC 6283 `.xml`) over the file
//! it is meant to prove: the record's own check and each archive time-stamp's.

use std::io::Read;
use std::path::Path;

use evidentia_formats::xml_c14n::Canonicalization;
use evidentia_pki::evidence_record::{
    self, Coverage, DataObject, EvidenceRecord, EvidenceRecordError, xml_aware_digest,
};
use evidentia_pki::policy::tsp_policy;

use super::Policy;
use super::package::{ForeignEvidence, PackageReport};
use crate::digest::{DigestAlgorithm, hash_file};
use crate::subject::InputError;

/// Largest record read (real ones hold a handful of time-stamps: kilobytes).
const MAX_RECORD: u64 = 16 << 20;
/// Largest XML data file read whole to be canonicalized for an XML record.
const MAX_XML_DATA: u64 = 64 << 20;

/// Why a detached evidence record cannot be judged at all.
#[derive(Debug, thiserror::Error)]
pub enum DetachedRecordError {
    /// The record or the data cannot be read.
    #[error(transparent)]
    Input(#[from] InputError),
    /// The record is not one.
    #[error("{}: {source}", path.display())]
    Malformed {
        /// The record.
        path: std::path::PathBuf,
        /// What is wrong.
        source: EvidenceRecordError,
    },
}

/// Verifies the record at `path` over `data`.
pub fn verify_detached(path: &Path, data: &Path, policy: &Policy) -> Result<PackageReport, DetachedRecordError> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_RECORD + 1).read_to_end(&mut bytes))
        .map_err(|e| InputError::from_io(path, e))?;
    let record = if bytes.len() as u64 > MAX_RECORD {
        Err(EvidenceRecordError(format!("it is larger than {} MiB, which no evidence record is", MAX_RECORD >> 20)))
    } else {
        EvidenceRecord::parse(&bytes)
    }
    .map_err(|source| DetachedRecordError::Malformed { path: path.to_owned(), source })?;
    let size = std::fs::metadata(data).map_err(|e| InputError::from_io(data, e))?.len();
    let name = data.display().to_string();
    let digest = move |a: DigestAlgorithm, c14n: Option<Canonicalization>| -> Result<Vec<u8>, String> {
        if c14n.is_some() && size <= MAX_XML_DATA {
            let bytes = std::fs::read(data).map_err(|e| e.to_string())?;
            return Ok(xml_aware_digest(&bytes, a, c14n));
        }
        let hashed = hash_file(data, &[a], None, &|_| {}).map_err(|e| e.to_string())?;
        hashed.digests.get(a).map(|v| v.as_bytes().to_vec()).ok_or_else(|| format!("{a} not computed"))
    };
    let objects = [DataObject { name, digest: Box::new(digest), coverage: Coverage::Expected }];
    let report = evidence_record::verify(&record, &objects, &tsp_policy(&policy.signatures));
    let checks = report.checks(&path.display().to_string());
    Ok(super::asic::foreign_report(
        ForeignEvidence::EvidenceRecord,
        path.display().to_string(),
        checks,
        Vec::new(),
        policy,
    ))
}
