//! What differs between SQLite and PostgreSQL, kept in one place: connecting, each engine's
//! migrations, reading the schema version, serialising appends to the custody log, and telling
//! a damaged or unreachable database from other failures. Every other query is shared.

use std::path::Path;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyConnection, AnyPool, Connection, Executor};

use super::VaultError;

/// The database engine behind a vault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// A `vault.db` file in the vault folder (one writer at a time, by the folder's lock).
    Sqlite,
    /// A PostgreSQL database shared by several writers.
    Postgres,
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// The key of the PostgreSQL advisory lock that serialises appends to the custody log.
const APPEND_LOCK_KEY: i64 = 0x4576_6964_436c_6f67; // "EvidClog"

impl Engine {
    /// The engine's migrations (same tables and columns; only the guards' language differs).
    pub fn migrations(self) -> &'static sqlx::migrate::Migrator {
        match self {
            Engine::Sqlite => &SQLITE_MIGRATIONS,
            Engine::Postgres => &POSTGRES_MIGRATIONS,
        }
    }

    /// The newest schema version this build knows.
    pub fn known_version(self) -> i64 {
        self.migrations().iter().map(|m| m.version).max().unwrap_or(0)
    }

    /// Within a write transaction, before the log's head is read: waits until no other writer
    /// is appending. SQLite needs nothing (the folder's lock admits one writing process and the
    /// database one writing transaction); PostgreSQL takes a transaction-scoped advisory lock.
    pub async fn serialise_appends(self, conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
        if self == Engine::Postgres {
            sqlx::query("SELECT COUNT(*) AS n FROM (SELECT pg_advisory_xact_lock($1)) AS held")
                .bind(APPEND_LOCK_KEY)
                .execute(&mut *conn)
                .await?;
        }
        Ok(())
    }

    /// The condition that selects the records a search names, with the search text (lower
    /// case) as `$1`: part of the name, any case, or the start of the id or SHA-256 — each
    /// answered from an index (SQLite: FTS5 trigrams and the keys; PostgreSQL: pg_trgm and
    /// pattern indexes), so a search stays quick at a million records.
    pub fn record_search(self) -> &'static str {
        match self {
            Engine::Sqlite => {
                "(rowid IN (SELECT rowid FROM record_names WHERE name LIKE ('%' || $1 || '%')) \
                 OR (id >= $1 AND id < ($1 || 'g')) OR (sha256 >= $1 AND sha256 < ($1 || 'g')))"
            }
            Engine::Postgres => {
                "(lower(name) LIKE ('%' || $1 || '%') OR (id ~>=~ $1 AND id ~<~ ($1 || 'g')) \
                 OR (sha256 ~>=~ $1 AND sha256 ~<~ ($1 || 'g')))"
            }
        }
    }

    /// Records whose id starts with `$1` (lower-case), read as a range of the id index.
    pub fn id_prefix(self) -> &'static str {
        match self {
            Engine::Sqlite => "(id >= $1 AND id < ($1 || 'g'))",
            Engine::Postgres => "(id ~>=~ $1 AND id ~<~ ($1 || 'g'))",
        }
    }

    /// A query answering the rows of `inner` (a SELECT of `columns`) as one JSON text: an array
    /// of arrays, one per row, values in `columns` order.
    pub fn json_rows(self, columns: &str, inner: &str) -> String {
        match self {
            Engine::Sqlite => format!("SELECT json_group_array(json_array({columns})) FROM ({inner})"),
            Engine::Postgres => {
                format!("SELECT COALESCE(json_agg(json_build_array({columns})), '[]')::text FROM ({inner}) AS chunk")
            }
        }
    }

    /// The version of the newest migration applied, 0 for an empty database.
    pub async fn schema_version(self, pool: &AnyPool, shown: &Path) -> Result<i64, VaultError> {
        let sql = match self {
            Engine::Sqlite => "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
            Engine::Postgres => {
                "SELECT COUNT(*) FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_name = '_sqlx_migrations'"
            }
        };
        let exists: i64 = sqlx::query_scalar(sql).fetch_one(pool).await.map_err(|e| classify(shown, e))?;
        if exists == 0 {
            return Ok(0);
        }
        let version: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations")
            .fetch_one(pool)
            .await
            .map_err(|e| classify(shown, e))?;
        Ok(version.unwrap_or(0))
    }
}

