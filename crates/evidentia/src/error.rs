//! The crate-wide error: one variant per concern, each with the concern's own detailed error.

use crate::config::ConfigError;
use crate::digest::UnknownAlgorithm;
use crate::subject::InputError;
use crate::tsp::TspError;
use crate::vault::VaultError;
use evidentia_formats::check::Indication;

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
    Config(#[from] ConfigError),
    /// A digest algorithm name is not known.
    #[error(transparent)]
    Algorithm(#[from] UnknownAlgorithm),
    /// A time-stamp could not be obtained or is not valid.
    #[error(transparent)]
    Timestamp(#[from] TspError),
    /// A signing identity cannot be used.
    #[error(transparent)]
    Identity(#[from] crate::identity::IdentityError),
    /// A CAdES signature could not be made.
    #[error(transparent)]
    Signature(#[from] crate::cades::CadesError),
    /// A signature is not valid.
    #[error(transparent)]
    InvalidSignature(#[from] crate::cades_verify::SignatureError),
    /// An evidence package cannot be written, or is refused.
    #[error(transparent)]
    Package(#[from] crate::package::PackageError),
    /// A report PDF cannot be made.
    #[error(transparent)]
    Report(#[from] crate::report::ReportError),
    /// A PDF cannot be signed or read.
    #[error(transparent)]
    Pdf(#[from] crate::pades::PadesError),
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
            Error::Input(_) | Error::Algorithm(_) => ErrorKind::Input,
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
            Error::Package(crate::package::PackageError::Unexportable { .. }) => ErrorKind::Vault,
            Error::Package(_) => ErrorKind::Input,
            Error::Report(_) | Error::Cancelled => ErrorKind::Input,
            Error::Pdf(crate::pades::PadesError::TimestampFailed { source, .. }) if source.is_transport() => {
                ErrorKind::Service
            }
            Error::Pdf(crate::pades::PadesError::UnknownLevel(_)) => ErrorKind::Usage,
            Error::Pdf(e) if e.is_input() => ErrorKind::Input,
            Error::Pdf(crate::pades::PadesError::NeedsTsa(_)) => ErrorKind::Config,
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

    /// A short stable code for machine-readable output (`--json`, the desktop app).
    pub fn code(&self) -> &'static str {
        match self {
            Error::Input(e) => e.code(),
            Error::Algorithm(_) => "UNKNOWN_ALGORITHM",
            Error::Vault(e) => e.code(),
            Error::Config(_) => "CONFIG_INVALID",
            Error::Timestamp(e) => e.code(),
            Error::Identity(e) => e.code(),
            Error::Signature(crate::cades::CadesError::Signer(e)) => e.code(),
            Error::Signature(crate::cades::CadesError::Sm2NotInCms(_)) => "SM2_CMS_UNSUPPORTED",
            Error::Signature(_) => "SIGNATURE_FAILED",
            Error::InvalidSignature(e) => e.code(),
            Error::Package(e) => e.code(),
            Error::Report(_) => "REPORT_FAILED",
            Error::Cancelled => "CANCELLED",
            Error::Pdf(e) => e.code(),
        }
    }
}

impl From<crate::cades_verify::VerifyError> for Error {
    fn from(e: crate::cades_verify::VerifyError) -> Self {
        match e {
            crate::cades_verify::VerifyError::Input(e) => Error::Input(e),
            crate::cades_verify::VerifyError::Signature(e) => Error::InvalidSignature(e),
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
