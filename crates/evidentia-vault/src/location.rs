//! Where a vault lives: a folder (SQLite), or a PostgreSQL database with a shared folder for
//! file copies, named by a `postgres://` URL whose `folder` parameter gives that folder.

use std::path::{Path, PathBuf};

use super::VaultError;

/// Where a vault lives.
#[derive(Clone, PartialEq, Eq)]
pub enum VaultLocation {
    /// A folder holding `vault.db`, `blobs/`, `head.json` and `lock`.
    Folder(PathBuf),
    /// A team vault: the database, and the folder every member shares for `blobs/` and `head.json`.
    Postgres {
        /// The connection URL without the `folder` parameter (it may carry a password).
        url: String,
        /// The shared folder.
        folder: PathBuf,
        /// The URL as shown to people: no password, no `folder`.
        shown: String,
    },
}

impl std::fmt::Debug for VaultLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may hold a password: only the shown form is ever printed.
        f.write_str(&self.shown().to_string_lossy())
    }
}

/// Whether `--vault` names a PostgreSQL database rather than a folder.
pub fn is_postgres_url(text: &str) -> bool {
    text.starts_with("postgres://") || text.starts_with("postgresql://")
}

impl VaultLocation {
    /// Reads a `--vault` value: a `postgres://user[:password]@host[:port]/database?folder=/shared/folder`
    /// URL, or else a folder.
    pub fn parse(arg: &Path) -> Result<VaultLocation, VaultError> {
        let Some(text) = arg.to_str().filter(|t| is_postgres_url(t)) else {
            return Ok(VaultLocation::Folder(arg.to_owned()));
        };
        let bad = |why: &str| VaultError::BadLocation { shown: redact(text), why: why.to_owned() };
        let (base, query) = match text.split_once('?') {
            Some((b, q)) => (b, q),
            None => (text, ""),
        };
        let mut folder = None;
        let mut kept = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            match pair.split_once('=') {
                Some(("folder", value)) => {
                    folder = Some(
                        percent_decode(value).ok_or_else(|| bad("the folder is not valid percent-encoded UTF-8"))?,
                    )
                }
                _ => kept.push(pair),
            }
        }
        let folder = folder.filter(|f| !f.is_empty()).ok_or_else(|| {
            bad("a team vault needs the folder its members share for file copies: add ?folder=/shared/path to the URL")
        })?;
        let database = base.splitn(4, '/').nth(3).unwrap_or("");
        if database.is_empty() {
            return Err(bad("the URL names no database: add /DATABASE after the host"));
        }
        let url = if kept.is_empty() { base.to_owned() } else { format!("{base}?{}", kept.join("&")) };
        Ok(VaultLocation::Postgres { shown: redact(base), url, folder: PathBuf::from(folder) })
    }

    /// Where file copies and the head witness are kept.
    pub fn folder(&self) -> &Path {
        match self {
            VaultLocation::Folder(p) => p,
            VaultLocation::Postgres { folder, .. } => folder,
        }
    }

    /// The location as shown to people (never with a password).
    pub fn shown(&self) -> &Path {
        match self {
            VaultLocation::Folder(p) => p,
            VaultLocation::Postgres { shown, .. } => Path::new(shown),
        }
    }

    /// The location as a setting is shown and may be given back: a folder as it is; a team vault's
    /// URL with its parameters and `folder`, but without its password (neither in the user part
    /// nor as a `password` or `sslpassword` parameter).
    pub fn without_password(&self) -> PathBuf {
        match self {
            VaultLocation::Folder(p) => p.clone(),
            VaultLocation::Postgres { url, folder, shown } => {
                let query = url.split_once('?').map_or("", |(_, q)| q);
                let mut params: Vec<String> = query
                    .split('&')
                    .filter(|p| !p.is_empty() && !p.split('=').next().unwrap_or("").ends_with("password"))
                    .map(str::to_owned)
                    .collect();
                params.push(format!("folder={}", percent_encode(&folder.to_string_lossy(), b"-._~/:")));
                PathBuf::from(format!("{shown}?{}", params.join("&")))
            }
        }
    }
}

