//! A work's canonical manifest: its files' portable paths, sizes and digests, serialised so that
//! anyone can rebuild the same bytes. The work's digest is the digest of those bytes.
//! The format is specified in `docs/work-manifest.md`.

use serde::{Deserialize, Serialize};

use crate::digest::{DigestAlgorithm, Digests};

/// The format tag that opens every manifest.
pub const FORMAT: &str = "evidentia-work-manifest/1";

/// One file of a work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestEntry {
    /// Relative path: UTF-8, Unicode NFC, components joined by `/`.
    pub path: String,
    /// Size in bytes.
    pub size: u64,
    /// Digest per algorithm, keys in the order sha256, sha384, sha512, sm3.
    pub digests: Digests,
}

/// The canonical description of a work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkManifest {
    /// Always [`FORMAT`].
    pub format: String,
    /// The algorithms every entry carries, in canonical order.
    pub algorithms: Vec<DigestAlgorithm>,
    /// The files, sorted bytewise by path.
    pub files: Vec<ManifestEntry>,
}

impl WorkManifest {
    /// Builds a manifest; entries are sorted and algorithms put in canonical order.
    pub fn new(algorithms: &[DigestAlgorithm], mut files: Vec<ManifestEntry>) -> Self {
        files.sort_by(|a, b| a.path.as_bytes().cmp(b.path.as_bytes()));
        let mut algorithms = algorithms.to_vec();
        algorithms.sort();
        algorithms.dedup();
        Self { format: FORMAT.to_owned(), algorithms, files }
    }

    /// The canonical bytes: compact JSON, keys in the documented order, no trailing newline.
    pub fn to_canonical_bytes(&self) -> Vec<u8> {
        // Serialising plain structs, strings and integers to a Vec cannot fail.
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// The work's digests: each algorithm over the canonical bytes.
    pub fn digests(&self) -> Digests {
        let bytes = self.to_canonical_bytes();
        let mut out = Digests::default();
        for &algo in &self.algorithms {
            out.insert(algo, algo.digest(&bytes));
        }
        out
    }

    /// Total size of the files.
    pub fn total_size(&self) -> u64 {
        self.files.iter().map(|f| f.size).sum()
    }
}

/// Builds the manifest of the folder `root` without sealing it (for `evidentia hash --work`).
pub fn manifest_of_folder(
    root: &std::path::Path,
    algos: &[DigestAlgorithm],
    policy: crate::subject::WalkPolicy,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<WorkManifest, crate::subject::InputError> {
    let (members, _skipped) = crate::subject::walk_folder(root, policy)?;
    if members.is_empty() {
        return Err(crate::subject::InputError::EmptyWork(root.to_owned()));
    }
    let paths: Vec<std::path::PathBuf> = members.iter().map(|m| m.file.path.clone()).collect();
    let mut entries = Vec::with_capacity(members.len());
    for (member, hashed) in members.iter().zip(crate::digest::hash_files(&paths, algos, progress)) {
        let hashed = hashed?;
        entries.push(ManifestEntry { path: member.rel.clone(), size: hashed.size, digests: hashed.digests });
    }
    Ok(WorkManifest::new(algos, entries))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_bytes_are_stable_and_sorted() {
        let d = |s: &str| {
            let mut digests = Digests::default();
            digests.insert(DigestAlgorithm::Sha256, DigestAlgorithm::Sha256.digest(s.as_bytes()));
            digests
        };
        let m = WorkManifest::new(
            &[DigestAlgorithm::Sha256],
            vec![
                ManifestEntry { path: "b/é.txt".into(), size: 1, digests: d("b") },
                ManifestEntry { path: "a.txt".into(), size: 2, digests: d("a") },
            ],
        );
        let text = String::from_utf8(m.to_canonical_bytes()).unwrap();
        assert!(text.starts_with(r#"{"format":"evidentia-work-manifest/1","algorithms":["sha256"],"files":[{"path":"a.txt","size":2,"digests":{"sha256":""#));
        assert!(text.contains(r#"{"path":"b/é.txt","size":1"#));
        let again = serde_json::from_slice::<WorkManifest>(text.as_bytes()).unwrap();
        assert_eq!(again.to_canonical_bytes(), text.as_bytes());
        assert_eq!(m.digests().get(DigestAlgorithm::Sha256), Some(&DigestAlgorithm::Sha256.digest(text.as_bytes())));
    }
}
