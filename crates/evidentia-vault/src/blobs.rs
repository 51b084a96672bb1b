//! The content-addressed blob store: copies of sealed content at `sha256/<2 hex>/<64 hex>`.
//! Blobs are written to a temporary file, made durable, then renamed into place, so a blob at
//! its final name is always whole.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::digest::{DigestAlgorithm, hash_file};

/// The blob store of one vault.
#[derive(Debug, Clone)]
pub struct BlobStore {
    root: PathBuf,
}

/// A blob being written: its bytes go to a temporary file until [`BlobStore::publish`].
#[derive(Debug)]
pub struct PendingBlob {
    /// The temporary file.
    pub path: PathBuf,
}

/// What a check of one blob found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlobState {
    /// Present, and its content has the digest it is named after.
    Intact,
    /// No file at the blob's path.
    Missing,
    /// Present but its content has another digest (given).
    Changed(String),
    /// Present but unreadable (the error text).
    Unreadable(String),
}

impl BlobStore {
    /// The store under `root` (created on first write).
    pub fn new(root: PathBuf) -> Self {
        Self { root }
    }

    /// Where the blob with this SHA-256 lives.
    pub fn path_for(&self, sha256_hex: &str) -> PathBuf {
        let prefix = sha256_hex.get(..2).unwrap_or("xx");
        self.root.join("sha256").join(prefix).join(sha256_hex)
    }

    fn tmp_dir(&self) -> PathBuf {
        self.root.join("tmp")
    }

    /// Creates a new temporary file for a blob whose digest is not known yet. Each worker
    /// thread writes in a folder of its own, so parallel writers do not queue on one folder.
    pub fn begin(&self) -> io::Result<(PendingBlob, File)> {
        let dir = self.tmp_dir().join(format!("w{}", rayon::current_thread_index().unwrap_or(0)));
        let path = dir.join(format!("{}.{}.{}.part", writer_host(), std::process::id(), uuid::Uuid::now_v7()));
        let file = match File::options().write(true).create_new(true).open(&path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                fs::create_dir_all(&dir)?;
                File::options().write(true).create_new(true).open(&path)?
            }
            other => other?,
        };
        Ok((PendingBlob { path }, file))
    }

    /// Writes bytes held in memory as a pending blob.
    pub fn begin_with(&self, bytes: &[u8]) -> io::Result<PendingBlob> {
        let (pending, mut file) = self.begin()?;
        file.write_all(bytes)?;
        Ok(pending)
    }

    /// Whether a blob is already in place (its content is not checked).
    pub fn contains(&self, sha256_hex: &str) -> bool {
        self.path_for(sha256_hex).is_file()
    }

    /// Flushes every written file of the file system that holds the store to stable storage:
    /// one call makes a whole batch of blobs durable.
    pub fn sync(&self) -> io::Result<()> {
        fs::create_dir_all(&self.root)?;
        let dir = File::open(&self.root)?;
        rustix::fs::syncfs(&dir).map_err(io::Error::from)
    }

    /// Moves a pending blob to its final name. If that blob exists already, the copy is dropped.
    pub fn publish(&self, pending: PendingBlob, sha256_hex: &str) -> io::Result<()> {
        let target = self.path_for(sha256_hex);
        if target.is_file() {
            return discard_file(&pending.path);
        }
        match fs::rename(&pending.path, &target) {
            Err(e) if e.kind() == io::ErrorKind::NotFound && pending.path.exists() => {
                if let Some(parent) = target.parent() {
                    fs::create_dir_all(parent)?;
                }
                fs::rename(&pending.path, &target)
            }
            other => other,
        }
    }

    /// Drops a pending blob.
    pub fn discard(&self, pending: PendingBlob) -> io::Result<()> {
        discard_file(&pending.path)
    }

    /// Removes temporary files left by interrupted writes. With `shared` false the caller is the
    /// only writer (it holds the folder's lock) and removes them all; with `shared` true (a team
    /// vault) it removes only those of writers on this host that are no longer running, and
    /// any not written for a day.
    pub fn clear_abandoned(&self, shared: bool) -> io::Result<usize> {
        let mut removed = 0;
        let workers = match fs::read_dir(self.tmp_dir()) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
            Err(e) => return Err(e),
        };
        let host = writer_host();
        for worker in workers.flatten() {
            for entry in fs::read_dir(worker.path())?.flatten() {
                if shared && !abandoned_by_writer(&entry, &host) {
                    continue;
                }
                if fs::remove_file(entry.path()).is_ok() {
                    removed += 1;
                }
            }
        }
        Ok(removed)
    }

    /// Recomputes one blob's SHA-256.
    pub fn check(&self, sha256_hex: &str) -> BlobState {
        let path = self.path_for(sha256_hex);
        match fs::symlink_metadata(&path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => return BlobState::Missing,
            Err(e) => return BlobState::Unreadable(e.to_string()),
            Ok(m) if !m.is_file() => return BlobState::Changed("(not a regular file)".into()),
            Ok(_) => {}
        }
        match hash_file(&path, &[DigestAlgorithm::Sha256], None, &|_| {}) {
            Ok(hashed) => {
                let actual = hashed.digests.get(DigestAlgorithm::Sha256).map(|d| d.to_hex()).unwrap_or_default();
                if actual == sha256_hex { BlobState::Intact } else { BlobState::Changed(actual) }
            }
            Err(e) => BlobState::Unreadable(e.to_string()),
        }
    }

    /// The store's root folder.
    pub fn root(&self) -> &Path {
        &self.root
    }
}

