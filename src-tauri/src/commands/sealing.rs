//! The Seal screen: seal what the user handed over, with progress and cancellation; complete
//! pending proofs.

use std::path::PathBuf;
use std::sync::Arc;

use evidentia::facade::{PadesRequest, SealRequest, Sealed};
use evidentia::pending::Completed;
use evidentia::subject::{WalkPolicy, plan};
use tauri::{AppHandle, Emitter, State};

use super::secret;
use crate::failure::{Answer, Failure};
use crate::progress::JobProgress;
use crate::state::AppState;

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
) -> Answer<Sealed> {
    let password = secret(password);
    state.require_granted(&paths)?;
    let evidentia = state.evidentia();
    let subjects = plan(&paths, WalkPolicy { skip_special: false, each: false })?;
    let identity = match identity.filter(|n| !n.is_empty()) {
        Some(name) => Some(Arc::new(evidentia.unlock(&name, &password)?)),
        None => None,
    };
    drop(password);
    let request = SealRequest { subjects, algorithms: None, keep_copy: true, identity, pades };
    let cancel = state.start_job(&job)?;
    let progress = JobProgress::new(app.clone(), &job, cancel);
    let sealed = evidentia.seal(request, &progress).await;
    state.end_job(&job);
    let _ = app.emit("records-changed", ());
    let mut sealed = sealed?;
    // The signed copies were written beside files the user chose; they may be opened and verified.
    let signed: Vec<PathBuf> = sealed.report.signed_pdfs.iter().map(|s| s.output.clone()).collect();
    state.grant(&signed);
    // As the CLI does: the records are sealed, but an anchoring that could not run is the seal's failure.
    match sealed.anchoring_failed.take() {
        Some(e) => Err(e.into()),
        None => Ok(sealed),
    }
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

/// Completes pending time-stamps and anchors now, as `evidentia sync` does; `None` when no TSA
/// and no ledger is configured.
#[tauri::command]
pub async fn sync(app: AppHandle, state: State<'_, AppState>) -> Answer<Option<Completed>> {
    let done = state.evidentia().sync(false).await?;
    let _ = app.emit("records-changed", ());
    Ok(done)
}