/// The first bytes of every SQLite 3 database file.
const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// Opens the SQLite database `db` (creating it when `create`), in WAL mode with full sync.
pub async fn connect_sqlite(db: &Path, create: bool) -> Result<AnyPool, VaultError> {
    let text = db
        .to_str()
        .ok_or_else(|| VaultError::Corrupt { path: db.to_owned(), detail: "the path is not valid UTF-8".into() })?;
    check_header(db)?;
    let url = format!(
        "sqlite://{}?mode={}",
        super::location::percent_encode(text, b"-._~/"),
        if create { "rwc" } else { "rw" }
    );
    let options: AnyConnectOptions = url.parse()?;
    // One connection first, so a damaged file is reported at once instead of after the pool's
    // connection retries time out.
    let mut probe = AnyConnection::connect_with(&options).await.map_err(|e| classify(db, e))?;
    prepare_sqlite(&mut probe).await.map_err(|e| classify(db, e))?;
    probe.close().await.map_err(|e| classify(db, e))?;
    let pool = AnyPoolOptions::new()
        .max_connections(4)
        .after_connect(|conn, _meta| Box::pin(async move { prepare_sqlite(conn).await }))
        .connect_with(options)
        .await
        .map_err(|e| classify(db, e))?;
    Ok(pool)
}

async fn prepare_sqlite(conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
    conn.execute("PRAGMA journal_mode = WAL").await?;
    conn.execute("PRAGMA synchronous = FULL").await?;
    conn.execute("PRAGMA foreign_keys = ON").await?;
    conn.execute("PRAGMA busy_timeout = 30000").await?;
    Ok(())
}

/// Connects to a PostgreSQL vault. A server that cannot be reached, refuses the login or has no
/// such database is reported at once, naming the URL (without its password).
pub async fn connect_postgres(url: &str, shown: &Path) -> Result<AnyPool, VaultError> {
    let options: AnyConnectOptions = url.parse().map_err(|e: sqlx::Error| unreachable(shown, &e))?;
    let probe = AnyConnection::connect_with(&options).await.map_err(|e| unreachable(shown, &e))?;
    probe.close().await.map_err(|e| unreachable(shown, &e))?;
    AnyPoolOptions::new()
        .max_connections(4)
        .acquire_timeout(std::time::Duration::from_secs(60))
        .connect_with(options)
        .await
        .map_err(|e| unreachable(shown, &e))
}

fn unreachable(shown: &Path, e: &sqlx::Error) -> VaultError {
    let detail = match e {
        sqlx::Error::Database(d) => d.message().to_owned(),
        other => other.to_string(),
    };
    VaultError::Unreachable { shown: shown.to_owned(), detail: redact_secrets(&detail) }
}

/// Error texts must not echo a password that was part of a URL.
fn redact_secrets(text: &str) -> String {
    text.split_whitespace()
        .map(|w| if super::location::is_postgres_url(w) { "<url>" } else { w })
        .collect::<Vec<_>>()
        .join(" ")
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

/// Turns SQLite's "not a database" and similar into [`VaultError::Corrupt`].
pub fn classify(db: &Path, err: sqlx::Error) -> VaultError {
    if let sqlx::Error::Database(ref d) = err {
        let msg = d.message().to_owned();
        if msg.contains("not a database") || msg.contains("malformed") || msg.contains("corrupt") {
            return VaultError::Corrupt { path: db.to_owned(), detail: msg };
        }
    }
    VaultError::Database(err)
}
