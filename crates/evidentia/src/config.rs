//! Configuration: a TOML file in the OS config folder, each key overridable by an environment
//! variable. Every key and variable is listed in `docs/configuration.md`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::digest::DigestAlgorithm;

pub use crate::profile::{ProfileName, SANDBOX_NOTICE};

/// A configuration problem, naming the file or variable at fault.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file exists but cannot be read.
    #[error("configuration file {}: cannot be read ({source})", path.display())]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The file is not valid TOML or has unknown keys.
    #[error("configuration file {}: {message}; fix it or remove it to use the defaults", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// An environment variable has a value that does not fit.
    #[error("environment variable {name}={value}: {expected}")]
    BadVariable {
        /// The variable.
        name: &'static str,
        /// Its value.
        value: String,
        /// What it should hold.
        expected: &'static str,
    },
    /// No home folder to place the default vault or configuration in.
    #[error("no home folder found for the default vault; pass --vault or set EVIDENTIA_VAULT")]
    NoHome,
    /// The TSA settings (trust files, credentials) cannot be used.
    #[error(transparent)]
    Tsa(#[from] evidentia_pki::tsp::TspError),
    /// The file cannot be written.
    #[error("configuration file {}: cannot be written ({source}); check the folder's permissions", path.display())]
    Unwritable {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
}

/// The whole configuration, after file and environment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Active profile (`EVIDENTIA_PROFILE`).
    pub profile: ProfileName,
    /// Vault folder (`EVIDENTIA_VAULT`); default: the OS data folder.
    pub vault: Option<PathBuf>,
    /// Identity store folder (`EVIDENTIA_IDENTITIES`); default: `identities/` in the OS data folder.
    pub identities: Option<PathBuf>,
    /// Sealing defaults.
    pub seal: SealDefaults,
    /// Time-stamping authorities.
    pub tsa: TsaConfig,
    /// PKCS #11 tokens.
    pub pkcs11: Pkcs11Config,
    /// The EVM chain batch roots are anchored on.
    pub evm: EvmConfig,
    /// OpenTimestamps calendars batch roots are submitted to.
    pub ots: OtsConfig,
    /// Desktop app preferences.
    pub app: AppConfig,
}

/// Desktop app preferences (`[app]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AppConfig {
    /// The interface language, `zh-CN` or `en`; none: the system's.
    pub language: Option<String>,
    /// `system`, `light` or `dark`.
    pub theme: String,
    /// Minutes between retries of pending time-stamps and anchors while the app runs; 0: none.
    pub retry_minutes: u64,
    /// Where packages are exported (`EVIDENTIA_EXPORTS`); default: `Evidentia` in the documents folder.
    pub export_dir: Option<PathBuf>,
}

impl Default for AppConfig {
    fn default() -> Self {
        Self { language: None, theme: "system".into(), retry_minutes: 5, export_dir: None }
    }
}

/// OpenTimestamps settings (`[ots]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OtsConfig {
    /// Calendar URLs (`EVIDENTIA_OTS_CALENDARS`, comma-separated; `none` for none). Empty: the
    /// public calendars under the production profile, none under sandbox.
    pub calendars: Vec<String>,
    /// No calendar at all, even under the production profile.
    pub disabled: bool,
    /// Seconds for one exchange with a calendar.
    pub timeout_secs: u64,
}

impl Default for OtsConfig {
    fn default() -> Self {
        Self { calendars: Vec::new(), disabled: false, timeout_secs: 10 }
    }
}

/// EVM anchoring settings (`[evm]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EvmConfig {
    /// JSON-RPC URL of the node (`EVIDENTIA_EVM_RPC`); none: batches are not anchored.
    pub rpc: Option<String>,
    /// A file holding the anchoring account's hex private key (`EVIDENTIA_EVM_KEY_FILE`).
    pub key_file: Option<PathBuf>,
    /// Confirmations before an anchor is recorded (`EVIDENTIA_EVM_CONFIRMATIONS`).
    pub confirmations: u64,
    /// Seconds for one exchange with the node.
    pub timeout_secs: u64,
    /// Batch policy: after a seal, once this many records wait, batch and anchor them
    /// (`EVIDENTIA_ANCHOR_AFTER`); 0: only `anchor flush` and `sync` do.
    pub batch_after_records: u64,
}

