//! The Seal screen: seal what the user handed over, with progress and cancellation; complete
//! pending proofs.

use std::path::PathBuf;
use std::sync::Arc;

use evidentia::config::Config;
use evidentia::seal::SealOptions;
use evidentia::subject::{WalkPolicy, plan};
use serde_json::{Value, json};
use tauri::{AppHandle, Emitter, State};

use super::{secret, vault_for_writing};
use crate::failure::{Answer, Failure};
use crate::progress::JobProgress;
use crate::state::AppState;

/// Seals files and folders (a folder is one work) into the vault, as `evidentia seal` does.
#[tauri::command]
pub async fn seal(
    app: AppHandle,
    state: State<'_, AppState>,
    job: String,
    paths: Vec<PathBuf>,
    identity: Option<String>,
    password: Option<String>,
) -> Answer<Value> {
    let password = secret(password);
    state.require_granted(&paths)?;
    let config = state.config();
    let subjects = plan(&paths, WalkPolicy { skip_special: false, each: false })?;
    let ledgers = if config.evm.batch_after_records > 0 { config.ledgers()? } else { Default::default() };
    let identity = match identity.filter(|n| !n.is_empty()) {
        Some(name) => Some(Arc::new(config.identity_store()?.unlock(&name, &password)?)),
        None => None,
    };
    drop(password);
    let tsa = config.tsa_client(&[], &[])?;
    let options = SealOptions {
        algorithms: config.seal.algorithms.clone(),
        copy: config.seal.copy,
        profile: config.profile,
        timestamp: tsa.is_some(),
        identity,
        pades: None,
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
    progress.phase("anchoring");
    let anchored = evidentia::anchor::after_seal(&vault, config.evm.batch_after_records, &ledgers).await;
    let vault_dir = vault.dir().to_owned();
    vault.close().await;
    progress.phase("done");
    let _ = app.emit("records-changed", ());
    Ok(json!({
        "profile": config.profile.as_str(),
        "notice": config.profile.notice(),
        "vault": vault_dir,
        "records": report.records,
        "earlier_pending": report.earlier_pending,
        "anchors": anchored.ok().flatten(),
    }))
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
