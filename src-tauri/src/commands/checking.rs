//! The Verify and Export screens: verify a package (or a file through the vault), save the
//! report as PDF, export records into a package.

use std::path::PathBuf;

use evidentia::facade::{Verification, VerificationView, VerifyRequest};
use evidentia::package::export::ExportReport;
use evidentia::pades::PdfReport;
use evidentia::report::Lang;
use evidentia::verify::package::PackageReport;
use tauri::{AppHandle, Emitter, State};
use tauri_plugin_dialog::DialogExt;

use super::secret;
use crate::failure::{Answer, Failure};
use crate::progress::JobProgress;
use crate::state::AppState;

fn lang(text: &str) -> Result<Lang, Failure> {
    Lang::parse(text).ok_or_else(|| Failure::new("USAGE", format!("language {text}: choose zh-CN, en or both")))
}

/// Verifies a package from the package alone, or a file through the records the vault has of it.
#[tauri::command]
pub async fn verify(state: State<'_, AppState>, path: PathBuf) -> Answer<PackageReport> {
    state.require_granted(std::slice::from_ref(&path))?;
    let report = state.evidentia().verify(&path, &[], false, false).await?;
    state.keep_report(report.clone());
    Ok(report)
}

/// Verifies any evidence as `evidentia verify` does, told by its content: a package or ASiC
/// container, a PDF, a CMS signature, an RFC 3161 time-stamp or an OpenTimestamps proof; `file`
/// is the file detached evidence is over (`DATA_FILE_NEEDED` when it is needed and absent).
#[tauri::command]
pub async fn verify_evidence(
    state: State<'_, AppState>,
    path: PathBuf,
    file: Option<PathBuf>,
) -> Answer<VerificationView> {
    let paths: Vec<PathBuf> = std::iter::once(path.clone()).chain(file.clone()).collect();
    state.require_granted(&paths)?;
    let request = VerifyRequest {
        path: &path,
        file: file.as_deref(),
        trust: &[],
        accept_self_signed: false,
        online: false,
        revocation: &[],
        bitcoin_node: None,
        bitcoin_cookie: None,
    };
    let verification = state.evidentia().verify_evidence(&request).await?;
    if let Verification::Package(report) = &verification {
        state.keep_report(report.as_ref().clone());
    }
    Ok(verification.view())
}

/// Verifies every signature and document time-stamp inside a PDF (PAdES), with the same policy
/// as `verify`, as `evidentia pdf verify` does; a PDF without signatures answers INDETERMINATE.
#[tauri::command]
pub async fn verify_pdf(state: State<'_, AppState>, path: PathBuf) -> Answer<PdfReport> {
    state.require_granted(std::slice::from_ref(&path))?;
    let evidentia = state.evidentia();
    let report = tauri::async_runtime::spawn_blocking(move || evidentia.verify_pdf(&path, &[], false))
        .await
        .map_err(|e| Failure::new("APP_STATE", format!("the PDF check stopped unexpectedly: {e}; try again")))??;
    Ok(report)
}

/// Saves the report last shown as a PDF where the user chooses; `None` when cancelled.
#[tauri::command]
pub async fn save_report(app: AppHandle, state: State<'_, AppState>, lang: String) -> Answer<Option<PathBuf>> {
    let lang = self::lang(&lang)?;
    let evidentia = state.evidentia();
    let pdf = state
        .with_report(|r| evidentia.report_pdf(r, lang))
        .ok_or_else(|| Failure::new("NO_REPORT", "verify a package or a record first"))??;
    let Some(path) = app
        .dialog()
        .file()
        .set_file_name("verification-report.pdf")
        .add_filter("PDF", &["pdf"])
        .blocking_save_file()
        .and_then(|p| p.into_path().ok())
    else {
        return Ok(None);
    };
    std::fs::write(&path, pdf)
        .map_err(|e| Failure::new("REPORT_NOT_SAVED", format!("{}: cannot be written: {e}", path.display())))?;
    state.grant(std::slice::from_ref(&path));
    Ok(Some(path))
}

/// Exports records (or every record of `case`) into a package in the export folder, as
/// `evidentia export` does.
#[tauri::command]
#[allow(clippy::too_many_arguments)] // each argument is one field of the page's IPC call
pub async fn export(
    app: AppHandle,
    state: State<'_, AppState>,
    job: String,
    ids: Vec<String>,
    lang: String,
    identity: Option<String>,
    password: Option<String>,
    case: Option<String>,
) -> Answer<ExportReport> {
    let password = secret(password);
    let lang = self::lang(&lang)?;
    let evidentia = state.evidentia();
    let identity = match identity.filter(|n| !n.is_empty()) {
        Some(name) => Some(evidentia.unlock(&name, &password)?),
        None => None,
    };
    drop(password);
    let case = case.filter(|c| !c.trim().is_empty());
    let out = match &case {
        Some(case) => evidentia.new_case_export_path(case)?,
        None => evidentia.new_export_path()?,
    };
    let progress = JobProgress::new(app.clone(), &job, Default::default());
    progress.phase("exporting");
    let result = match &case {
        Some(case) => evidentia.export_case(case, &out, identity.as_ref(), lang).await,
        None => evidentia.export(&ids, &out, identity.as_ref(), lang).await,
    };
    progress.phase("done");
    let report = result?;
    state.grant(std::slice::from_ref(&out));
    let _ = app.emit("records-changed", ());
    Ok(report)
}