impl Default for EvmConfig {
    fn default() -> Self {
        Self { rpc: None, key_file: None, confirmations: 1, timeout_secs: 10, batch_after_records: 0 }
    }
}

/// PKCS #11 token settings (`[pkcs11]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Pkcs11Config {
    /// The token's PKCS #11 module, when `--module` is not given (`EVIDENTIA_PKCS11_MODULE`).
    pub module: Option<PathBuf>,
    /// Seconds one call into a token may take before it is given up (`EVIDENTIA_TOKEN_TIMEOUT`).
    pub timeout_secs: u64,
}

impl Default for Pkcs11Config {
    fn default() -> Self {
        Self { module: None, timeout_secs: crate::identity::DEFAULT_TOKEN_TIMEOUT.as_secs() }
    }
}

/// Time-stamping settings (`[tsa]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TsaConfig {
    /// TSA URLs, tried in order (`EVIDENTIA_TSA`, comma-separated). Empty under the production
    /// profile means the preset public TSAs; empty under sandbox means no time-stamps.
    pub urls: Vec<String>,
    /// PEM files of trust anchors (`EVIDENTIA_TSA_TRUST`, a PEM file; several separated by `:`).
    pub trust: Vec<PathBuf>,
    /// Seconds for one exchange with a TSA (`EVIDENTIA_TSA_TIMEOUT`).
    pub timeout_secs: u64,
    /// Further tries after a transport failure (`EVIDENTIA_TSA_RETRIES`).
    pub retries: u32,
    /// How many TSAs must each give a token (`EVIDENTIA_TSA_QUORUM`); 1 is failover only.
    pub quorum: usize,
    /// Largest accepted difference between the genTimes of a quorum, in seconds.
    pub tolerance_secs: u64,
    /// Largest accepted difference between a genTime and the local clock, in seconds.
    pub max_clock_skew_secs: u64,
    /// TSA policy OID to request and require, if any.
    pub policy: Option<String>,
    /// Requests a batch has in flight at once (`EVIDENTIA_TSA_CONCURRENCY`; 1 to 32).
    pub concurrency: usize,
    /// Credentials for TSAs that need them.
    pub credentials: Vec<TsaCredential>,
}

/// Credentials for one TSA; secrets are read from environment variables, never from the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TsaCredential {
    /// The TSA URL these apply to.
    pub url: String,
    /// HTTP basic user name.
    pub user: Option<String>,
    /// Environment variable holding the basic-auth password.
    pub password_env: Option<String>,
    /// Header name (e.g. an API key header).
    pub header: Option<String>,
    /// Environment variable holding the header's value.
    pub header_value_env: Option<String>,
}

/// The public TSAs the production profile uses when none are configured, in the order tried.
pub const PRODUCTION_TSAS: [&str; 4] = [
    "http://timestamp.digicert.com",
    "http://timestamp.sectigo.com",
    "http://timestamp.globalsign.com/tsa/r6advanced1",
    "http://ts.ssl.com",
];

/// The roots those TSAs chain to (see `assets/tsa-trust/README.md`).
pub const PRODUCTION_TSA_ROOTS: &str = include_str!("../../../assets/tsa-trust/production-roots.pem");

impl Default for TsaConfig {
    fn default() -> Self {
        Self {
            urls: Vec::new(),
            trust: Vec::new(),
            timeout_secs: 10,
            retries: 2,
            quorum: 1,
            concurrency: 4,
            tolerance_secs: 60,
            max_clock_skew_secs: 300,
            policy: None,
            credentials: Vec::new(),
        }
    }
}

