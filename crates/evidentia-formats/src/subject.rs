//! Turns the paths a user names into checked subjects before anything is written: files sealed
//! one by one, or folders sealed as one work. Missing, unreadable and special files are found here.

use std::collections::BTreeMap;
use std::fs::{self, File, Metadata};
use std::io;
use std::path::{Path, PathBuf};

use serde::Serialize;
use unicode_normalization::UnicodeNormalization;

/// A path that cannot be sealed or hashed as given. Every variant names the path and says what to do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InputError {
    /// Nothing exists at the path.
    #[error("{}: no such file or folder; check the path", .0.display())]
    NotFound(PathBuf),
    /// The path exists but cannot be read.
    #[error("{}: cannot be read ({source}); check its permissions or leave it out", path.display())]
    Unreadable {
        /// The path.
        path: PathBuf,
        /// What the operating system said.
        source: io::Error,
    },
    /// A symbolic link was met inside a folder; links are not followed inside works.
    #[error(
        "{}: is a symbolic link inside a work; links are not followed (they could point outside \
         the work). Replace it with the file it points to, or pass --skip-special to leave it out",
        .0.display()
    )]
    SymbolicLink(PathBuf),
    /// Symbolic links that point at each other, or too many levels of them.
    #[error("{}: symbolic link loop (too many levels of links); fix or remove the link", .0.display())]
    SymbolicLinkLoop(PathBuf),
    /// A device, socket or named pipe.
    #[error("{}: is a {kind}, not a regular file; only regular files can be sealed (--skip-special leaves it out)", path.display())]
    SpecialFile {
        /// The path.
        path: PathBuf,
        /// What it is.
        kind: &'static str,
    },
    /// A name inside a work that is not valid UTF-8 and so has no portable form in the manifest.
    #[error("{}: the name is not valid UTF-8, so it has no portable form in a work manifest; rename it", .0.display())]
    NotUtf8(PathBuf),
    /// Two names inside a work that are the same once normalised (Unicode NFC).
    #[error("{} and {}: the names are the same once normalised to Unicode NFC; rename one", first.display(), second.display())]
    NameClash {
        /// One path.
        first: PathBuf,
        /// The other.
        second: PathBuf,
    },
    /// A folder was named where a file is expected.
    #[error("{}: is a folder; {hint}", path.display())]
    IsFolder {
        /// The path.
        path: PathBuf,
        /// What to do instead.
        hint: &'static str,
    },
    /// A folder holds no file to seal.
    #[error("{}: the folder holds no file to seal", .0.display())]
    EmptyWork(PathBuf),
    /// A file changed size while it was being read, so no consistent digest exists.
    #[error("{}: the file changed while it was being read ({expected} bytes before, {actual} read); seal it again once it is no longer being written", path.display())]
    ChangedWhileReading {
        /// The path.
        path: PathBuf,
        /// Size when planned.
        expected: u64,
        /// Bytes actually read.
        actual: u64,
    },
    /// No path was given.
    #[error("no file or folder given; name at least one")]
    Nothing,
}

impl InputError {
    /// A short stable code for machine-readable output.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound(_) => "INPUT_NOT_FOUND",
            Self::Unreadable { .. } => "INPUT_UNREADABLE",
            Self::SymbolicLink(_) => "INPUT_SYMLINK",
            Self::SymbolicLinkLoop(_) => "INPUT_SYMLINK_LOOP",
            Self::SpecialFile { .. } => "INPUT_SPECIAL_FILE",
            Self::NotUtf8(_) => "INPUT_NOT_UTF8",
            Self::NameClash { .. } => "INPUT_NAME_CLASH",
            Self::IsFolder { .. } => "INPUT_IS_FOLDER",
            Self::EmptyWork(_) => "INPUT_EMPTY_WORK",
            Self::ChangedWhileReading { .. } => "INPUT_CHANGED",
            Self::Nothing => "INPUT_NONE",
        }
    }

    /// Classifies an I/O error met while opening or reading `path`.
    pub fn from_io(path: &Path, err: io::Error) -> Self {
        match err.kind() {
            io::ErrorKind::NotFound => Self::NotFound(path.to_owned()),
            _ if err.raw_os_error() == Some(libc::ELOOP) => Self::SymbolicLinkLoop(path.to_owned()),
            _ => Self::Unreadable { path: path.to_owned(), source: err },
        }
    }
}

