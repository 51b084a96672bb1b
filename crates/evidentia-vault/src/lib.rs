//! The evidence vault: records, file copies and the hash-chained custody log, and the check of all
//! three. On `evidentia-formats` and `evidentia-pki` only; never on the network or the use cases.
//!
//! Layout of a vault folder: `vault.db` (SQLite, WAL), `blobs/` (the [`BlobStore`]), `head.json`
//! (the [`HeadWitness`]) and `lock` (held by the one process allowed to write). A team vault
//! keeps its rows in PostgreSQL and `blobs/` and `head.json` in a folder its members share;
//! several processes write it at once (see [`VaultLocation`]).

#![forbid(unsafe_code)]

mod anchors;
mod archive;
mod blobs;
mod cases;
mod engine;
mod exports;
mod location;
mod lock;
mod log_pass;
mod ots;
mod pg_copy;
mod pg_scan;
mod problem;
mod scan;
mod store;
mod verify;

use evidentia_formats::{clock, custody, digest, hash_hex, record, work};
use evidentia_pki::{cades, tsp};

use std::path::{Path, PathBuf};
use std::time::Duration;

use sqlx::AnyPool;

pub use anchors::{AnchorBatch, AnchorDrop, AnchorSend, BatchAnchoring, BatchLeaf, RecordInclusion, StoredChainAnchor};
pub use archive::{ArchiveKind, ArchiveLeaf, ArchiveStamp, CUSTODY_HEAD, leaves_sha256, placed_chains};
pub use blobs::{BlobState, BlobStore, PendingBlob};
pub use cases::{CaseChange, CaseSummary, MAX_CASE_NAME, case_name};
pub use custody::{CustodyEvent, CustodyEventKind, GENESIS_HASH, HeadWitness};
pub use engine::Engine;
pub use location::{VaultLocation, is_postgres_url, without_password};
pub use lock::VaultLock;
pub use ots::{OtsStamp, OtsStampKind};
pub use problem::VaultProblem;
pub use record::{EvidenceRecord, EvidenceSignature, EvidenceTimestamp, RecordStatus, SubjectKind};
pub use store::{
    ListFilter, MAX_PAGE, NewRecord, NewSignature, NewTimestamp, RecordDetail, RecordPage, RecordQuery, RecordRow,
};
pub use verify::VaultCheck;

const DB_FILE: &str = "vault.db";
const HEAD_FILE: &str = "head.json";
const LOCK_FILE: &str = "lock";
const BLOB_DIR: &str = "blobs";
const HEAD_LOCK_FILE: &str = "head.lock";