/// Defaults for sealing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SealDefaults {
    /// Digest algorithms (`EVIDENTIA_ALGORITHMS`, comma-separated); SHA-256 is always added.
    pub algorithms: Vec<DigestAlgorithm>,
    /// Keep a copy of sealed content in the vault (`EVIDENTIA_COPY`: true/false).
    pub copy: bool,
    /// Seconds to wait for another process that is writing the vault (`EVIDENTIA_LOCK_WAIT`).
    pub lock_wait_secs: u64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            profile: ProfileName::Sandbox,
            vault: None,
            identities: None,
            seal: SealDefaults::default(),
            tsa: TsaConfig::default(),
            pkcs11: Pkcs11Config::default(),
            evm: EvmConfig::default(),
            ots: OtsConfig::default(),
            app: AppConfig::default(),
        }
    }
}

impl Default for SealDefaults {
    fn default() -> Self {
        Self { algorithms: vec![DigestAlgorithm::Sha256], copy: true, lock_wait_secs: 30 }
    }
}

impl Config {
    /// Loads the file named by `EVIDENTIA_CONFIG`, else `config.toml` in the OS config folder
    /// (absent is fine), then applies the environment overrides.
    pub fn load() -> Result<Config, ConfigError> {
        let mut config = match Config::file() {
            Some(ref p) => Config::from_file(p)?,
            None => Config::default(),
        };
        config.apply_env(|name| std::env::var(name).ok())?;
        Ok(config)
    }

    /// The configuration file: `EVIDENTIA_CONFIG`, else `config.toml` in the OS config folder.
    pub fn file() -> Option<PathBuf> {
        match std::env::var_os("EVIDENTIA_CONFIG") {
            Some(p) => Some(PathBuf::from(p)),
            None => default_config_file(),
        }
    }

