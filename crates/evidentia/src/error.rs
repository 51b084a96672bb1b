//! The crate-wide error: one variant per concern, each with the concern's own detailed error.

use crate::config::ConfigError;
use crate::package::PackageError;
use crate::report::ReportError;
use evidentia_formats::check::Indication;
use evidentia_formats::digest::UnknownAlgorithm;
use evidentia_formats::subject::InputError;
use evidentia_identity::IdentityError;
use evidentia_pki::cades::CadesError;
use evidentia_pki::cades_verify::{SignatureError, VerifyError};
use evidentia_pki::pades::PadesError;
use evidentia_pki::tsp::TspError;
use evidentia_vault::VaultError;

/// Anything that can stop an Evidentia operation.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file or folder the user named cannot be used as given.
    #[error(transparent)]
    Input(#[from] InputError),
    /// The evidence vault cannot be opened, read or written.
    #[error(transparent)]
    Vault(#[from] VaultError),
    /// The configuration file or an environment override is wrong.
    #[error(transparent)]
    Config(ConfigError),
    /// A digest algorithm name is not known.
    #[error(transparent)]
    Algorithm(#[from] UnknownAlgorithm),
    /// A time-stamp could not be obtained or is not valid.
    #[error(transparent)]
    Timestamp(#[from] TspError),
    /// A signing identity cannot be used.
    #[error(transparent)]
    Identity(#[from] IdentityError),
    /// A CAdES signature could not be made.
    #[error(transparent)]
    Signature(#[from] CadesError),
    /// A signature is not valid.
    #[error(transparent)]
    InvalidSignature(#[from] SignatureError),
    /// An evidence package cannot be written, or is refused.
    #[error(transparent)]
    Package(PackageError),
    /// A report PDF cannot be made.
    #[error(transparent)]
    Report(#[from] ReportError),
    /// A PDF cannot be signed or read.
    #[error(transparent)]
    Pdf(#[from] PadesError),
    /// An OpenTimestamps proof cannot be judged (unreadable, malformed, no stamped file).
    #[error(transparent)]
    OtsProof(#[from] crate::verify::ots::OtsProofError),
    /// An evidence record that cannot be read.
    #[error(transparent)]
    EvidenceRecord(crate::verify::evidence_record::DetachedRecordError),
    /// The Bitcoin node given cannot be used.
    #[error(transparent)]
    Bitcoin(#[from] evidentia_net::bitcoin::BitcoinError),
    /// Detached evidence (a signature, a time-stamp, a proof) given without the file it is over.
    #[error("{}: {what} over another file: give that file (--file)", .path.display())]
    DataFileNeeded {
        /// The evidence.
        path: std::path::PathBuf,
        /// What it is, in words.
        what: String,
    },
    /// An argument's value or combination is not one the operation can use.
    #[error("{0}")]
    Usage(String),
    /// A file given to verify that no record of the vault has (not a package either).
    #[error(
        "{}: no record in this vault has this file's SHA-256 — it was not sealed here, or it was changed since",
        .0.display()
    )]
    NotSealedHere(std::path::PathBuf),
    /// The user cancelled: what was finished before is kept, the rest was not started or was undone.
    #[error("cancelled: what was finished before is kept, the rest was not done")]
    Cancelled,
}

/// What kind of failure an [`Error`] is, for callers that map failures to exit codes or UI codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// An argument's value is not one the operation knows (a level, a language).
    Usage,
    /// The user's input (a path, an argument) is at fault.
    Input,
    /// The vault is unusable (missing, locked, newer, corrupt) or a write to it failed.
    Vault,
    /// The configuration is at fault.
    Config,
    /// A time-stamp is not valid (a verification verdict, not a failure to run).
    Invalid,
    /// A time-stamping authority could not be used.
    Service,
}

impl Error {
    /// The kind of failure.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Usage(_) | Error::DataFileNeeded { .. } => ErrorKind::Usage,
            Error::OtsProof(_) | Error::EvidenceRecord(_) => ErrorKind::Input,
            Error::Bitcoin(e) if e.code() == "USAGE" => ErrorKind::Usage,
            Error::Bitcoin(_) => ErrorKind::Service,
            Error::NotSealedHere(_) => ErrorKind::Invalid,
            Error::Input(_) | Error::Algorithm(_) => ErrorKind::Input,
            Error::Vault(e) if e.code() == "CASE_NAME_INVALID" => ErrorKind::Usage,
            Error::Vault(_) => ErrorKind::Vault,
            Error::Config(_) => ErrorKind::Config,
            Error::Timestamp(TspError::CertificateFile { .. }) => ErrorKind::Input,
            Error::Timestamp(TspError::NoTsaConfigured) => ErrorKind::Config,
            Error::Timestamp(e) if e.is_transport() => ErrorKind::Service,
            Error::Timestamp(TspError::AllFailed(attempts)) if attempts.iter().all(|a| a.error.is_transport()) => {
                ErrorKind::Service
            }
            Error::Timestamp(_) => ErrorKind::Invalid,
            Error::Identity(_) | Error::Signature(_) => ErrorKind::Input,
            Error::InvalidSignature(_) => ErrorKind::Invalid,
            Error::Package(PackageError::Unexportable { .. }) => ErrorKind::Vault,
            Error::Package(_) => ErrorKind::Input,
            Error::Report(_) | Error::Cancelled => ErrorKind::Input,
            Error::Pdf(PadesError::TimestampFailed { source, .. }) if source.is_transport() => ErrorKind::Service,
            Error::Pdf(PadesError::UnknownLevel(_)) => ErrorKind::Usage,
            Error::Pdf(e) if e.is_input() => ErrorKind::Input,
            Error::Pdf(PadesError::NeedsTsa(_)) => ErrorKind::Config,
            Error::Pdf(_) => ErrorKind::Service,
        }
    }

    /// The process exit code for this failure (`docs/cli.md`); the CLI exits with it and the app
    /// reports it beside the code, so both say the same of the same failure.
    pub fn exit_code(&self) -> u8 {
        match self.kind() {
            ErrorKind::Invalid => 1,
            ErrorKind::Usage => 2,
            ErrorKind::Input => 3,
            ErrorKind::Vault => 4,
            ErrorKind::Config => 5,
            ErrorKind::Service => 6,
        }
    }

    /// What a verification that ended in this failure concludes: INDETERMINATE when the evidence
    /// may be sound but cannot be decided here (its root is not trusted, or its algorithm is one
    /// this build does not judge), TOTAL-FAILED otherwise. `signature verify` and `timestamp
    /// verify` report it, as `pdf verify` and `verify` report their checks.
    pub fn indication(&self) -> Indication {
        use evidentia_pki::cades_verify::SignatureError as S;
        match self {
            Error::InvalidSignature(
                S::UntrustedRoot(_)
                | S::SignerCertificateMissing
                | S::KeyUsage
                | S::UnsupportedAlgorithm(_)
                | S::SeveralSigners(_)
                | S::CryptoConstraints { .. }
                | S::CertificateNotValidAtTime { proven: false, .. },
            )
            | Error::InvalidSignature(S::Timestamp(
                TspError::UntrustedRoot(_)
                | TspError::UnsupportedAlgorithm(_)
                | TspError::CryptoConstraints { .. }
                | TspError::SignerCertificateMissing
                | TspError::SignerNotIdentified,
            ))
            | Error::Timestamp(
                TspError::UntrustedRoot(_)
                | TspError::UnsupportedAlgorithm(_)
                | TspError::CryptoConstraints { .. }
                | TspError::SignerCertificateMissing
                | TspError::SignerNotIdentified,
            ) => Indication::Indeterminate,
            // Revoked after a proven signing time cannot happen here (it passes); revoked with no
            // proof of time, or no revocation data: undecided.
            Error::InvalidSignature(S::Revocation(p)) if p.code() != "REVOKED" => Indication::Indeterminate,
            _ => Indication::TotalFailed,
        }
    }

    /// A short stable code for machine-readable output (`--json`, the desktop app).
    pub fn code(&self) -> &'static str {
        match self {
            Error::Input(e) => e.code(),
            Error::Algorithm(_) => "UNKNOWN_ALGORITHM",
            Error::Vault(e) => e.code(),
            Error::Config(_) => "CONFIG_INVALID",
            Error::Timestamp(e) => e.code(),
            Error::Identity(e) => e.code(),
            Error::Signature(CadesError::Signer(e)) => e.code(),
            Error::Signature(_) => "SIGNATURE_FAILED",
            Error::InvalidSignature(e) => e.code(),
            Error::Package(e) => e.code(),
            Error::Report(_) => "REPORT_FAILED",
            Error::Cancelled => "CANCELLED",
            Error::Usage(_) => "USAGE",
            Error::DataFileNeeded { .. } => "DATA_FILE_NEEDED",
            Error::OtsProof(e) => e.code(),
            Error::EvidenceRecord(_) => "EVIDENCE_RECORD_MALFORMED",
            Error::Bitcoin(e) => e.code(),
            Error::NotSealedHere(_) => "RECORD_NOT_FOUND",
            Error::Pdf(e) => e.code(),
        }
    }
}

impl From<VerifyError> for Error {
    fn from(e: VerifyError) -> Self {
        match e {
            VerifyError::Input(e) => Error::Input(e),
            VerifyError::Signature(e) => Error::InvalidSignature(e),
        }
    }
}

/// A configuration whose TSA settings fail is a time-stamp failure (its trust file, its
/// credentials), as it was before the configuration had its own error.
impl From<ConfigError> for Error {
    fn from(e: ConfigError) -> Self {
        match e {
            ConfigError::Tsa(e) => Error::Timestamp(e),
            e => Error::Config(e),
        }
    }
}

impl From<crate::package::ContainerError> for Error {
    fn from(e: crate::package::ContainerError) -> Self {
        Error::Package(e.into())
    }
}

/// A package error that is the vault's, an input's, a TSA's or a signature's is reported as such.
impl From<PackageError> for Error {
    fn from(e: PackageError) -> Self {
        match e {
            PackageError::Vault(e) => Error::Vault(e),
            PackageError::Input(e) => Error::Input(e),
            PackageError::Timestamp(e) => Error::Timestamp(e),
            PackageError::Signature(e) => Error::Signature(e),
            e => Error::Package(e),
        }
    }
}

/// The process exit code of a verification's indication (`docs/cli.md`): 0 when every check
/// passed, 1 when one failed, 7 when some could not be decided.
pub fn verdict_exit_code(result: Indication) -> u8 {
    match result {
        Indication::TotalPassed => 0,
        Indication::TotalFailed => 1,
        Indication::Indeterminate => 7,
    }
}

impl From<crate::verify::evidence_record::DetachedRecordError> for Error {
    fn from(e: crate::verify::evidence_record::DetachedRecordError) -> Self {
        match e {
            crate::verify::evidence_record::DetachedRecordError::Input(i) => Error::Input(i),
            malformed => Error::EvidenceRecord(malformed),
        }
    }
}
