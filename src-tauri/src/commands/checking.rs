//! The Verify and Export screens: verify a package (or a file through the vault), save the
//! report as PDF, export records into a package.

use std::path::PathBuf;

use evidentia::report::Lang;
use serde_json::Value;
use tauri::{AppHandle, Emitter, State};
use tauri_plugin_dialog::DialogExt;

use super::{secret, vault_for_reading, vault_for_writing};
use crate::failure::{Answer, Failure};
use crate::progress::JobProgress;
use crate::state::{AppState, vault_exists};

fn lang(text: &str) -> Result<Lang, Failure> {
    Lang::parse(text).ok_or_else(|| Failure::new("USAGE", format!("language {text}: choose zh-CN, en or both")))
}

/// Verifies a package from the package alone, or a file through the records the vault has of it.
#[tauri::command]
pub async fn verify(state: State<'_, AppState>, path: PathBuf) -> Answer<Value> {
    state.require_granted(std::slice::from_ref(&path))?;
    let config = state.config();
    let policy = config.verify_policy(&[], false, false)?;
    let report = if evidentia::verify::package::looks_like_package(&path) {
        evidentia::verify::package::verify_package(&path, &policy).await.map_err(evidentia::Error::from)?
    } else {
        let missing = || {
            Failure::new(
                "RECORD_NOT_FOUND",
                format!(
                    "{}: no record in this vault has this file's SHA-256 — it was not sealed here, or it was changed since",
                    path.display()
                ),
            )
        };
        if !vault_exists(&config.vault_dir(None)?) {
            return Err(missing());
        }
        let vault = vault_for_reading(&config).await?;
        let found = evidentia::verify::package::verify_file_in_vault(&vault, &path, &policy, config.profile).await;
        vault.close().await;
        found?.ok_or_else(missing)?
    };
    let value = serde_json::to_value(&report).unwrap_or_default();
    state.keep_report(report);
    Ok(value)
}

/// Verifies every signature and document time-stamp inside a PDF (PAdES), with the same policy
/// as `verify`, as `evidentia pdf verify` does; a PDF without signatures answers INDETERMINATE.
#[tauri::command]
pub async fn verify_pdf(state: State<'_, AppState>, path: PathBuf) -> Answer<Value> {
    state.require_granted(std::slice::from_ref(&path))?;
    let config = state.config();
    let policy = config.verify_policy(&[], false, false)?;
    let report = tauri::async_runtime::spawn_blocking(move || evidentia::pades::verify_pdf(&path, &policy.signatures))
        .await
        .map_err(|e| Failure::new("APP_STATE", format!("the PDF check stopped unexpectedly: {e}; try again")))??;
    Ok(serde_json::to_value(&report).unwrap_or_default())
}

/// Saves the report last shown as a PDF where the user chooses; `None` when cancelled.
#[tauri::command]
pub async fn save_report(app: AppHandle, state: State<'_, AppState>, lang: String) -> Answer<Option<PathBuf>> {
    let lang = self::lang(&lang)?;
    let now = evidentia::clock::now();
    let pdf = state
        .with_report(|r| evidentia::report::render(r, lang, &now))
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

/// Exports records into a package in the export folder, as `evidentia export` does.
#[tauri::command]
pub async fn export(
    app: AppHandle,
    state: State<'_, AppState>,
    job: String,
    ids: Vec<String>,
    lang: String,
    identity: Option<String>,
    password: Option<String>,
) -> Answer<Value> {
    let password = secret(password);
    let lang = self::lang(&lang)?;
    if ids.is_empty() {
        return Err(Failure::new("USAGE", "choose at least one record to export"));
    }
    let config = state.config();
    let policy = config.verify_policy(&[], false, false)?;
    let identity = match identity.filter(|n| !n.is_empty()) {
        Some(name) => Some(config.identity_store()?.unlock(&name, &password)?),
        None => None,
    };
    drop(password);
    let tsa = config.tsa_client(&[], &[])?;
    let dir = config.export_dir()?;
    std::fs::create_dir_all(&dir)
        .map_err(|e| Failure::new("EXPORT_FOLDER", format!("{}: cannot be created: {e}", dir.display())))?;
    let stamp = file_stamp(&evidentia::clock::now());
    let mut out = dir.join(format!("evidence-{stamp}.asice"));
    let mut n = 2;
    while out.exists() {
        out = dir.join(format!("evidence-{stamp}-{n}.asice"));
        n += 1;
    }
    let progress = JobProgress::new(app.clone(), &job, Default::default());
    progress.phase("exporting");
    let vault = vault_for_writing(&config).await?;
    let options = evidentia::package::export::ExportOptions {
        profile: config.profile,
        tsa: tsa.as_ref(),
        identity: identity.as_ref(),
        content_from: None,
        log_event: true,
        report: Some((&policy, lang)),
    };
    let result = evidentia::package::export::export(&vault, &ids, &out, &options).await;
    vault.close().await;
    progress.phase("done");
    let report = result?;
    state.grant(std::slice::from_ref(&out));
    let _ = app.emit("records-changed", ());
    Ok(serde_json::to_value(report).unwrap_or_default())
}

/// `2026-11-29T17:45:48.285051Z` → `20261129-174548`, for file names.
fn file_stamp(now: &str) -> String {
    let digits: String = now.chars().filter(char::is_ascii_digit).take(14).collect();
    match digits.len() {
        14 => format!("{}-{}", &digits[..8], &digits[8..]),
        _ => digits,
    }
}
