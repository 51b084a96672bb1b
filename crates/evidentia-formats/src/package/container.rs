//! Reading a container from untrusted hands: every entry's name, kind and declared sizes are
//! checked before any byte is decompressed (no `..`, absolute paths, symlinks, duplicates, or
//! entries that expand beyond a bound or ratio), reads stop at the declared size, and extraction
//! writes only new files under the target folder.

use std::collections::HashSet;
use std::fs::File;
use std::io::{Read, Seek};
use std::path::{Path, PathBuf};

use super::ContainerError;
use crate::digest::{DigestAlgorithm, Digests, hash_reader};

/// Bounds a container must stay within.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Most entries.
    pub max_entries: usize,
    /// Largest uncompressed entry.
    pub max_entry_bytes: u64,
    /// Largest uncompressed total.
    pub max_total_bytes: u64,
    /// Largest expansion (uncompressed / compressed) for entries over 1 MiB.
    pub max_ratio: u64,
    /// Largest entry read whole into memory (metadata, proofs).
    pub max_in_memory: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_entries: 100_000,
            max_entry_bytes: 64 << 30,
            max_total_bytes: 256 << 30,
            max_ratio: 200,
            max_in_memory: 64 << 20,
        }
    }
}

/// One entry, as its headers declare it.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Its position.
    pub index: usize,
    /// Its name (a safe relative path, `/`-separated).
    pub name: String,
    /// Declared uncompressed size.
    pub size: u64,
    /// A folder entry.
    pub is_dir: bool,
    /// Stored without compression.
    pub stored: bool,
}

/// What a container is read from: a file, or bytes in memory.
pub trait Source: Read + Seek + Send {}
impl<T: Read + Seek + Send> Source for T {}

/// An opened container whose entry list passed every check.
pub struct Container {
    path: PathBuf,
    archive: zip::ZipArchive<Box<dyn Source>>,
    entries: Vec<Entry>,
    limits: Limits,
}

impl Container {
    /// Opens `path` and checks every entry header; a hostile entry refuses the whole container.
    pub fn open(path: &Path, limits: Limits) -> Result<Container, ContainerError> {
        let file = File::open(path).map_err(|source| ContainerError::Io { path: path.to_owned(), source })?;
        Self::from_reader(path, Box::new(file), limits)
    }

    /// Reads a container from `source` (named `path` in messages) and checks every entry header,
    /// as [`Container::open`] does.
    pub fn from_reader(path: &Path, source: Box<dyn Source>, limits: Limits) -> Result<Container, ContainerError> {
        let mut archive = zip::ZipArchive::new(source)
            .map_err(|e| ContainerError::NotAContainer { path: path.to_owned(), detail: e.to_string() })?;
        let hostile =
            |entry: &str, why: String| ContainerError::Hostile { path: path.to_owned(), entry: entry.to_owned(), why };
        if archive.len() > limits.max_entries {
            return Err(hostile("*", format!("is one of {} entries, more than {}", archive.len(), limits.max_entries)));
        }
        if archive.has_duplicate_names() {
            return Err(hostile("*", "— the container lists one name more than once (which copy counts?)".into()));
        }
        let mut entries = Vec::with_capacity(archive.len());
        let mut seen = HashSet::new();
        let mut total = 0u64;
        for index in 0..archive.len() {
            let f = archive
                .by_index_raw(index)
                .map_err(|e| ContainerError::NotAContainer { path: path.to_owned(), detail: e.to_string() })?;
            let name = f
                .name()
                .map(|n| n.into_owned())
                .map_err(|_| hostile(&format!("#{index}"), "has a name that is not UTF-8".into()))?;
            safe_name(&name).map_err(|why| hostile(&name, why))?;
            if f.is_symlink() {
                return Err(hostile(&name, "is a symbolic link".into()));
            }
            let is_dir = f.is_dir();
            let key = name.trim_end_matches('/').to_lowercase();
            if !seen.insert(key) {
                return Err(hostile(&name, "appears twice (names differing only in case count as the same)".into()));
            }
            let (size, compressed) = (f.size(), f.compressed_size());
            if size > limits.max_entry_bytes {
                return Err(hostile(
                    &name,
                    format!("declares {size} bytes uncompressed, more than the bound of {}", limits.max_entry_bytes),
                ));
            }
            if size > (1 << 20) && size / compressed.max(1) > limits.max_ratio {
                return Err(hostile(
                    &name,
                    format!(
                        "expands {} times ({compressed} to {size} bytes), more than {}: a decompression bomb",
                        size / compressed.max(1),
                        limits.max_ratio
                    ),
                ));
            }
            total = total.saturating_add(size);
            if total > limits.max_total_bytes {
                return Err(hostile(&name, format!("brings the total past {} bytes", limits.max_total_bytes)));
            }
            let stored = f.compression() == zip::CompressionMethod::Stored;
            drop(f);
            entries.push(Entry { index, name, size, is_dir, stored });
        }
        Ok(Container { path: path.to_owned(), archive, entries, limits })
    }