    /// Writes this configuration to `path` (a temporary file, synced, then renamed over it).
    pub fn save(&self, path: &Path) -> Result<(), ConfigError> {
        let unwritable = |source| ConfigError::Unwritable { path: path.to_owned(), source };
        let text = toml::to_string_pretty(self)
            .map_err(|e| ConfigError::Invalid { path: path.to_owned(), message: e.to_string() })?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(unwritable)?;
        }
        let tmp = path.with_extension("toml.tmp");
        let mut file = std::fs::File::create(&tmp).map_err(unwritable)?;
        std::io::Write::write_all(&mut file, text.as_bytes()).map_err(unwritable)?;
        file.sync_all().map_err(unwritable)?;
        std::fs::rename(&tmp, path).map_err(unwritable)
    }

    /// Reads one file; a missing file gives the defaults.
    pub fn from_file(path: &Path) -> Result<Config, ConfigError> {
        match std::fs::read_to_string(path) {
            Ok(text) => toml::from_str(&text)
                .map_err(|e| ConfigError::Invalid { path: path.to_owned(), message: e.message().to_owned() }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
            Err(e) => Err(ConfigError::Unreadable { path: path.to_owned(), source: e }),
        }
    }

    /// Applies `EVIDENTIA_*` overrides read through `var`.
    pub fn apply_env(&mut self, var: impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        if let Some(v) = var("EVIDENTIA_EXPORTS").filter(|v| !v.is_empty()) {
            self.app.export_dir = Some(PathBuf::from(v));
        }
        if let Some(v) = var("EVIDENTIA_PROFILE") {
            self.profile = match v.trim() {
                "sandbox" => ProfileName::Sandbox,
                "production" => ProfileName::Production,
                _ => {
                    return Err(ConfigError::BadVariable {
                        name: "EVIDENTIA_PROFILE",
                        value: v,
                        expected: "sandbox or production",
                    });
                }
            };
        }
        if let Some(v) = var("EVIDENTIA_VAULT").filter(|v| !v.is_empty()) {
            self.vault = Some(PathBuf::from(v));
        }
        if let Some(v) = var("EVIDENTIA_IDENTITIES").filter(|v| !v.is_empty()) {
            self.identities = Some(PathBuf::from(v));
        }
        if let Some(v) = var("EVIDENTIA_ALGORITHMS") {
            self.seal.algorithms = DigestAlgorithm::parse_list(&v).map_err(|_| ConfigError::BadVariable {
                name: "EVIDENTIA_ALGORITHMS",
                value: v.clone(),
                expected: "a comma-separated list of sha256, sha384, sha512, sm3",
            })?;
        }
        if let Some(v) = var("EVIDENTIA_COPY") {
            self.seal.copy = match v.trim().to_ascii_lowercase().as_str() {
                "1" | "true" | "yes" | "on" => true,
                "0" | "false" | "no" | "off" => false,
                _ => {
                    return Err(ConfigError::BadVariable {
                        name: "EVIDENTIA_COPY",
                        value: v,
                        expected: "true or false",
                    });
                }
            };
        }
        if let Some(v) = var("EVIDENTIA_TSA") {
            self.tsa.urls = v.split(',').map(str::trim).filter(|u| !u.is_empty()).map(str::to_owned).collect();
        }
        if let Some(v) = var("EVIDENTIA_TSA_TRUST").filter(|v| !v.is_empty()) {
            self.tsa.trust = v.split(':').filter(|p| !p.is_empty()).map(PathBuf::from).collect();
        }
        let number = |name: &'static str, expected: &'static str| -> Result<Option<u64>, ConfigError> {
            var(name)
                .map(|v| v.trim().parse().map_err(|_| ConfigError::BadVariable { name, value: v.clone(), expected }))
                .transpose()
        };
        if let Some(n) = number("EVIDENTIA_TSA_TIMEOUT", "a whole number of seconds")? {
            self.tsa.timeout_secs = n;
        }
        if let Some(n) = number("EVIDENTIA_TSA_RETRIES", "a whole number of further tries")? {
            self.tsa.retries = n.min(u32::MAX as u64) as u32;
        }
        if let Some(n) = number("EVIDENTIA_TSA_QUORUM", "a whole number of TSAs (1 for failover only)")? {
            self.tsa.quorum = n as usize;
        }
        if let Some(n) = number("EVIDENTIA_TSA_CONCURRENCY", "a whole number of requests at once (1 to 32)")? {
            self.tsa.concurrency = n.min(32) as usize;
        }
        if let Some(n) = number("EVIDENTIA_LOCK_WAIT", "a whole number of seconds")? {
            self.seal.lock_wait_secs = n;
        }
        if let Some(v) = var("EVIDENTIA_PKCS11_MODULE").filter(|v| !v.is_empty()) {
            self.pkcs11.module = Some(PathBuf::from(v));
        }
        if let Some(n) = number("EVIDENTIA_TOKEN_TIMEOUT", "a whole number of seconds")? {
            self.pkcs11.timeout_secs = n.max(1);
        }
        if let Some(v) = var("EVIDENTIA_EVM_RPC").filter(|v| !v.is_empty()) {
            self.evm.rpc = Some(v);
        }
        if let Some(v) = var("EVIDENTIA_EVM_KEY_FILE").filter(|v| !v.is_empty()) {
            self.evm.key_file = Some(PathBuf::from(v));
        }
        if let Some(n) = number("EVIDENTIA_EVM_CONFIRMATIONS", "a whole number of blocks")? {
            self.evm.confirmations = n.max(1);
        }
        if let Some(n) = number("EVIDENTIA_ANCHOR_AFTER", "a whole number of records (0: only on demand)")? {
            self.evm.batch_after_records = n;
        }
        if let Some(v) = var("EVIDENTIA_OTS_CALENDARS") {
            self.ots.disabled = v.trim() == "none";
            self.ots.calendars = if self.ots.disabled {
                Vec::new()
            } else {
                v.split(',').map(str::trim).filter(|u| !u.is_empty()).map(str::to_owned).collect()
            };
        }
        Ok(())
    }

    /// The vault folder: `explicit` (from `--vault`), else the configured one, else the OS data folder.
    pub fn vault_dir(&self, explicit: Option<&Path>) -> Result<PathBuf, ConfigError> {
        if let Some(p) = explicit {
            return Ok(p.to_owned());
        }
        if let Some(p) = &self.vault {
            return Ok(p.clone());
        }
        directories::ProjectDirs::from("", "", "evidentia")
            .map(|d| d.data_dir().join("vault"))
            .ok_or(ConfigError::NoHome)
    }

    /// Where the app exports packages: the configured folder, else `Evidentia` in the documents
    /// folder, else `exports` in the OS data folder.
    pub fn export_dir(&self) -> Result<PathBuf, ConfigError> {
        if let Some(p) = &self.app.export_dir {
            return Ok(p.clone());
        }
        if let Some(docs) = directories::UserDirs::new().and_then(|u| u.document_dir().map(|d| d.join("Evidentia"))) {
            return Ok(docs);
        }
        directories::ProjectDirs::from("", "", "evidentia")
            .map(|d| d.data_dir().join("exports"))
            .ok_or(ConfigError::NoHome)
    }

    /// The identity store folder.
    pub fn identity_dir(&self) -> Result<PathBuf, ConfigError> {
        if let Some(p) = &self.identities {
            return Ok(p.clone());
        }
        directories::ProjectDirs::from("", "", "evidentia")
            .map(|d| d.data_dir().join("identities"))
            .ok_or(ConfigError::NoHome)
    }

    /// The identity store, its token calls bounded by the configured timeout.
    pub fn identity_store(&self) -> Result<crate::identity::IdentityStore, ConfigError> {
        Ok(crate::identity::IdentityStore::new(self.identity_dir()?).with_token_timeout(self.token_timeout()))
    }

    /// The EVM anchoring settings, when a node is configured; the key is read from its file.
    pub fn evm_settings(&self) -> Result<Option<crate::anchor::evm::EvmSettings>, ConfigError> {
        let Some(rpc) = &self.evm.rpc else { return Ok(None) };
        let Some(path) = &self.evm.key_file else {
            return Err(ConfigError::BadVariable {
                name: "EVIDENTIA_EVM_KEY_FILE",
                value: String::new(),
                expected: "a file holding the anchoring account's hex private key (needed with EVIDENTIA_EVM_RPC)",
            });
        };
        let key =
            std::fs::read_to_string(path).map_err(|source| ConfigError::Unreadable { path: path.clone(), source })?;
        Ok(Some(crate::anchor::evm::EvmSettings {
            rpc_url: rpc.clone(),
            key_hex: zeroize::Zeroizing::new(key.trim().to_owned()),
            confirmations: self.evm.confirmations.max(1),
            timeout: Duration::from_secs(self.evm.timeout_secs.max(1)),
        }))
    }

    /// The chain node to check anchors against (no key needed), when one is configured.
    pub fn evm_node(&self) -> Option<crate::anchor::evm::EvmSettings> {
        self.evm.rpc.as_ref().map(|rpc| crate::anchor::evm::EvmSettings {
            rpc_url: rpc.clone(),
            key_hex: zeroize::Zeroizing::new(String::new()),
            confirmations: self.evm.confirmations.max(1),
            timeout: Duration::from_secs(self.evm.timeout_secs.max(1)),
        })
    }

    /// Every ledger configured: the chain (with its key) and the calendars.
    pub fn ledgers(&self) -> Result<crate::anchor::Ledgers, ConfigError> {
        Ok(crate::anchor::Ledgers { evm: self.evm_settings()?, ots: self.ots_settings() })
    }

    /// The OpenTimestamps calendars to submit to, when there are any: the configured ones, else
    /// under the production profile the public calendars.
    pub fn ots_settings(&self) -> Option<crate::anchor::ots::OtsSettings> {
        let calendars: Vec<String> = if self.ots.disabled {
            Vec::new()
        } else if self.ots.calendars.is_empty() && self.profile == ProfileName::Production {
            crate::anchor::ots::PUBLIC_CALENDARS.iter().map(|c| c.to_string()).collect()
        } else {
            self.ots.calendars.clone()
        };
        (!calendars.is_empty()).then(|| crate::anchor::ots::OtsSettings {
            calendars,
            timeout: Duration::from_secs(self.ots.timeout_secs.max(1)),
        })
    }

    /// How long one call into a PKCS #11 token may take.
    pub fn token_timeout(&self) -> Duration {
        Duration::from_secs(self.pkcs11.timeout_secs.max(1))
    }

    /// How long to wait for the vault's lock.
    pub fn lock_wait(&self) -> Duration {
        Duration::from_secs(self.seal.lock_wait_secs)
    }
}

