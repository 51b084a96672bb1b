//! What `vault verify` reports: each thing found wrong, and the fields in which a record row
//! differs from the event that created it.

use serde::Serialize;

use super::record::EvidenceRecord;

/// One thing found wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VaultProblem {
    /// Stable code, e.g. `EVENT_ALTERED`, `BLOB_MISSING`.
    pub code: &'static str,
    /// The broken item: `event #12`, `record 0193…`, `blob 9f86…`.
    pub item: String,
    /// What is wrong, in words.
    pub detail: String,
}

pub(super) fn problem(code: &'static str, item: String, detail: String) -> VaultProblem {
    VaultProblem { code, item, detail }
}

/// Names of the fields in which a stored row differs from the record its event carries.
pub(super) fn differences(recorded: &EvidenceRecord, row: &EvidenceRecord) -> Vec<&'static str> {
    let mut d = Vec::new();
    let checks: [(&'static str, bool); 12] = [
        ("id", recorded.id == row.id),
        ("kind", recorded.kind == row.kind),
        ("name", recorded.name == row.name),
        ("size", recorded.size == row.size),
        ("file_count", recorded.file_count == row.file_count),
        ("media_type", recorded.media_type == row.media_type),
        ("digests", recorded.digests == row.digests),
        ("stored", recorded.stored == row.stored),
        ("source_path", recorded.source_path == row.source_path),
        ("profile", recorded.profile == row.profile),
        ("created_at", recorded.created_at == row.created_at),
        ("timestamp_requested", recorded.timestamp_requested == row.timestamp_requested),
    ];
    for (name, same) in checks {
        if !same {
            d.push(name);
        }
    }
    d
}