    /// The container's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Every entry, in stored order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The entry named `name`, if any.
    pub fn entry(&self, name: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.name == name && !e.is_dir)
    }

    /// Reads a small entry whole. `Ok(None)` when it is absent; `Err` names what is wrong with it.
    pub fn read(&mut self, name: &str) -> Result<Option<Vec<u8>>, String> {
        let Some(entry) = self.entry(name).cloned() else { return Ok(None) };
        if entry.size > self.limits.max_in_memory {
            return Err(format!(
                "is {} bytes, more than the {} read into memory",
                entry.size, self.limits.max_in_memory
            ));
        }
        let mut out = Vec::with_capacity(entry.size as usize);
        self.with_reader(&entry, |r| r.read_to_end(&mut out).map(|_| ()))?;
        Ok(Some(out))
    }

    /// Hashes an entry as it decompresses. `Ok(None)` when it is absent.
    pub fn hash(&mut self, name: &str, algos: &[DigestAlgorithm]) -> Result<Option<Digests>, String> {
        let Some(entry) = self.entry(name).cloned() else { return Ok(None) };
        let mut digests = None;
        self.with_reader(&entry, |r| hash_reader(r, algos, &|_| {}).map(|(d, _)| digests = Some(d)))?;
        Ok(digests)
    }

    /// Runs `f` on the entry's decompressed bytes, never more than its declared size; a longer
    /// stream, a short one or a CRC mismatch is an error.
    fn with_reader(
        &mut self,
        entry: &Entry,
        f: impl FnOnce(&mut dyn Read) -> std::io::Result<()>,
    ) -> Result<(), String> {
        let file = self.archive.by_index(entry.index).map_err(|e| format!("cannot be opened: {e}"))?;
        let mut counted = Counted { inner: file.take(entry.size + 1), n: 0 };
        f(&mut counted).map_err(|e| format!("is damaged: {e}"))?;
        if counted.n != entry.size {
            return Err(format!("holds {} bytes, not the {} its header declares", counted.n, entry.size));
        }
        Ok(())
    }

    /// Writes every entry under `dir`, which must be new or empty; nothing is written elsewhere.
    pub fn extract(&mut self, dir: &Path) -> Result<(), ContainerError> {
        let io = |path: &Path, source| ContainerError::Io { path: path.to_owned(), source };
        if dir.exists() && std::fs::read_dir(dir).map_err(|e| io(dir, e))?.next().is_some() {
            return Err(io(dir, std::io::Error::other("the folder is not empty; extract into a new folder")));
        }
        std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
        let root = dir.canonicalize().map_err(|e| io(dir, e))?;
        for entry in self.entries.clone() {
            let target = root.join(&entry.name);
            if entry.is_dir {
                std::fs::create_dir_all(&target).map_err(|e| io(&target, e))?;
                continue;
            }
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent).map_err(|e| io(parent, e))?;
                // Folders made above are real folders under the root: the names were checked.
                if !parent.canonicalize().map_err(|e| io(parent, e))?.starts_with(&root) {
                    return Err(ContainerError::Hostile {
                        path: self.path.clone(),
                        entry: entry.name.clone(),
                        why: "leads outside the target folder".into(),
                    });
                }
            }
            let mut out =
                std::fs::OpenOptions::new().write(true).create_new(true).open(&target).map_err(|e| io(&target, e))?;
            self.with_reader(&entry, |r| std::io::copy(r, &mut out).map(|_| ())).map_err(|why| {
                ContainerError::NotAContainer {
                    path: self.path.clone(),
                    detail: format!("entry `{}` {why}", entry.name),
                }
            })?;
        }
        Ok(())
    }
}

struct Counted<R> {
    inner: R,
    n: u64,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.n += n as u64;
        Ok(n)
    }
}

/// Whether an entry name is a plain relative path: no absolute or drive paths, no `..` or `.`,
/// no backslashes, no control characters, no empty components.
pub fn safe_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("has an empty name".into());
    }
    if name.starts_with('/') {
        return Err("is an absolute path".into());
    }
    if name.contains('\\') {
        return Err("contains a backslash (a Windows path)".into());
    }
    if name.chars().any(char::is_control) {
        return Err("contains a control character".into());
    }
    let trimmed = name.strip_suffix('/').unwrap_or(name);
    for part in trimmed.split('/') {
        match part {
            "" => return Err("has an empty path component".into()),
            "." | ".." => return Err(format!("has a `{part}` path component (path traversal)")),
            p if p.len() >= 2 && p.as_bytes()[1] == b':' => return Err("is a drive path".into()),
            _ => {}
        }
    }
    Ok(())
}
