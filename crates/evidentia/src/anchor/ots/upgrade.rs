//! Upgrading anyone's pending OpenTimestamps proof (`ots upgrade`): each pending attestation's
//! calendar is asked for the rest of the tree, which is grafted at its commitment; the proof file
//! is rewritten whole (a temporary file renamed over it), the original kept as `FILE.ots.bak`.
//! Only calendars on the configured list (or the public ones) are asked, as the `ots` client
//! asks only its whitelist: a proof from a stranger does not choose where Evidentia connects.

use std::path::Path;

use serde::Serialize;

use super::format::Attestation;
use super::proof_file::{OtsProofError, read_proof};
use super::{CalendarClient, OtsSettings, PUBLIC_CALENDARS};

/// What upgrading one proof did.
#[derive(Debug, Clone, Serialize)]
pub struct ProofUpgrade {
    /// The proof file.
    pub proof: String,
    /// Calendars whose answer was grafted into the proof.
    pub upgraded: Vec<String>,
    /// Calendars that have nothing more yet, or could not be reached (with why).
    pub pending: Vec<String>,
    /// Calendars the proof names that are not on the list, so not asked.
    pub not_asked: Vec<String>,
    /// The Bitcoin block heights the proof is now attested in.
    pub bitcoin: Vec<u64>,
    /// Where the proof as it was is kept, when it was rewritten.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backup: Option<String>,
}

impl ProofUpgrade {
    /// Whether the proof is attested in Bitcoin.
    pub fn complete(&self) -> bool {
        !self.bitcoin.is_empty()
    }
}

/// Asks the calendars of every pending attestation of the proof at `path` for its upgrade;
/// `settings` lists the calendars that may be asked besides the public ones.
pub async fn upgrade_proof(path: &Path, settings: &OtsSettings) -> Result<ProofUpgrade, OtsProofError> {
    let mut proof = read_proof(path)?;
    let allowed = |uri: &str| {
        let uri = uri.trim_end_matches('/');
        settings.calendars.iter().map(String::as_str).chain(PUBLIC_CALENDARS).any(|c| c.trim_end_matches('/') == uri)
    };
    let malformed = |source| OtsProofError::Malformed { path: path.to_owned(), source };
    let client = CalendarClient::new(settings.timeout)?;
    let mut out = ProofUpgrade {
        proof: path.display().to_string(),
        upgraded: Vec::new(),
        pending: Vec::new(),
        not_asked: Vec::new(),
        bitcoin: Vec::new(),
        backup: None,
    };
    let found = proof.timestamp.attestations(&proof.digest).map_err(malformed)?;
    for (commitment, attestation) in &found {
        let Attestation::Pending(uri) = attestation else { continue };
        if !allowed(uri) {
            out.not_asked.push(format!("{uri} (not on the calendar list: add it to [ots] calendars to ask it)"));
            continue;
        }
        match client.upgrade(uri, commitment).await {
            Ok(Some(tree)) => {
                let digest = proof.digest.clone();
                if proof.timestamp.graft(&digest, commitment, &tree).map_err(malformed)? {
                    out.upgraded.push(uri.clone());
                }
            }
            Ok(None) => out.pending.push(format!("{uri} (nothing more yet)")),
            Err(e) => out.pending.push(format!("{uri} ({e})")),
        }
    }
    let now = proof.timestamp.attestations(&proof.digest).map_err(malformed)?;
    out.bitcoin =
        now.iter().filter_map(|(_, a)| if let Attestation::Bitcoin(h) = a { Some(*h) } else { None }).collect();
    out.bitcoin.sort_unstable();
    out.bitcoin.dedup();
    if !out.upgraded.is_empty() {
        let io = |e| OtsProofError::Input(crate::subject::InputError::from_io(path, e));
        let mut backup = path.as_os_str().to_owned();
        backup.push(".bak");
        std::fs::copy(path, &backup).map_err(io)?;
        let mut temporary = path.as_os_str().to_owned();
        temporary.push(".tmp");
        let write = || -> std::io::Result<()> {
            use std::io::Write;
            let mut f = std::fs::File::create(&temporary)?;
            f.write_all(&proof.to_bytes())?;
            f.sync_all()?;
            std::fs::rename(&temporary, path)
        };
        write().map_err(io)?;
        out.backup = Some(Path::new(&backup).display().to_string());
    }
    Ok(out)
}
