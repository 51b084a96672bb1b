//! The Vault screen: the records with their proofs, one record's details, its original, its
//! re-verification, and cases.

use std::path::PathBuf;

use evidentia::vault::{CaseChange, CaseSummary, RecordDetail, RecordQuery, RecordRow};
use evidentia::verify::package::PackageReport;
use serde::Serialize;
use tauri::{AppHandle, Emitter, State};

use crate::failure::{Answer, Failure};
use crate::state::AppState;

/// One page of the vault's records, as the Vault screen shows it.
#[derive(Debug, Serialize)]
pub struct RecordsPage {
    /// The vault (a team vault's URL without its password).
    vault: PathBuf,
    /// The page, newest first.
    records: Vec<RecordRow>,
    /// How many records match in all.
    total: u64,
    /// Where the page starts.
    offset: u64,
}

/// One page of the records, newest first, with what each has and what it waits for, and how
/// many match in all (`query`: search text, offset, limit). Only the page is read.
#[tauri::command]
pub async fn records(state: State<'_, AppState>, query: Option<RecordQuery>) -> Answer<RecordsPage> {
    let evidentia = state.evidentia();
    let config = evidentia.config();
    let mut query = query.unwrap_or_default();
    query.newest_first = true;
    if query.limit == 0 {
        query.limit = DEFAULT_PAGE;
    }
    if !evidentia.has_vault()? {
        return Ok(RecordsPage { vault: evidentia.vault_dir()?, records: Vec::new(), total: 0, offset: 0 });
    }
    let anchoring = config.evm.rpc.is_some() || config.ots_settings().is_some();
    let vault = evidentia.vault_for_reading().await?;
    let page = vault.record_page(&query, anchoring).await;
    let shown = vault.location().to_owned();
    vault.close().await;
    let page = page?;
    Ok(RecordsPage { vault: shown, records: page.rows, total: page.total, offset: page.offset })
}

/// Every case, with how many records each holds.
#[tauri::command]
pub async fn cases(state: State<'_, AppState>) -> Answer<Vec<CaseSummary>> {
    Ok(state.evidentia().cases().await?)
}

/// Opens a new case.
#[tauri::command]
pub async fn open_case(app: AppHandle, state: State<'_, AppState>, name: String) -> Answer<CaseSummary> {
    let opened = state.evidentia().open_case(&name).await?;
    let _ = app.emit("records-changed", ());
    Ok(opened)
}

/// Adds records to a case (`add`), or removes them from it.
#[tauri::command]
pub async fn change_case(
    app: AppHandle,
    state: State<'_, AppState>,
    name: String,
    ids: Vec<String>,
    add: bool,
) -> Answer<CaseChange> {
    let changed = state.evidentia().change_case(&name, &ids, add).await?;
    let _ = app.emit("records-changed", ());
    Ok(changed)
}

/// Records per page when the page does not say.
const DEFAULT_PAGE: u64 = 100;

/// One record with its signatures, time-stamps, anchor and custody events.
#[tauri::command]
pub async fn record(state: State<'_, AppState>, id: String) -> Answer<RecordDetail> {
    let vault = state.evidentia().vault_for_reading().await?;
    let detail = vault.record(&id).await;
    vault.close().await;
    Ok(detail?)
}

/// Opens the sealed file with the system's program: where it was sealed from, else the vault's copy.
#[tauri::command]
pub async fn open_original(state: State<'_, AppState>, id: String) -> Answer<String> {
    let vault = state.evidentia().vault_for_reading().await?;
    let detail = vault.record(&id).await;
    let copy = detail.as_ref().ok().map(|d| vault.blobs().path_for(&d.record.sha256_hex()));
    vault.close().await;
    let detail = detail?;
    let source = std::path::PathBuf::from(&detail.record.source_path);
    let target = if source.exists() {
        source
    } else if let Some(copy) = copy.filter(|c| detail.record.stored && c.exists()) {
        // The vault's copy is opened from a temporary file under the record's name, read-only.
        let dir = std::env::temp_dir().join(format!("evidentia-open-{}", detail.record.id));
        let file = dir.join(&detail.record.name);
        std::fs::create_dir_all(&dir).and_then(|()| std::fs::copy(&copy, &file)).map_err(|e| {
            Failure::new("OPEN_FAILED", format!("{}: cannot copy the vault's copy out: {e}", file.display()))
        })?;
        file
    } else {
        return Err(Failure::new(
            "ORIGINAL_GONE",
            format!(
                "{} is no longer at {} and the vault keeps no copy of it (sealed without a copy)",
                detail.record.name, detail.record.source_path
            ),
        ));
    };
    open::that_detached(&target)
        .map_err(|e| Failure::new("OPEN_FAILED", format!("{}: no program opened it: {e}", target.display())))?;
    Ok(target.display().to_string())
}

/// Verifies a record as the vault holds it, through the same checks as a package.
#[tauri::command]
pub async fn reverify(state: State<'_, AppState>, id: String) -> Answer<PackageReport> {
    let report = state.evidentia().verify_record(&id).await?;
    state.keep_report(report.clone());
    Ok(report)
}

/// How the vault's proofs stand: counts by when their newest proof weakens, for the Vault
/// screen's renewal line.
#[tauri::command]
pub async fn proof_status(state: State<'_, AppState>) -> Answer<evidentia::renew::ProofStatus> {
    Ok(state.evidentia().proof_status().await?.0)
}

/// Renews every proof that weakens within two years (RFC 4998 evidence records), as
/// `evidentia renew` does; tells the page when it wrote something.
#[tauri::command]
pub async fn renew(app: AppHandle, state: State<'_, AppState>) -> Answer<evidentia::renew::RenewalSummary> {
    let done = state.evidentia().renew(&evidentia::renew::RenewOptions::default()).await?;
    if !done.stamps.is_empty() {
        use tauri::Emitter;
        let _ = app.emit("records-changed", ());
    }
    Ok(done)
}
