//! Digests of files and byte streams: SHA-256, SHA-512 and SM3, several in one streamed pass.

mod algorithm;
mod reader;

pub use algorithm::{DigestAlgorithm, DigestValue, Digests, MultiHasher, UnknownAlgorithm};
pub use reader::{CHUNK_SIZE, HEAD_LEN, HashedFile, hash_bytes, hash_file, hash_reader, read_small};

use std::path::PathBuf;

use rayon::prelude::*;

use crate::subject::{InputError, plan_file};

/// One file's digests, as `evidentia hash` reports them.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FileDigests {
    /// The path as named.
    pub path: PathBuf,
    /// Bytes hashed.
    pub size: u64,
    /// Digest per algorithm.
    pub digests: Digests,
}

/// Hashes many files in parallel on all cores; results come back in the order named.
pub fn hash_files(
    paths: &[PathBuf],
    algos: &[DigestAlgorithm],
    progress: &(dyn Fn(u64) + Sync),
) -> Vec<Result<FileDigests, InputError>> {
    paths
        .par_iter()
        .map(|path| {
            plan_file(path)?;
            let hashed = hash_file(path, algos, None, progress).map_err(|e| InputError::from_io(path, e))?;
            Ok(FileDigests { path: path.clone(), size: hashed.size, digests: hashed.digests })
        })
        .collect()
}
