//! PAdES baseline signatures inside PDF files (ETSI EN 319 142-1), without a network: levels and
//! options, incremental updates with signature placeholders, visible appearances, and verifying
//! every signature of a PDF with what changed after each.

pub mod appearance;
pub mod changes;
pub mod company_seal;
pub mod electronic_seal;
pub mod font;
pub mod update;
pub mod verify;

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use serde::Serialize;

pub use appearance::AppearanceText;
pub use verify::{PdfReport, signature_certificates, verify_pdf, verify_pdf_bytes};

use crate::tsp::TspError;

/// How much a PDF signature proves, and for how long (ETSI EN 319 142-1 baseline levels).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum PadesLevel {
    /// The signature alone.
    #[serde(rename = "B-B")]
    BB,
    /// With a signature time-stamp (proof of when).
    #[serde(rename = "B-T")]
    BT,
    /// With the certificates and revocation data in the document (verifiable after expiry).
    #[serde(rename = "B-LT")]
    BLT,
    /// With a document time-stamp over all of it (renewable long-term proof).
    #[serde(rename = "B-LTA")]
    BLTA,
}

impl PadesLevel {
    /// `B-B`, `B-T`, `B-LT`, `B-LTA` (also accepted with a `PAdES-` prefix, any case).
    pub fn parse(text: &str) -> Option<PadesLevel> {
        let t = text.trim().to_ascii_uppercase();
        match t.strip_prefix("PADES-").unwrap_or(&t) {
            "B-B" | "BB" => Some(PadesLevel::BB),
            "B-T" | "BT" => Some(PadesLevel::BT),
            "B-LT" | "BLT" => Some(PadesLevel::BLT),
            "B-LTA" | "BLTA" => Some(PadesLevel::BLTA),
            _ => None,
        }
    }

    /// The level a user asked for by name, or when none is given the default: B-T when a TSA is
    /// configured, else B-B. The CLI and the app both choose the level here.
    pub fn chosen(text: Option<&str>, has_tsa: bool) -> Result<PadesLevel, PadesError> {
        match text.map(str::trim).filter(|t| !t.is_empty()) {
            None if has_tsa => Ok(PadesLevel::BT),
            None => Ok(PadesLevel::BB),
            Some(t) => PadesLevel::parse(t).ok_or_else(|| PadesError::UnknownLevel(t.to_owned())),
        }
    }

    /// The level's name.
    pub fn name(self) -> &'static str {
        match self {
            PadesLevel::BB => "B-B",
            PadesLevel::BT => "B-T",
            PadesLevel::BLT => "B-LT",
            PadesLevel::BLTA => "B-LTA",
        }
    }
}

/// Where a visible signature goes: a page (from 1) and a rectangle in points from the page's
/// lower-left corner.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placement {
    /// The page, from 1; 0 stands for each document's last page (`last` when parsed), so that
    /// documents of a batch can share a placement.
    pub page: u32,
    /// Left edge.
    pub x: f32,
    /// Bottom edge.
    pub y: f32,
    /// Width.
    pub w: f32,
    /// Height.
    pub h: f32,
}

impl Placement {
    /// The page a placement means in a document of `pages` pages.
    pub fn page_in(&self, pages: usize) -> u32 {
        if self.page == 0 { u32::try_from(pages).unwrap_or(u32::MAX) } else { self.page }
    }

    /// Reads `page,x,y,w,h` (the page a number from 1, or `last`).
    pub fn parse(text: &str) -> Result<Placement, PadesError> {
        let bad = || {
            PadesError::Placement(format!(
                "`{text}`: give page,x,y,width,height, e.g. 1,360,60,200,70 (the page may be `last`)"
            ))
        };
        let parts: Vec<&str> = text.split(',').map(str::trim).collect();
        if parts.len() != 5 {
            return Err(bad());
        }
        let page: u32 = if parts[0].eq_ignore_ascii_case("last") {
            0
        } else {
            match parts[0].parse() {
                Ok(0) | Err(_) => return Err(bad()),
                Ok(n) => n,
            }
        };
        let n: Vec<f32> = parts[1..].iter().map(|p| p.parse::<f32>()).collect::<Result<_, _>>().map_err(|_| bad())?;
        // x and y are in the page's user space, which may start below zero (its /MediaBox); the
        // rectangle is checked against the page when signing.
        if n.iter().any(|v| !v.is_finite()) || n[2] < 20.0 || n[3] < 10.0 {
            return Err(PadesError::Placement(format!(
                "`{text}`: the page counts from 1, and the rectangle needs at least 20 × 10 points inside the page"
            )));
        }
        Ok(Placement { page, x: n[0], y: n[1], w: n[2], h: n[3] })
    }
}

