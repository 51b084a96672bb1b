//! The Seal screen: seal what the user handed over, with progress and cancellation; complete
//! pending proofs.

use std::path::PathBuf;
use std::sync::Arc;

use evidentia::config::Config;
use evidentia::pades::{PadesLevel, SignOptions};
use evidentia::seal::SealOptions;
use evidentia::subject::{WalkPolicy, plan};
use serde::Deserialize;
use serde_json::{Value, json};
use tauri::{AppHandle, Emitter, State};

use super::{secret, vault_for_writing};
use crate::failure::{Answer, Failure};
use crate::progress::JobProgress;
use crate::state::AppState;

/// The seal request's optional `pades` object: sign each PDF inside the file first, as
/// `evidentia seal --pades` does.
#[derive(Debug, Default, Deserialize)]
pub struct PadesRequest {
    /// `B-B`, `B-T`, `B-LT` or `B-LTA`; B-T when a TSA is configured, else B-B, when absent.
    #[serde(default)]
    level: Option<String>,
    /// Why (shown in the signature); blank means none.
    #[serde(default)]
    reason: Option<String>,
}

/// The signing options a `pades` request asks for; `None` when it asks for none.
fn pades_options(request: Option<PadesRequest>, has_tsa: bool) -> Result<Option<SignOptions>, Failure> {
    let Some(request) = request else { return Ok(None) };
    let level = PadesLevel::chosen(request.level.as_deref(), has_tsa)?;
    let reason = request.reason.map(|r| r.trim().to_owned()).filter(|r| !r.is_empty());
    Ok(Some(SignOptions { level, reason, ..Default::default() }))
}

/// Seals files and folders (a folder is one work) into the vault, as `evidentia seal` does; with
/// `pades` (and an identity) each PDF is first signed into `NAME-signed.pdf` beside it, and that
/// copy is sealed.
#[tauri::command]
pub async fn seal(
    app: AppHandle,
    state: State<'_, AppState>,
    job: String,
    paths: Vec<PathBuf>,
    identity: Option<String>,
    password: Option<String>,
    pades: Option<PadesRequest>,
) -> Answer<Value> {
    let password = secret(password);
    state.require_granted(&paths)?;
    let config = state.config();
    let identity = identity.filter(|n| !n.is_empty());
    if pades.is_some() && identity.is_none() {
        return Err(Failure::new("USAGE", "signing inside PDFs needs an identity: choose one to sign with"));
    }
    let tsa = config.tsa_client(&[], &[])?;
    let pades = pades_options(pades, tsa.is_some())?;
    let subjects = plan(&paths, WalkPolicy { skip_special: false, each: false })?;
    let ledgers = if config.evm.batch_after_records > 0 { config.ledgers()? } else { Default::default() };
    let identity = match identity {
        Some(name) => Some(Arc::new(config.identity_store()?.unlock(&name, &password)?)),
        None => None,
    };
    drop(password);
    let options = SealOptions {
        algorithms: config.seal.algorithms.clone(),
        copy: config.seal.copy,
        profile: config.profile,
        timestamp: tsa.is_some(),
        identity,
        pades,
    };
    let cancel = state.start_job(&job)?;
    let progress = JobProgress::new(app.clone(), &job, cancel);
    let vault = match vault_for_writing(&config).await {
        Ok(v) => v,
        Err(e) => {
            state.end_job(&job);
            return Err(e);
        }
    };
    if options.pades.is_some() {
        progress.phase("signing");
    }
    let sealed = evidentia::seal::seal(&vault, subjects, &options, tsa.as_ref(), &progress).await;
    state.end_job(&job);
    let report = match sealed {
        Ok(r) => r,
        Err(e) => {
            vault.close().await;
            let _ = app.emit("records-changed", ());
            return Err(e.into());
        }
    };
    // The signed copies were written beside files the user chose; they may be opened and verified.
    let signed: Vec<PathBuf> = report.signed_pdfs.iter().map(|s| s.output.clone()).collect();
    state.grant(&signed);
    progress.phase("anchoring");
    let anchored = evidentia::anchor::after_seal(&vault, config.evm.batch_after_records, &ledgers).await;
    let vault_dir = vault.location().to_owned();
    vault.close().await;
    progress.phase("done");
    let _ = app.emit("records-changed", ());
    // As the CLI does: the records are sealed, but an anchoring that failed is the command's failure.
    let anchored = anchored?;
    let mut answer = json!({
        "profile": config.profile.as_str(),
        "notice": config.profile.notice(),
        "vault": vault_dir,
        "records": report.records,
        "earlier_pending": report.earlier_pending,
        "anchors": anchored,
    });
    if !report.signed_pdfs.is_empty() {
        answer["signed_pdfs"] = serde_json::to_value(&report.signed_pdfs).unwrap_or_default();
    }
    Ok(answer)
}