impl Config {
    /// A TSA client when TSAs are configured (or `urls` are given), else `None`.
    pub fn tsa_client(
        &self,
        urls: &[String],
        trust: &[PathBuf],
    ) -> Result<Option<evidentia_net::tsa::TsaClient>, ConfigError> {
        let mut settings = self.tsa_settings(trust)?;
        if !urls.is_empty() {
            settings.endpoints =
                urls.iter().map(|u| evidentia_net::tsa::TsaEndpoint { url: u.clone(), auth: None }).collect();
        }
        if settings.endpoints.is_empty() {
            return Ok(None);
        }
        Ok(Some(evidentia_net::tsa::TsaClient::new(settings)?))
    }

    /// The verification policy: the system's roots, the configured TSA roots and `trust`; whether
    /// self-signed signers pass; the configured node when `online`.
    pub fn verify_policy(
        &self,
        trust: &[PathBuf],
        accept_self_signed: bool,
        online: bool,
    ) -> Result<crate::verify::Policy, ConfigError> {
        let settings = self.tsa_settings(trust)?;
        let system = crate::cades_verify::system_roots();
        let mut sources = vec![format!("the system's roots ({})", system.roots().len())];
        if !self.tsa.trust.is_empty() || self.profile == ProfileName::Production {
            sources.push("the configured TSA roots".into());
        }
        sources.extend(trust.iter().map(|p| format!("--trust {}", p.display())));
        let mut anchors = settings.policy.trust.clone();
        anchors.extend(system.roots().to_vec());
        Ok(crate::verify::Policy {
            signatures: crate::verify::SignaturePolicy {
                trust: anchors,
                trust_sources: sources,
                accept_self_signed,
                ..Default::default()
            },
            node: if online { self.evm_node() } else { None },
        })
    }