/// How folders are walked.
#[derive(Debug, Clone, Copy, Default)]
pub struct WalkPolicy {
    /// Leave out symbolic links and special files inside folders (each is listed as skipped)
    /// instead of refusing the folder.
    pub skip_special: bool,
    /// Seal every file of a named folder as its own record instead of the folder as one work.
    pub each: bool,
}

/// A regular file found and checked readable.
#[derive(Debug, Clone)]
pub struct PlannedFile {
    /// Where it is on disk.
    pub path: PathBuf,
    /// Its size when planned.
    pub size: u64,
}

/// A file inside a work, with its portable name.
#[derive(Debug, Clone)]
pub struct WorkMember {
    /// Relative path in the work: UTF-8, NFC, `/`-separated.
    pub rel: String,
    /// The file.
    pub file: PlannedFile,
}

/// Something left out of a work under [`WalkPolicy::skip_special`].
#[derive(Debug, Clone, Serialize)]
pub struct Skipped {
    /// The path.
    pub path: PathBuf,
    /// Why.
    pub reason: String,
}

/// One thing to seal.
#[derive(Debug, Clone)]
pub enum Subject {
    /// A single file; `name` is how the record names it.
    File {
        /// Record name (file name, or path relative to the named folder's parent with `--each`).
        name: String,
        /// The file.
        file: PlannedFile,
    },
    /// A folder sealed as one work.
    Work {
        /// Record name (the folder's name).
        name: String,
        /// The folder.
        root: PathBuf,
        /// Its files, sorted bytewise by `rel`.
        members: Vec<WorkMember>,
        /// What was left out.
        skipped: Vec<Skipped>,
    },
}

impl Subject {
    /// The record name.
    pub fn name(&self) -> &str {
        match self {
            Subject::File { name, .. } | Subject::Work { name, .. } => name,
        }
    }

    /// Number of files.
    pub fn file_count(&self) -> u64 {
        match self {
            Subject::File { .. } => 1,
            Subject::Work { members, .. } => members.len() as u64,
        }
    }

    /// Total bytes.
    pub fn size(&self) -> u64 {
        match self {
            Subject::File { file, .. } => file.size,
            Subject::Work { members, .. } => members.iter().map(|m| m.file.size).sum(),
        }
    }

    /// Where it is on disk.
    pub fn path(&self) -> &Path {
        match self {
            Subject::File { file, .. } => &file.path,
            Subject::Work { root, .. } => root,
        }
    }
}

/// Checks every named path and returns the subjects to seal, in the order named. Nothing is
/// written; every file is opened once to prove it readable.
pub fn plan(paths: &[PathBuf], policy: WalkPolicy) -> Result<Vec<Subject>, InputError> {
    if paths.is_empty() {
        return Err(InputError::Nothing);
    }
    let mut subjects = Vec::new();
    for path in paths {
        let meta = fs::metadata(path).map_err(|e| InputError::from_io(path, e))?;
        if meta.is_dir() {
            let (members, skipped) = walk_folder(path, policy)?;
            if members.is_empty() {
                return Err(InputError::EmptyWork(path.clone()));
            }
            let folder_name = display_name(path);
            if policy.each {
                for m in members {
                    subjects.push(Subject::File { name: format!("{folder_name}/{}", m.rel), file: m.file });
                }
            } else {
                subjects.push(Subject::Work { name: folder_name, root: path.clone(), members, skipped });
            }
        } else {
            let file = check_regular(path, &meta)?;
            subjects.push(Subject::File { name: display_name(path), file });
        }
    }
    Ok(subjects)
}

/// Checks one path that must be a regular file (symbolic links to files are followed).
pub fn plan_file(path: &Path) -> Result<PlannedFile, InputError> {
    let meta = fs::metadata(path).map_err(|e| InputError::from_io(path, e))?;
    if meta.is_dir() {
        return Err(InputError::IsFolder {
            path: path.to_owned(),
            hint: "name the files inside it, or use --work to hash the folder as one work",
        });
    }
    check_regular(path, &meta)
}