/// Why the vault cannot be used. Each message names the vault and says what to do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VaultError {
    /// The vault path is a file.
    #[error("{}: is a file, not a vault folder; pass --vault (or set EVIDENTIA_VAULT) to a folder", .0.display())]
    NotADirectory(PathBuf),
    /// The folder holds other things and no vault.
    #[error("{}: holds other files but no Evidentia vault; choose an empty or new folder for a vault", .0.display())]
    NotAVault(PathBuf),
    /// No vault at the path.
    #[error("no vault at {}; seal something first, or pass --vault (or set EVIDENTIA_VAULT) to an existing vault", .0.display())]
    Missing(PathBuf),
    /// Another process holds the vault for writing.
    #[error("vault {} is in use by another Evidentia process{holder} and stayed busy for {waited_secs} s; try again when it has finished", path.display())]
    Locked {
        /// The vault.
        path: PathBuf,
        /// ` (pid N)` when known.
        holder: String,
        /// How long we waited.
        waited_secs: u64,
    },
    /// The vault was written by a newer Evidentia.
    #[error("vault {} was written by a newer Evidentia (schema {found}; this version knows up to {known}); upgrade Evidentia. The vault was not changed", path.display())]
    NewerSchema {
        /// The vault.
        path: PathBuf,
        /// Its schema version.
        found: i64,
        /// The newest this build knows.
        known: i64,
    },
    /// The database file is damaged or not a database.
    #[error("vault database {} cannot be read ({detail}); restore the vault from a backup", path.display())]
    Corrupt {
        /// The database file.
        path: PathBuf,
        /// What SQLite said.
        detail: String,
    },
    /// A file-system operation on the vault failed.
    #[error("vault {}: {}", path.display(), io_words(source))]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// A database operation failed.
    #[error("vault database error: {}", database_words(.0))]
    Database(#[from] sqlx::Error),
    /// A migration failed.
    #[error("vault schema upgrade failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// No record has this id.
    #[error("no record `{0}` in this vault; `evidentia vault list` shows the ids")]
    RecordNotFound(String),
    /// Several records start with this prefix.
    #[error("`{0}` matches several records; give more characters of the id")]
    AmbiguousId(String),
    /// No case has this name.
    #[error("no case `{0}` in this vault; `evidentia case list` shows the cases, `evidentia case new NAME` opens one")]
    CaseNotFound(String),
    /// A case with this name is open already.
    #[error(
        "a case `{0}` exists already in this vault; add records to it with `evidentia case add`, or choose another name"
    )]
    CaseExists(String),
    /// A case name that cannot be used.
    #[error("case name `{name}` cannot be used: {why}; give 1 to 100 characters on one line")]
    BadCaseName {
        /// The name as given.
        name: String,
        /// What is wrong with it.
        why: String,
    },
    /// A stored row cannot be read back.
    #[error("vault row cannot be read: {0}; run `evidentia vault verify`")]
    BadRow(String),
    /// The proof asked for does not exist yet; the message says what makes it.
    #[error("{0}")]
    ProofPending(String),
    /// A `postgres://` vault URL that cannot be used as given.
    #[error("vault {shown}: {why}")]
    BadLocation {
        /// The URL without its password.
        shown: String,
        /// What is wrong and what to do.
        why: String,
    },
    /// The PostgreSQL server of a team vault cannot be reached or refuses the connection.
    #[error("team vault {} cannot be opened: {detail}; check that the server runs, the URL (user, password, database) and that the database exists", shown.display())]
    Unreachable {
        /// The URL without its password.
        shown: PathBuf,
        /// What the server or network said.
        detail: String,
    },
}

impl VaultError {
    /// A short stable code for machine-readable output.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotADirectory(_) => "VAULT_NOT_A_FOLDER",
            Self::NotAVault(_) => "VAULT_FOLDER_NOT_EMPTY",
            Self::Missing(_) => "VAULT_MISSING",
            Self::Locked { .. } => "VAULT_LOCKED",
            Self::NewerSchema { .. } => "VAULT_NEWER_SCHEMA",
            Self::Corrupt { .. } => "VAULT_CORRUPT",
            Self::Io { source, .. } if disk_full(source) => "VAULT_DISK_FULL",
            Self::Database(e) if database_full(e) => "VAULT_DISK_FULL",
            Self::Io { .. } => "VAULT_IO",
            Self::Database(_) | Self::Migration(_) => "VAULT_DATABASE",
            Self::RecordNotFound(_) => "RECORD_NOT_FOUND",
            Self::AmbiguousId(_) => "RECORD_ID_AMBIGUOUS",
            Self::CaseNotFound(_) => "CASE_NOT_FOUND",
            Self::CaseExists(_) => "CASE_EXISTS",
            Self::BadCaseName { .. } => "CASE_NAME_INVALID",
            Self::BadRow(_) => "VAULT_BAD_ROW",
            Self::ProofPending(_) => "ANCHOR_PENDING",
            Self::BadLocation { .. } => "VAULT_BAD_URL",
            Self::Unreachable { .. } => "VAULT_UNREACHABLE",
        }
    }

    fn io(path: &Path, source: std::io::Error) -> Self {
        Self::Io { path: path.to_owned(), source }
    }
}

/// What to do when the disk holding the vault is full.
const DISK_FULL_HINT: &str = " — the disk holding the vault is full: free some space and run the command again; \
     what was written before is kept, and the work that failed was not half-written";

/// No space left on the device (or over quota).
fn disk_full(e: &std::io::Error) -> bool {
    matches!(e.kind(), std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded)
}