/// A `--vault` value that may be shown to people: [`VaultLocation::without_password`], or for a
/// URL that cannot be used as given, the URL without its password and parameters.
pub fn without_password(arg: &Path) -> PathBuf {
    match VaultLocation::parse(arg) {
        Ok(location) => location.without_password(),
        Err(_) => PathBuf::from(redact(&arg.to_string_lossy())),
    }
}

/// The URL without its password and parameters.
fn redact(url: &str) -> String {
    let base = url.split('?').next().unwrap_or(url);
    let Some((scheme, rest)) = base.split_once("://") else { return base.to_owned() };
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let authority = match authority.rsplit_once('@') {
        Some((user, host)) => format!("{}@{host}", user.split(':').next().unwrap_or("")),
        None => authority.to_owned(),
    };
    format!("{scheme}://{authority}{path}")
}

/// Percent-encodes all but letters, digits and `keep` (so that `percent_decode` gives `text` back).
pub(super) fn percent_encode(text: &str, keep: &[u8]) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || keep.contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_postgres_url_keeps_its_parameters_and_hides_its_password() {
        let loc = VaultLocation::parse(Path::new(
            "postgres://clerk:s3cret@db.example:5433/evidence?sslmode=require&folder=/srv/team%20files",
        ))
        .unwrap();
        let VaultLocation::Postgres { url, folder, shown } = &loc else { panic!("not postgres") };
        assert_eq!(url, "postgres://clerk:s3cret@db.example:5433/evidence?sslmode=require");
        assert_eq!(folder, Path::new("/srv/team files"));
        assert_eq!(shown, "postgres://clerk@db.example:5433/evidence");
        assert!(!format!("{loc:?}").contains("s3cret"));
    }

    #[test]
    fn a_folder_is_a_folder_and_a_url_needs_a_database_and_a_folder() {
        assert_eq!(VaultLocation::parse(Path::new("/tmp/v")).unwrap(), VaultLocation::Folder("/tmp/v".into()));
        let err = VaultLocation::parse(Path::new("postgres://u:pw@h/db")).unwrap_err().to_string();
        assert!(err.contains("?folder=") && !err.contains("pw"), "{err}");
        let err = VaultLocation::parse(Path::new("postgresql://h?folder=/x")).unwrap_err().to_string();
        assert!(err.contains("no database"), "{err}");
    }

    #[test]
    fn without_password_keeps_the_folder_and_parameters_and_parses_back() {
        let given = "postgres://clerk:s3cret@db:5432/evidence?sslmode=require&password=p2&sslpassword=p3&folder=/srv/team%20files%26more";
        let loc = VaultLocation::parse(Path::new(given)).unwrap();
        let shown = loc.without_password();
        assert_eq!(
            shown,
            Path::new("postgres://clerk@db:5432/evidence?sslmode=require&folder=/srv/team%20files%26more")
        );
        assert_eq!(without_password(Path::new(given)), shown);
        let again = VaultLocation::parse(&shown).unwrap();
        assert_eq!(again.folder(), Path::new("/srv/team files&more"));
        assert_eq!(again.without_password(), shown);
        assert_eq!(
            without_password(Path::new("postgres://clerk:s3cret@db:5432/evidence?folder=/srv/x")),
            Path::new("postgres://clerk@db:5432/evidence?folder=/srv/x")
        );
        assert_eq!(
            without_password(Path::new("postgresql://h/db?folder=/%E8%AF%81%E6%8D%AE")),
            Path::new("postgresql://h/db?folder=/%E8%AF%81%E6%8D%AE")
        );
        // A folder is shown as it is; a URL that cannot be used, without password and parameters.
        assert_eq!(without_password(Path::new("/tmp/v")), Path::new("/tmp/v"));
        assert_eq!(without_password(Path::new("postgres://u:pw@h/db?password=x")), Path::new("postgres://u@h/db"));
    }
}