    /// The TSA settings this configuration gives: its URLs (or, under the production profile with
    /// none configured, the presets and their roots), trust anchors, credentials and limits.
    /// `extra_trust` adds anchor files (from the command line).
    pub fn tsa_settings(&self, extra_trust: &[PathBuf]) -> Result<evidentia_net::tsa::TsaSettings, ConfigError> {
        use evidentia_net::tsa::{TsaAuth, TsaEndpoint, TsaSettings};
        use evidentia_pki::tsp::{TrustAnchors, TspError};
        let t = &self.tsa;
        let presets = t.urls.is_empty() && self.profile == ProfileName::Production;
        let urls: Vec<String> =
            if presets { PRODUCTION_TSAS.iter().map(|u| u.to_string()).collect() } else { t.urls.clone() };
        let mut trust = TrustAnchors::from_files(&t.trust)?;
        trust.extend(TrustAnchors::from_files(extra_trust)?.roots().to_vec());
        if presets {
            let roots = x509_cert::Certificate::load_pem_chain(PRODUCTION_TSA_ROOTS.as_bytes()).map_err(|e| {
                TspError::CertificateFile {
                    path: "assets/tsa-trust/production-roots.pem".into(),
                    reason: e.to_string(),
                }
            })?;
            trust.extend(roots);
        }
        let secret = |name: &Option<String>| -> Result<Option<String>, ConfigError> {
            match name {
                None => Ok(None),
                Some(var) => std::env::var(var).map(Some).map_err(|_| ConfigError::BadVariable {
                    name: "tsa.credentials",
                    value: var.clone(),
                    expected: "the named environment variable to be set (it holds the TSA secret)",
                }),
            }
        };
        let mut endpoints = Vec::new();
        for url in urls {
            let mut auth = None;
            if let Some(c) = t.credentials.iter().find(|c| c.url == url) {
                if let (Some(user), Some(password)) = (&c.user, secret(&c.password_env)?) {
                    auth = Some(TsaAuth::Basic { user: user.clone(), password });
                } else if let (Some(name), Some(value)) = (&c.header, secret(&c.header_value_env)?) {
                    auth = Some(TsaAuth::Header { name: name.clone(), value });
                }
            }
            endpoints.push(TsaEndpoint { url, auth });
        }
        let policy = match &t.policy {
            Some(text) => Some(text.parse::<der::asn1::ObjectIdentifier>().map_err(|_| ConfigError::BadVariable {
                name: "tsa.policy",
                value: text.clone(),
                expected: "a dotted object identifier such as 1.2.3.4",
            })?),
            None => None,
        };
        let mut settings = TsaSettings {
            endpoints,
            timeout: Duration::from_secs(t.timeout_secs.max(1)),
            retries: t.retries,
            quorum: t.quorum.max(1),
            concurrency: t.concurrency.clamp(1, 32),
            tolerance: Duration::from_secs(t.tolerance_secs),
            max_clock_skew: Duration::from_secs(t.max_clock_skew_secs),
            request_policy: policy,
            ..TsaSettings::default()
        };
        settings.policy.trust = trust;
        settings.policy.required_policy = policy;
        Ok(settings)
    }
}