/// SQLite's "database or disk is full" (SQLITE_FULL).
fn database_full(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(d) => d.message().contains("disk is full") || d.code().as_deref() == Some("13"),
        sqlx::Error::Io(io) => disk_full(io),
        _ => false,
    }
}

/// PostgreSQL's insufficient_privilege (42501): the role may not do this to the vault.
fn denied(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.code().as_deref() == Some("42501"))
}

fn database_words(e: &sqlx::Error) -> String {
    if database_full(e) {
        format!("{e}{DISK_FULL_HINT}")
    } else if denied(e) {
        format!(
            "{e} — your database role may not do this in the team vault: sealing needs SELECT and INSERT on its \
             tables (see docs/team-vault.md); evidence rows are never updated or deleted by anyone"
        )
    } else {
        e.to_string()
    }
}

fn io_words(e: &std::io::Error) -> String {
    if disk_full(e) { format!("{e}{DISK_FULL_HINT}") } else { e.to_string() }
}

/// How a vault is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Reading only: the vault must exist; other processes may write meanwhile.
    Read,
    /// Reading and writing: created if absent; holds the vault's lock until dropped.
    Write {
        /// How long to wait for another writer to finish.
        lock_wait: Duration,
    },
}

/// An open evidence vault.
#[derive(Debug)]
pub struct Vault {
    location: VaultLocation,
    engine: Engine,
    pool: AnyPool,
    blobs: BlobStore,
    _lock: Option<VaultLock>,
}

impl Vault {
    /// Opens (and for [`Access::Write`], creates) the vault at `location` — a folder, or a
    /// `postgres://…?folder=…` URL (see [`VaultLocation::parse`]) — applying migrations.
    pub async fn open(location: &Path, access: Access) -> Result<Vault, VaultError> {
        sqlx::any::install_default_drivers();
        match VaultLocation::parse(location)? {
            VaultLocation::Folder(dir) => Self::open_folder(&dir, access).await,
            team @ VaultLocation::Postgres { .. } => Self::open_team(team, access).await,
        }
    }