/// Asks a running job to stop.
#[tauri::command]
pub fn cancel(state: State<'_, AppState>, job: String) -> Answer<()> {
    if state.cancel_job(&job) {
        Ok(())
    } else {
        Err(Failure::new("JOB_NOT_RUNNING", format!("job {job} is not running")))
    }
}

/// Completes pending time-stamps and anchors now, as `evidentia sync` does.
#[tauri::command]
pub async fn sync(app: AppHandle, state: State<'_, AppState>) -> Answer<Value> {
    let config = state.config();
    let done = complete_pending(&config, false).await?;
    let _ = app.emit("records-changed", ());
    Ok(serde_json::to_value(done).unwrap_or_default())
}

/// One round of completion with the configured TSA and ledgers; `None` when there is no vault
/// yet or nothing is configured to complete with.
pub async fn complete_pending(
    config: &Config,
    make_batch: bool,
) -> Result<Option<evidentia::pending::Completed>, Failure> {
    if !crate::state::vault_exists(&config.vault_dir(None)?) {
        return Ok(None);
    }
    let tsa = config.tsa_client(&[], &[])?;
    let ledgers = config.ledgers()?;
    if tsa.is_none() && !ledgers.any() {
        return Ok(None);
    }
    let vault = vault_for_writing(config).await?;
    let done = evidentia::pending::complete_pending(&vault, tsa.as_ref(), &ledgers, make_batch).await;
    vault.close().await;
    Ok(Some(done?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(level: Option<&str>, reason: Option<&str>) -> Option<PadesRequest> {
        Some(PadesRequest { level: level.map(Into::into), reason: reason.map(Into::into) })
    }

    #[test]
    fn pades_request_gives_the_level_and_reason() {
        assert!(pades_options(None, true).unwrap().is_none());
        let o = pades_options(request(Some("b-lta"), Some("  Approved ")), true).unwrap().unwrap();
        assert_eq!((o.level, o.reason.as_deref()), (PadesLevel::BLTA, Some("Approved")));
        assert!(o.placement.is_none());
        let o = pades_options(request(Some("B-B"), Some("   ")), false).unwrap().unwrap();
        assert_eq!((o.level, o.reason), (PadesLevel::BB, None));
    }

    #[test]
    fn pades_request_without_level_follows_the_tsa() {
        assert_eq!(pades_options(request(None, None), true).unwrap().unwrap().level, PadesLevel::BT);
        assert_eq!(pades_options(request(Some(""), None), false).unwrap().unwrap().level, PadesLevel::BB);
    }

    #[test]
    fn pades_request_with_an_unknown_level_is_refused() {
        let e = pades_options(request(Some("B-Z"), None), true).unwrap_err();
        assert_eq!((e.code.as_str(), e.exit), ("BAD_LEVEL", Some(2)), "the CLI's code and exit for the same level");
        assert!(e.message.contains("B-Z") && e.message.contains("B-LTA"), "{}", e.message);
    }

    #[test]
    fn the_seal_request_reads_with_or_without_pades() {
        let r: PadesRequest = serde_json::from_value(serde_json::json!({ "level": "B-T" })).unwrap();
        assert_eq!((r.level.as_deref(), r.reason), (Some("B-T"), None));
        let r: Option<PadesRequest> = serde_json::from_value(serde_json::Value::Null).unwrap();
        assert!(r.is_none());
    }
}