/// How to sign.
#[derive(Debug, Clone)]
pub struct SignOptions {
    /// The level to reach.
    pub level: PadesLevel,
    /// A visible signature here; invisible when `None`.
    pub placement: Option<Placement>,
    /// Why (shown in the appearance and in the signature dictionary).
    pub reason: Option<String>,
    /// Where.
    pub location: Option<String>,
    /// A PNG or JPEG shown in the appearance (a handwritten signature, the company seal).
    pub image: Option<Vec<u8>>,
    /// A generated company seal, drawn as vector graphics in the appearance (instead of `image`).
    pub seal: Option<company_seal::CompanySeal>,
    /// A certification signature (DocMDP) permitting later revisions this much; `None`: an
    /// approval signature.
    pub certify: Option<Certification>,
    /// Form fields this signature locks against later changes (FieldMDP); `None`: none.
    pub lock_fields: Option<FieldLock>,
}

/// Which form fields a signature locks (ISO 32000 FieldMDP): later revisions may not change them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldLock {
    /// Every field of the document.
    All,
    /// The fields named (fully qualified, `parent.child`).
    Include(Vec<String>),
    /// Every field but those named.
    Exclude(Vec<String>),
}

impl FieldLock {
    /// From the command line: `all`, `NAME,NAME` or `all-except:NAME,NAME`.
    pub fn parse(spec: &str) -> Result<Self, PadesError> {
        let names = |list: &str| -> Vec<String> {
            list.split(',').map(str::trim).filter(|n| !n.is_empty()).map(str::to_owned).collect()
        };
        let lock = match spec.trim() {
            "all" => Self::All,
            s => match s.strip_prefix("all-except:") {
                Some(list) => Self::Exclude(names(list)),
                None => Self::Include(names(s)),
            },
        };
        match &lock {
            Self::Include(n) | Self::Exclude(n) if n.is_empty() => Err(PadesError::Certification(format!(
                "--lock-fields {spec}: give all, field names separated by commas, or all-except:NAMES"
            ))),
            _ => Ok(lock),
        }
    }

    /// Whether the field of this fully qualified name is locked.
    pub fn locks(&self, name: &str) -> bool {
        match self {
            Self::All => true,
            Self::Include(names) => names.iter().any(|n| n == name),
            Self::Exclude(names) => !names.iter().any(|n| n == name),
        }
    }
}

/// What a certification signature permits after it (ISO 32000 DocMDP /P).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Certification {
    /// P=1: no change at all.
    NoChanges,
    /// P=2: filling in forms, signing, document time-stamps.
    FormFilling,
    /// P=3: also annotations.
    Annotations,
}

impl Certification {
    /// From its name on the command line (`no-changes`, `form-filling`, `annotations`).
    pub fn parse(name: &str) -> Result<Self, PadesError> {
        match name {
            "no-changes" => Ok(Self::NoChanges),
            "form-filling" => Ok(Self::FormFilling),
            "annotations" => Ok(Self::Annotations),
            other => Err(PadesError::Certification(format!(
                "--certify {other}: choose no-changes, form-filling or annotations"
            ))),
        }
    }

    /// The DocMDP /P value.
    pub fn permission(self) -> i64 {
        match self {
            Self::NoChanges => 1,
            Self::FormFilling => 2,
            Self::Annotations => 3,
        }
    }
}

impl Default for SignOptions {
    fn default() -> Self {
        SignOptions {
            level: PadesLevel::BT,
            placement: None,
            reason: None,
            location: None,
            image: None,
            seal: None,
            certify: None,
            lock_fields: None,
        }
    }
}