/// Walks a folder for a work: returns its members sorted by portable name, and what was skipped.
pub fn walk_folder(root: &Path, policy: WalkPolicy) -> Result<(Vec<WorkMember>, Vec<Skipped>), InputError> {
    let mut members: BTreeMap<String, WorkMember> = BTreeMap::new();
    let mut skipped = Vec::new();
    let mut stack = vec![(root.to_path_buf(), String::new())];
    while let Some((dir, prefix)) = stack.pop() {
        let entries = fs::read_dir(&dir).map_err(|e| InputError::from_io(&dir, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| InputError::from_io(&dir, e))?;
            let path = entry.path();
            let name = entry.file_name();
            let name = name.to_str().ok_or_else(|| InputError::NotUtf8(path.clone()))?;
            let rel = format!("{prefix}{}", name.nfc().collect::<String>());
            let meta = fs::symlink_metadata(&path).map_err(|e| InputError::from_io(&path, e))?;
            let ft = meta.file_type();
            if ft.is_dir() {
                stack.push((path, format!("{rel}/")));
                continue;
            }
            let refusal = if ft.is_symlink() {
                Some(InputError::SymbolicLink(path.clone()))
            } else if !ft.is_file() {
                Some(InputError::SpecialFile { path: path.clone(), kind: special_kind(&meta) })
            } else {
                None
            };
            if let Some(err) = refusal {
                if policy.skip_special {
                    skipped.push(Skipped { reason: err.to_string(), path });
                    continue;
                }
                return Err(err);
            }
            let file = check_regular(&path, &meta)?;
            if let Some(prev) = members.get(&rel) {
                return Err(InputError::NameClash { first: prev.file.path.clone(), second: path });
            }
            members.insert(rel.clone(), WorkMember { rel, file });
        }
    }
    // BTreeMap<String> orders by bytes of the UTF-8 text, which is the manifest's order.
    Ok((members.into_values().collect(), skipped))
}

fn check_regular(path: &Path, meta: &Metadata) -> Result<PlannedFile, InputError> {
    if !meta.is_file() {
        return Err(InputError::SpecialFile { path: path.to_owned(), kind: special_kind(meta) });
    }
    File::open(path).map_err(|e| InputError::from_io(path, e))?;
    Ok(PlannedFile { path: path.to_owned(), size: meta.len() })
}

fn special_kind(meta: &Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let ft = meta.file_type();
    if ft.is_fifo() {
        "named pipe"
    } else if ft.is_socket() {
        "socket"
    } else if ft.is_block_device() {
        "block device"
    } else if ft.is_char_device() {
        "character device"
    } else if ft.is_symlink() {
        "symbolic link"
    } else {
        "special file"
    }
}

/// The name a record gets for a path: its last component (NFC), or the whole path if it has none.
fn display_name(path: &Path) -> String {
    let base = match path.file_name() {
        Some(n) => n.to_string_lossy().into_owned(),
        None => fs::canonicalize(path)
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| path.to_string_lossy().into_owned()),
    };
    base.nfc().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn work_members_are_sorted_bytewise_with_slashes() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("work");
        fs::create_dir_all(root.join("b/c")).unwrap();
        fs::write(root.join("b/c/z.txt"), b"z").unwrap();
        fs::write(root.join("B.txt"), b"B").unwrap();
        fs::write(root.join("a.txt"), b"a").unwrap();
        fs::write(root.join("b.txt"), b"b").unwrap();
        let (members, skipped) = walk_folder(&root, WalkPolicy::default()).unwrap();
        let names: Vec<_> = members.iter().map(|m| m.rel.as_str()).collect();
        assert_eq!(names, ["B.txt", "a.txt", "b.txt", "b/c/z.txt"]);
        assert!(skipped.is_empty());
    }

    #[test]
    fn symlinks_inside_works_are_refused_or_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("work");
        fs::create_dir(&root).unwrap();
        fs::write(root.join("real.txt"), b"x").unwrap();
        std::os::unix::fs::symlink("/etc/passwd", root.join("link")).unwrap();
        let err = walk_folder(&root, WalkPolicy::default()).unwrap_err();
        assert!(matches!(err, InputError::SymbolicLink(ref p) if p.ends_with("link")), "{err}");
        let (members, skipped) = walk_folder(&root, WalkPolicy { skip_special: true, each: false }).unwrap();
        assert_eq!(members.len(), 1);
        assert_eq!(skipped.len(), 1);
    }

    #[test]
    fn missing_paths_and_loops_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope.pdf");
        let err = plan(&[missing], WalkPolicy::default()).unwrap_err();
        assert!(err.to_string().contains("nope.pdf"));
        let a = dir.path().join("a");
        std::os::unix::fs::symlink(dir.path().join("b"), &a).unwrap();
        std::os::unix::fs::symlink(&a, dir.path().join("b")).unwrap();
        let err = plan(&[a], WalkPolicy::default()).unwrap_err();
        assert!(matches!(err, InputError::SymbolicLinkLoop(_)), "{err}");
    }
}