fn discard_file(path: &Path) -> io::Result<()> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// This host's name, part of each temporary file's name so that team members sharing a folder
/// know whose unfinished copies they see.
fn writer_host() -> String {
    let name = fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .unwrap_or_default();
    let name: String = name.trim().chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
    if name.is_empty() { "host".to_owned() } else { name }
}

/// A temporary file (`HOST.PID.UUID.part`) whose writer on this host is gone, or that nobody
/// has written for a day.
fn abandoned_by_writer(entry: &fs::DirEntry, host: &str) -> bool {
    const STALE: std::time::Duration = std::time::Duration::from_secs(24 * 3600);
    let stale =
        entry.metadata().and_then(|m| m.modified()).ok().and_then(|t| t.elapsed().ok()).is_some_and(|a| a >= STALE);
    let name = entry.file_name().to_string_lossy().into_owned();
    let mut parts = name.split('.');
    let gone = match (parts.next(), parts.next().and_then(|p| p.parse::<u32>().ok())) {
        (Some(h), Some(pid)) if h == host => {
            !Path::new(&format!("/proc/{pid}")).exists() && Path::new("/proc/self").exists()
        }
        _ => false,
    };
    stale || gone
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn publish_check_and_detect_changes() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::new(dir.path().join("blobs"));
        let data = b"contract text";
        let sha = DigestAlgorithm::Sha256.digest(data).to_hex();
        let pending = store.begin_with(data).unwrap();
        store.sync().unwrap();
        store.publish(pending, &sha).unwrap();
        assert_eq!(store.check(&sha), BlobState::Intact);
        // A second copy of the same content is dropped, not duplicated.
        let again = store.begin_with(data).unwrap();
        let again_path = again.path.clone();
        store.publish(again, &sha).unwrap();
        assert!(!again_path.exists());
        fs::write(store.path_for(&sha), b"contract text, edited").unwrap();
        assert!(matches!(store.check(&sha), BlobState::Changed(_)));
        fs::remove_file(store.path_for(&sha)).unwrap();
        assert_eq!(store.check(&sha), BlobState::Missing);
    }

    #[test]
    fn abandoned_temporary_files_are_cleared() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::new(dir.path().join("blobs"));
        let _left = store.begin_with(b"half").unwrap();
        assert_eq!(store.clear_abandoned(false).unwrap(), 1);
        assert_eq!(store.clear_abandoned(false).unwrap(), 0);
    }

    #[test]
    fn a_shared_store_clears_only_what_dead_writers_of_this_host_left() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::new(dir.path().join("blobs"));
        let mine = store.begin_with(b"still being written").unwrap();
        let worker = mine.path.parent().unwrap().to_owned();
        let host = writer_host();
        let dead = worker.join(format!("{host}.4000000.x.part"));
        let elsewhere = worker.join("another-host.1.x.part");
        fs::write(&dead, b"left by a killed writer").unwrap();
        fs::write(&elsewhere, b"another member's").unwrap();
        assert_eq!(store.clear_abandoned(true).unwrap(), 1);
        assert!(!dead.exists() && mine.path.exists() && elsewhere.exists());
    }
}