/// Why a PDF cannot be signed or read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PadesError {
    /// Not a PDF at all.
    #[error("{0}: not a PDF file (it does not start with %PDF-); choose the contract's PDF")]
    NotPdf(PathBuf),
    /// A PDF that cannot be read.
    #[error(
        "{path}: the PDF cannot be read ({why}); it may be truncated or damaged: open and re-save it, then try again"
    )]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// What the parser said.
        why: String,
    },
    /// Password-protected.
    #[error(
        "{0}: the PDF is encrypted (password-protected); signing it would need its password and break its protection: \
         save an unprotected copy, sign that, then protect it if needed"
    )]
    Encrypted(PathBuf),
    /// The document's structure does not allow the operation.
    #[error("the PDF's structure does not allow this: {0}")]
    Structure(String),
    /// The output cannot be written.
    #[error("{path}: cannot write the signed PDF ({why}); choose another place with -o")]
    Unwritable {
        /// The file.
        path: PathBuf,
        /// Why.
        why: String,
    },
    /// The reserved space was too small (a defect when it happens twice).
    #[error("the signature needs {needed} bytes but {reserved} were reserved")]
    PlaceholderTooSmall {
        /// Bytes needed.
        needed: usize,
        /// Bytes reserved.
        reserved: usize,
    },
    /// The page does not exist.
    #[error("page {page} does not exist: the PDF has {pages} page(s)")]
    PageOutOfRange {
        /// Asked for.
        page: u32,
        /// There are.
        pages: usize,
    },
    /// The visible signature's placement is wrong.
    #[error("--visible {0}")]
    Placement(String),
    /// The image cannot be used.
    #[error("the signature image cannot be used: {0}")]
    Image(String),
    /// The appearance cannot be drawn.
    #[error("the signature's appearance cannot be drawn: {0}")]
    Appearance(String),
    /// The company seal's texts do not fit a seal.
    #[error("the company seal cannot be made: {0}")]
    Seal(String),
    /// A certification that cannot be made, or that forbids signing this document.
    #[error("{0}")]
    Certification(String),
    /// A PAdES level that does not exist.
    #[error("PAdES level `{0}` is unknown: choose B-B, B-T, B-LT or B-LTA")]
    UnknownLevel(String),
    /// A level that needs a time-stamp, without a TSA.
    #[error(
        "level {0} needs a time-stamp, and no TSA is configured: configure one ([tsa] url or EVIDENTIA_TSA_URL), or sign at level B-B"
    )]
    NeedsTsa(&'static str),
    /// The TSA did not give a usable time-stamp: nothing was written.
    #[error("level {level} needs a time-stamp and none could be obtained, so nothing was written: {source}")]
    TimestampFailed {
        /// The level asked for.
        level: &'static str,
        /// What went wrong.
        #[source]
        source: TspError,
    },
}

impl PadesError {
    /// A stable code.
    pub fn code(&self) -> &'static str {
        match self {
            PadesError::NotPdf(_) => "NOT_PDF",
            PadesError::Unreadable { .. } => "PDF_UNREADABLE",
            PadesError::Encrypted(_) => "PDF_ENCRYPTED",
            PadesError::Structure(_) => "PDF_STRUCTURE",
            PadesError::Unwritable { .. } => "OUTPUT_UNWRITABLE",
            PadesError::PlaceholderTooSmall { .. } => "SIGNATURE_TOO_LARGE",
            PadesError::PageOutOfRange { .. } | PadesError::Placement(_) => "BAD_PLACEMENT",
            PadesError::Image(_) => "BAD_IMAGE",
            PadesError::Appearance(_) => "APPEARANCE_FAILED",
            PadesError::Seal(_) => "BAD_SEAL",
            PadesError::UnknownLevel(_) => "BAD_LEVEL",
            PadesError::Certification(_) => "CERTIFICATION_FORBIDS",
            PadesError::NeedsTsa(_) => "TSA_NOT_CONFIGURED",
            // Not the TSA's own code: for a PDF, a missing time-stamp means nothing was written.
            PadesError::TimestampFailed { .. } => "PDF_TIMESTAMP_FAILED",
        }
    }

    /// Whether the user's input is at fault (rather than a service).
    pub fn is_input(&self) -> bool {
        !matches!(self, PadesError::TimestampFailed { .. } | PadesError::NeedsTsa(_))
    }
}

/// A PDF date: `D:YYYYMMDDHHmmSS+00'00'`.
pub fn pdf_date(t: DateTime<Utc>) -> String {
    t.format("D:%Y%m%d%H%M%S+00'00'").to_string()
}

/// The common name of a certificate's subject, else the whole subject.
pub fn common_name(cert: &x509_cert::Certificate) -> String {
    let subject = &cert.tbs_certificate.subject;
    for rdn in subject.0.iter() {
        for atv in rdn.0.iter() {
            if atv.oid == const_oid::db::rfc4519::CN {
                if let Ok(s) = atv.value.decode_as::<der::asn1::Utf8StringRef>() {
                    return s.as_str().to_owned();
                }
                if let Ok(s) = atv.value.decode_as::<der::asn1::PrintableStringRef>() {
                    return s.as_str().to_owned();
                }
            }
        }
    }
    subject.to_string()
}
