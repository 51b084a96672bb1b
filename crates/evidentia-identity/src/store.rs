//! The identity store: each identity is its PKCS #12 file, kept encrypted as given (or as made
//! here), or for a token key where to find it and its certificate chain, beside a JSON
//! description. Nothing in the store is a key in the clear.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use der::EncodePem;
use x509_cert::Certificate;

use super::self_made::{KeyAlgorithm, Subject, make_pkcs12};
use super::token::{DEFAULT_TOKEN_TIMEOUT, TokenKeyRef};
use super::{CertificateSummary, Identity, IdentityError};

/// What the store says of one identity, without unlocking it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityInfo {
    /// Its name.
    pub name: String,
    /// Key type, e.g. `ECDSA P-256`.
    pub key: String,
    /// Made here, self-signed: no CA vouches for it.
    pub self_made: bool,
    /// The signer's certificate.
    pub certificate: CertificateSummary,
    /// For a key on a PKCS #11 token: where it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<TokenKeyRef>,
}

impl IdentityInfo {
    /// What unlocking this identity asks for, as a prompt.
    pub fn secret_prompt(&self) -> String {
        match &self.token {
            Some(t) => format!("PIN of token `{}`: ", t.token),
            None => format!("Password of identity `{}`: ", self.name),
        }
    }
}

/// An identity name from a person's name: lower-case letters and digits joined by `-`; a name
/// with no such letters (say, in Chinese) gives `id-` and the start of its SHA-256, so that two
/// people get two names.
pub fn name_for(person: &str) -> String {
    let mut out = String::new();
    for c in person.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_owned();
    if !out.is_empty() {
        return out;
    }
    let digest = evidentia_formats::digest::DigestAlgorithm::Sha256.digest(person.trim().as_bytes()).to_hex();
    format!("id-{}", &digest[..8])
}

/// The folder of identities.
#[derive(Debug, Clone)]
pub struct IdentityStore {
    dir: PathBuf,
    token_timeout: std::time::Duration,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> IdentityError + '_ {
    move |source| IdentityError::Io { path: path.to_owned(), source }
}

fn check_name(name: &str) -> Result<(), IdentityError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && !name.starts_with('.')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    if ok { Ok(()) } else { Err(IdentityError::BadName(name.to_owned())) }
}

impl IdentityStore {
    /// The store in `dir` (created on first write).
    pub fn new(dir: PathBuf) -> Self {
        Self { dir, token_timeout: DEFAULT_TOKEN_TIMEOUT }
    }

