//! The evidence vault: records, file copies and the custody log in one folder.
//!
//! Layout of a vault folder: `vault.db` (SQLite, WAL), `blobs/` (the [`BlobStore`]), `head.json`
//! (the [`HeadWitness`]) and `lock` (held by the one process allowed to write).

mod anchors;
mod blobs;
mod custody;
mod exports;
mod lock;
mod ots;
mod record;
mod store;
mod verify;

use std::path::{Path, PathBuf};
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyConnection, AnyPool, Connection, Executor};

pub use anchors::unhex32;
pub use anchors::{AnchorBatch, AnchorDrop, AnchorSend, BatchAnchoring, BatchLeaf, RecordInclusion, StoredChainAnchor};
pub use blobs::{BlobState, BlobStore, PendingBlob};
pub use custody::{CustodyEvent, CustodyEventKind, GENESIS_HASH, HeadWitness};
pub use lock::VaultLock;
pub use ots::{OtsStamp, OtsStampKind};
pub use record::{EvidenceRecord, EvidenceSignature, EvidenceTimestamp, RecordStatus, SubjectKind};
pub use store::{NewRecord, NewSignature, NewTimestamp, RecordDetail, RecordRow};
pub use verify::{VaultCheck, VaultProblem};

/// Migrations, embedded in the binary and applied on open.
static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

const DB_FILE: &str = "vault.db";
const HEAD_FILE: &str = "head.json";
const LOCK_FILE: &str = "lock";
const BLOB_DIR: &str = "blobs";

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
    /// A stored row cannot be read back.
    #[error("vault row cannot be read: {0}; run `evidentia vault verify`")]
    BadRow(String),
    /// The proof asked for does not exist yet; the message says what makes it.
    #[error("{0}")]
    ProofPending(String),
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
            Self::BadRow(_) => "VAULT_BAD_ROW",
            Self::ProofPending(_) => "ANCHOR_PENDING",
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

fn database_words(e: &sqlx::Error) -> String {
    if database_full(e) { format!("{e}{DISK_FULL_HINT}") } else { e.to_string() }
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
    dir: PathBuf,
    pool: AnyPool,
    blobs: BlobStore,
    _lock: Option<VaultLock>,
}

impl Vault {
    /// Opens (and for [`Access::Write`], creates) the vault in `dir`, applying migrations.
    pub async fn open(dir: &Path, access: Access) -> Result<Vault, VaultError> {
        sqlx::any::install_default_drivers();
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

        let known = MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0);
        let pool = if db.exists() {
            let pool = connect(&db, false).await?;
            let found = schema_version(&pool, &db).await?;
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
            None => (connect(&db, true).await?, 0),
        };
        if found < known {
            // Upgrading needs the lock even when the caller only reads.
            let temporary = match (&lock, access) {
                (None, _) => Some(VaultLock::acquire(&dir.join(LOCK_FILE), dir, Duration::from_secs(30))?),
                _ => None,
            };
            MIGRATOR.run(&pool).await?;
            drop(temporary);
        }
        let blobs = BlobStore::new(dir.join(BLOB_DIR));
        if lock.is_some() {
            blobs.clear_abandoned().map_err(|e| VaultError::io(blobs.root(), e))?;
        }
        Ok(Vault { dir: dir.to_owned(), pool, blobs, _lock: lock })
    }

    /// The vault's folder.
    pub fn dir(&self) -> &Path {
        &self.dir
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
        self.dir.join(HEAD_FILE)
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
        let path = self.head_path();
        let tmp = self.dir.join(format!("{HEAD_FILE}.tmp"));
        let bytes = serde_json::to_vec(head).unwrap_or_default();
        std::fs::write(&tmp, bytes).map_err(|e| VaultError::io(&tmp, e))?;
        std::fs::rename(&tmp, &path).map_err(|e| VaultError::io(&path, e))
    }
}

/// The first bytes of every SQLite 3 database file.
const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

async fn connect(db: &Path, create: bool) -> Result<AnyPool, VaultError> {
    let text = db
        .to_str()
        .ok_or_else(|| VaultError::Corrupt { path: db.to_owned(), detail: "the path is not valid UTF-8".into() })?;
    check_header(db)?;
    let url = format!("sqlite://{}?mode={}", percent_encode_path(text), if create { "rwc" } else { "rw" });
    let options: AnyConnectOptions = url.parse()?;
    // One connection first, so a damaged file is reported at once instead of after the pool's
    // connection retries time out.
    let mut probe = AnyConnection::connect_with(&options).await.map_err(|e| classify(db, e))?;
    prepare_connection(&mut probe).await.map_err(|e| classify(db, e))?;
    probe.close().await.map_err(|e| classify(db, e))?;
    let pool = AnyPoolOptions::new()
        .max_connections(4)
        .after_connect(|conn, _meta| Box::pin(async move { prepare_connection(conn).await }))
        .connect_with(options)
        .await
        .map_err(|e| classify(db, e))?;
    Ok(pool)
}

async fn prepare_connection(conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
    conn.execute("PRAGMA journal_mode = WAL").await?;
    conn.execute("PRAGMA synchronous = FULL").await?;
    conn.execute("PRAGMA foreign_keys = ON").await?;
    conn.execute("PRAGMA busy_timeout = 30000").await?;
    Ok(())
}

/// A non-empty database file must start with SQLite's magic bytes.
fn check_header(db: &Path) -> Result<(), VaultError> {
    use std::io::Read;
    let mut head = [0u8; 16];
    let n = match std::fs::File::open(db) {
        Ok(mut f) => f.read(&mut head).map_err(|e| VaultError::io(db, e))?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(VaultError::io(db, e)),
    };
    if n > 0 && (n < 16 || &head != SQLITE_MAGIC) {
        return Err(VaultError::Corrupt { path: db.to_owned(), detail: "not an SQLite database".into() });
    }
    Ok(())
}

async fn schema_version(pool: &AnyPool, db: &Path) -> Result<i64, VaultError> {
    let exists: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'")
            .fetch_one(pool)
            .await
            .map_err(|e| classify(db, e))?;
    if exists == 0 {
        return Ok(0);
    }
    let version: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations")
        .fetch_one(pool)
        .await
        .map_err(|e| classify(db, e))?;
    Ok(version.unwrap_or(0))
}

/// Turns SQLite's "not a database" and similar into [`VaultError::Corrupt`].
fn classify(db: &Path, err: sqlx::Error) -> VaultError {
    if let sqlx::Error::Database(ref d) = err {
        let msg = d.message().to_owned();
        if msg.contains("not a database") || msg.contains("malformed") || msg.contains("corrupt") {
            return VaultError::Corrupt { path: db.to_owned(), detail: msg };
        }
    }
    VaultError::Database(err)
}

fn percent_encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