    async fn open_folder(dir: &Path, access: Access) -> Result<Vault, VaultError> {
        let db = dir.join(DB_FILE);
        match std::fs::metadata(dir) {
            Ok(m) if !m.is_dir() => return Err(VaultError::NotADirectory(dir.to_owned())),
            Ok(_) => {
                if !db.exists() {
                    if access == Access::Read {
                        return Err(VaultError::Missing(dir.to_owned()));
                    }
                    let foreign = std::fs::read_dir(dir)
                        .map_err(|e| VaultError::io(dir, e))?
                        .flatten()
                        .any(|e| e.file_name() != LOCK_FILE && e.file_name() != BLOB_DIR);
                    if foreign {
                        return Err(VaultError::NotAVault(dir.to_owned()));
                    }
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if access == Access::Read {
                    return Err(VaultError::Missing(dir.to_owned()));
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => {
                return Err(VaultError::NotADirectory(dir.to_owned()));
            }
            Err(e) => return Err(VaultError::io(dir, e)),
        }

        let engine = Engine::Sqlite;
        let known = engine.known_version();
        let pool = if db.exists() {
            let pool = engine::connect_sqlite(&db, false).await?;
            let found = engine.schema_version(&pool, &db).await?;
            if found > known {
                pool.close().await;
                return Err(VaultError::NewerSchema { path: dir.to_owned(), found, known });
            }
            Some((pool, found))
        } else {
            None
        };

        let lock = match access {
            Access::Write { lock_wait } => {
                std::fs::create_dir_all(dir).map_err(|e| VaultError::io(dir, e))?;
                Some(VaultLock::acquire(&dir.join(LOCK_FILE), dir, lock_wait)?)
            }
            Access::Read => None,
        };
        let (pool, found) = match pool {
            Some(p) => p,
            None => (engine::connect_sqlite(&db, true).await?, 0),
        };
        if found < known {
            // Upgrading needs the lock even when the caller only reads.
            let temporary = match (&lock, access) {
                (None, _) => Some(VaultLock::acquire(&dir.join(LOCK_FILE), dir, Duration::from_secs(30))?),
                _ => None,
            };
            engine.migrations().run(&pool).await?;
            drop(temporary);
        }
        let blobs = BlobStore::new(dir.join(BLOB_DIR));
        if lock.is_some() {
            blobs.clear_abandoned(false).map_err(|e| VaultError::io(blobs.root(), e))?;
        }
        let location = VaultLocation::Folder(std::path::absolute(dir).unwrap_or_else(|_| dir.to_owned()));
        Ok(Vault { location, engine, pool, blobs, _lock: lock })
    }

    /// A team vault: no folder lock (appends are serialised in the database); the schema is
    /// created or upgraded under the migrator's own advisory lock.
    async fn open_team(location: VaultLocation, access: Access) -> Result<Vault, VaultError> {
        let VaultLocation::Postgres { url, folder, .. } = &location else {
            return Err(VaultError::Missing(location.shown().to_owned()));
        };
        let shown = location.shown().to_owned();
        let engine = Engine::Postgres;
        let pool = engine::connect_postgres(url, &shown).await?;
        let known = engine.known_version();
        let found = engine.schema_version(&pool, &shown).await?;
        if found > known {
            pool.close().await;
            return Err(VaultError::NewerSchema { path: shown, found, known });
        }
        if found == 0 && access == Access::Read {
            pool.close().await;
            return Err(VaultError::Missing(shown));
        }
        if found < known {
            engine.migrations().run(&pool).await?;
        }
        let blobs = BlobStore::new(folder.join(BLOB_DIR));
        if matches!(access, Access::Write { .. }) {
            std::fs::create_dir_all(folder).map_err(|e| VaultError::io(folder, e))?;
            blobs.clear_abandoned(true).map_err(|e| VaultError::io(blobs.root(), e))?;
        }
        Ok(Vault { location, engine, pool, blobs, _lock: None })
    }

    /// Where the vault is, as shown to people: its folder, or its URL without the password.
    pub fn location(&self) -> &Path {
        self.location.shown()
    }

    /// The database engine.
    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// Begins a transaction that appends to the custody log; with several writers, it waits
    /// its turn before the log's head is read.
    pub(crate) async fn begin_append(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, VaultError> {
        let mut tx = self.pool.begin().await?;
        self.engine.serialise_appends(&mut tx).await?;
        Ok(tx)
    }

    /// The folder holding file copies and the head witness (for a folder vault, the vault).
    pub fn dir(&self) -> &Path {
        self.location.folder()
    }

    /// The blob store.
    pub fn blobs(&self) -> &BlobStore {
        &self.blobs
    }

    /// Closes the database cleanly (checkpointing the WAL).
    pub async fn close(self) {
        self.pool.close().await;
    }

    fn head_path(&self) -> PathBuf {
        self.dir().join(HEAD_FILE)
    }

    /// The head witness, if one has been written.
    pub fn head_witness(&self) -> Result<Option<HeadWitness>, VaultError> {
        let path = self.head_path();
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|e| VaultError::BadRow(format!("{}: {e}", path.display()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(VaultError::io(&path, e)),
        }
    }

    fn write_head_witness(&self, head: &HeadWitness) -> Result<(), VaultError> {
        if self.engine == Engine::Postgres {
            // Several writers: the witness only moves forward, one writer at a time.
            let lock_path = self.dir().join(HEAD_LOCK_FILE);
            let _turn = VaultLock::acquire(&lock_path, self.location(), Duration::from_secs(60))?;
            if self.head_witness()?.is_some_and(|w| w.seq >= head.seq) {
                return Ok(());
            }
            return self.replace_head_witness(head, &format!("{HEAD_FILE}.{}.tmp", std::process::id()));
        }
        self.replace_head_witness(head, &format!("{HEAD_FILE}.tmp"))
    }

    fn replace_head_witness(&self, head: &HeadWitness, tmp_name: &str) -> Result<(), VaultError> {
        let path = self.head_path();
        let tmp = self.dir().join(tmp_name);
        let bytes = serde_json::to_vec(head).unwrap_or_default();
        std::fs::write(&tmp, bytes).map_err(|e| VaultError::io(&tmp, e))?;
        std::fs::rename(&tmp, &path).map_err(|e| VaultError::io(&path, e))
    }
}