/// `config.toml` in the OS config folder, if a home folder exists.
pub fn default_config_file() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "evidentia").map(|d| d.config_dir().join("config.toml"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saved_configuration_reads_back_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("config.toml");
        let mut config = Config { profile: ProfileName::Production, ..Config::default() };
        config.tsa.urls = vec!["http://tsa.example/tsr".into()];
        config.evm.rpc = Some("http://127.0.0.1:8545".into());
        config.evm.batch_after_records = 3;
        config.app.language = Some("zh-CN".into());
        config.app.theme = "dark".into();
        config.seal.algorithms = vec![DigestAlgorithm::Sha256, DigestAlgorithm::Sm3];
        config.save(&path).unwrap();
        assert_eq!(Config::from_file(&path).unwrap(), config);
        assert!(!path.with_extension("toml.tmp").exists());
    }

    #[test]
    fn file_then_environment() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "profile = \"production\"\n[seal]\nalgorithms = [\"sha512\"]\ncopy = false\n").unwrap();
        let mut config = Config::from_file(&path).unwrap();
        assert_eq!(config.profile, ProfileName::Production);
        assert_eq!(config.seal.algorithms, vec![DigestAlgorithm::Sha512]);
        assert!(!config.seal.copy);
        let env = |name: &str| match name {
            "EVIDENTIA_PROFILE" => Some("sandbox".to_owned()),
            "EVIDENTIA_VAULT" => Some("/tmp/v".to_owned()),
            "EVIDENTIA_ALGORITHMS" => Some("sm3,sha256".to_owned()),
            _ => None,
        };
        config.apply_env(env).unwrap();
        assert_eq!(config.profile, ProfileName::Sandbox);
        assert_eq!(config.vault_dir(None).unwrap(), PathBuf::from("/tmp/v"));
        assert_eq!(config.vault_dir(Some(Path::new("/x"))).unwrap(), PathBuf::from("/x"));
        assert_eq!(config.seal.algorithms, vec![DigestAlgorithm::Sm3, DigestAlgorithm::Sha256]);
    }

    #[test]
    fn calendars_follow_the_profile_unless_set_or_turned_off() {
        let mut config = Config::default();
        assert_eq!(config.ots_settings(), None, "sandbox: no calendar unless configured");
        config.profile = ProfileName::Production;
        assert_eq!(config.ots_settings().unwrap().calendars.len(), crate::anchor::ots::PUBLIC_CALENDARS.len());
        config.apply_env(|n| (n == "EVIDENTIA_OTS_CALENDARS").then(|| "http://a:1, http://b:2".to_owned())).unwrap();
        assert_eq!(config.ots_settings().unwrap().calendars, ["http://a:1", "http://b:2"]);
        config.apply_env(|n| (n == "EVIDENTIA_OTS_CALENDARS").then(|| "none".to_owned())).unwrap();
        assert_eq!(config.ots_settings(), None);
    }

    #[test]
    fn bad_values_name_their_source() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "colour = \"blue\"\n").unwrap();
        let err = Config::from_file(&path).unwrap_err().to_string();
        assert!(err.contains("config.toml") && err.contains("colour"), "{err}");
        let err = Config::default().apply_env(|n| (n == "EVIDENTIA_COPY").then(|| "maybe".to_owned())).unwrap_err();
        assert!(err.to_string().contains("EVIDENTIA_COPY=maybe"), "{err}");
    }
}
