//! The Vault screen: the records with their proofs, one record's details, its original, and its
//! re-verification.

use evidentia::vault::RecordQuery;
use serde_json::{Value, json};
use tauri::{AppHandle, State};
use tauri_plugin_opener::OpenerExt;

use super::vault_for_reading;
use crate::failure::{Answer, Failure};
use crate::state::{AppState, vault_exists};

/// One page of the records, newest first, with what each has and what it waits for, and how
/// many match in all (`query`: search text, offset, limit). Only the page is read.
#[tauri::command]
pub async fn records(state: State<'_, AppState>, query: Option<RecordQuery>) -> Answer<Value> {
    let config = state.config();
    let dir = config.vault_dir(None)?;
    let mut query = query.unwrap_or_default();
    query.newest_first = true;
    if query.limit == 0 {
        query.limit = DEFAULT_PAGE;
    }
    if !vault_exists(&dir) {
        return Ok(json!({ "vault": dir, "records": [], "total": 0, "offset": 0 }));
    }
    let anchoring = config.evm.rpc.is_some() || config.ots_settings().is_some();
    let vault = vault_for_reading(&config).await?;
    let page = vault.record_page(&query, anchoring).await;
    let shown = vault.location().to_owned();
    vault.close().await;
    let page = page?;
    Ok(json!({ "vault": shown, "records": page.rows, "total": page.total, "offset": page.offset }))
}

/// Records per page when the page does not say.
const DEFAULT_PAGE: u64 = 100;

/// One record with its signatures, time-stamps, anchor and custody events.
#[tauri::command]
pub async fn record(state: State<'_, AppState>, id: String) -> Answer<Value> {
    let vault = vault_for_reading(&state.config()).await?;
    let detail = vault.record(&id).await;
    vault.close().await;
    Ok(serde_json::to_value(detail?).unwrap_or_default())
}

/// Opens the sealed file with the system's program: where it was sealed from, else the vault's copy.
#[tauri::command]
pub async fn open_original(app: AppHandle, state: State<'_, AppState>, id: String) -> Answer<String> {
    let vault = vault_for_reading(&state.config()).await?;
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
    app.opener()
        .open_path(target.to_string_lossy(), None::<&str>)
        .map_err(|e| Failure::new("OPEN_FAILED", format!("{}: no program opened it: {e}", target.display())))?;
    Ok(target.display().to_string())
}

/// Verifies a record as the vault holds it, through the same checks as a package.
#[tauri::command]
pub async fn reverify(state: State<'_, AppState>, id: String) -> Answer<Value> {
    let config = state.config();
    let policy = config.verify_policy(&[], false, false)?;
    let vault = vault_for_reading(&config).await?;
    let report = match vault.record(&id).await {
        Ok(detail) => {
            evidentia::verify::package::verify_records_in_vault(
                &vault,
                &[detail.record.id],
                None,
                &policy,
                config.profile,
            )
            .await
        }
        Err(e) => Err(e.into()),
    };
    vault.close().await;
    let report = report?;
    let value = serde_json::to_value(&report).unwrap_or_default();
    state.keep_report(report);
    Ok(value)
}