    /// Bounds every call into a PKCS #11 token by `timeout`.
    pub fn with_token_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.token_timeout = timeout;
        self
    }

    /// Its folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn p12(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.p12"))
    }

    fn info_path(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.json"))
    }

    fn chain_path(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.pem"))
    }

    /// Imports a PKCS #12 file: checks the password, the key and the certificate, then keeps the
    /// file as given (still encrypted).
    pub fn import(&self, file: &Path, name: &str, password: &str) -> Result<IdentityInfo, IdentityError> {
        check_name(name)?;
        let bytes = std::fs::read(file).map_err(io(file))?;
        let identity = Identity::from_pkcs12(file, &bytes, password, name)?;
        self.keep(name, &bytes, &identity)
    }

    /// Makes a key of `algorithm` and a self-signed certificate for `common_name` (and `email`),
    /// and keeps them as a PKCS #12 file protected by `password`.
    pub fn create_self_made(
        &self,
        name: &str,
        algorithm: KeyAlgorithm,
        common_name: &str,
        email: Option<&str>,
        password: &str,
    ) -> Result<IdentityInfo, IdentityError> {
        check_name(name)?;
        if password.chars().count() < 8 {
            return Err(IdentityError::WeakPassword);
        }
        let subject = Subject { common_name, email, today: time_now_year() };
        let bytes = make_pkcs12(algorithm, &subject, name, password)?;
        let identity = Identity::from_pkcs12(Path::new(name), &bytes, password, name)?;
        self.keep(name, &bytes, &identity)
    }

    /// Adds a key on a PKCS #11 token: logs in with `pin` to find the key and check it against
    /// its certificate, then keeps where the key is and the certificate chain (from `chain`, or
    /// from the token when `chain` is empty). The PIN is not kept.
    pub fn add_token(
        &self,
        name: &str,
        reference: TokenKeyRef,
        chain: Vec<Certificate>,
        pin: Zeroizing<String>,
    ) -> Result<IdentityInfo, IdentityError> {
        check_name(name)?;
        if self.info_path(name).exists() {
            return Err(IdentityError::Exists(name.to_owned()));
        }
        let identity = Identity::from_token(name, &reference, pin, chain, self.token_timeout)?;
        let mut pem = String::new();
        for cert in &identity.chain {
            let text = cert
                .to_pem(der::pem::LineEnding::LF)
                .map_err(|e| IdentityError::Create(format!("certificate: {e}")))?;
            pem.push_str(&text);
        }
        std::fs::create_dir_all(&self.dir).map_err(io(&self.dir))?;
        write_private(&self.chain_path(name), pem.as_bytes())?;
        self.keep_info(name, &identity, Some(reference))
    }

    fn keep(&self, name: &str, p12: &[u8], identity: &Identity) -> Result<IdentityInfo, IdentityError> {
        std::fs::create_dir_all(&self.dir).map_err(io(&self.dir))?;
        let target = self.p12(name);
        if target.exists() || self.info_path(name).exists() {
            return Err(IdentityError::Exists(name.to_owned()));
        }
        write_private(&target, p12)?;
        self.keep_info(name, identity, None)
    }

    fn keep_info(
        &self,
        name: &str,
        identity: &Identity,
        token: Option<TokenKeyRef>,
    ) -> Result<IdentityInfo, IdentityError> {
        let info = IdentityInfo {
            name: name.to_owned(),
            key: identity.key.kind(),
            self_made: identity.self_made,
            certificate: CertificateSummary::of(identity.certificate()),
            token,
        };
        let json = serde_json::to_vec_pretty(&info).unwrap_or_default();
        write_private(&self.info_path(name), &json)?;
        Ok(info)
    }

    /// What the store says of one identity.
    pub fn info(&self, name: &str) -> Result<IdentityInfo, IdentityError> {
        check_name(name)?;
        let path = self.info_path(name);
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(IdentityError::Unknown(name.to_owned())),
            Err(e) => return Err(IdentityError::Io { path, source: e }),
        };
        serde_json::from_slice(&bytes).map_err(|e| IdentityError::Corrupt { path, detail: e.to_string() })
    }

    /// Every identity, by name.
    pub fn list(&self) -> Result<Vec<IdentityInfo>, IdentityError> {
        let mut out = Vec::new();
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
            Err(e) => return Err(IdentityError::Io { path: self.dir.clone(), source: e }),
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().and_then(|e| e.to_str()) != Some("json") {
                continue;
            }
            let bytes = std::fs::read(&path).map_err(io(&path))?;
            let info: IdentityInfo = serde_json::from_slice(&bytes)
                .map_err(|e| IdentityError::Corrupt { path: path.clone(), detail: e.to_string() })?;
            out.push(info);
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    /// Unlocks an identity for this session with its password (or its token's PIN).
    pub fn unlock(&self, name: &str, password: &str) -> Result<Identity, IdentityError> {
        let info = self.info(name)?;
        if let Some(reference) = &info.token {
            let path = self.chain_path(name);
            let pem = std::fs::read(&path).map_err(io(&path))?;
            let chain = Certificate::load_pem_chain(&pem)
                .map_err(|e| IdentityError::Corrupt { path: path.clone(), detail: e.to_string() })?;
            return Identity::from_token(
                name,
                reference,
                Zeroizing::new(password.to_owned()),
                chain,
                self.token_timeout,
            );
        }
        let path = self.p12(name);
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(IdentityError::Unknown(name.to_owned())),
            Err(e) => return Err(IdentityError::Io { path, source: e }),
        };
        Identity::from_pkcs12(&path, &bytes, password, name)
    }
}

/// Writes a file readable by its owner only.
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), IdentityError> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path).map_err(io(path))?;
    f.write_all(bytes).and_then(|_| f.sync_all()).map_err(io(path))
}

fn time_now_year() -> (i32, u8, u8) {
    use chrono::Datelike;
    let now = chrono::Utc::now();
    (now.year(), now.month() as u8, now.day() as u8)
}

#[cfg(test)]
mod tests {
    use super::name_for;

    #[test]
    fn names_for_people() {
        assert_eq!(name_for("Ana Li"), "ana-li");
        assert_eq!(name_for("  O'Brien, Seán  "), "o-brien-se-n");
        let zhang = name_for("张三");
        let li = name_for("李四");
        assert!(zhang.starts_with("id-") && zhang.len() == 11, "{zhang}");
        assert_ne!(zhang, li);
        assert_eq!(zhang, name_for("张三"));
    }
}
