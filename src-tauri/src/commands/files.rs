//! Files the user hands to the app: native dialogs and the command line. Every path returned is
//! granted; commands refuse paths that were not.

use std::path::PathBuf;

use tauri::{AppHandle, State};
use tauri_plugin_dialog::{DialogExt, FilePath};

use crate::failure::{Answer, Failure};
use crate::state::AppState;

fn paths(chosen: Option<Vec<FilePath>>) -> Vec<PathBuf> {
    chosen.unwrap_or_default().into_iter().filter_map(|p| p.into_path().ok()).collect()
}

/// Files given on the command line.
#[tauri::command]
pub fn initial_files(state: State<'_, AppState>) -> Vec<PathBuf> {
    state.initial().to_vec()
}

/// Files (or folders) to seal, from the native dialog; empty when cancelled.
#[tauri::command]
pub async fn pick_files(app: AppHandle, state: State<'_, AppState>, folders: bool) -> Answer<Vec<PathBuf>> {
    let dialog = app.dialog().file();
    let chosen = if folders { paths(dialog.blocking_pick_folders()) } else { paths(dialog.blocking_pick_files()) };
    state.grant(&chosen);
    Ok(chosen)
}

/// A package to verify, or any file to look up in the vault.
#[tauri::command]
pub async fn pick_package(app: AppHandle, state: State<'_, AppState>) -> Answer<Option<PathBuf>> {
    let chosen = app
        .dialog()
        .file()
        .add_filter("Evidence package", &["asice", "sce", "zip"])
        .add_filter("Any file", &["*"])
        .blocking_pick_file()
        .and_then(|p| p.into_path().ok());
    state.grant(chosen.as_slice());
    Ok(chosen)
}

/// A PKCS #12 file to import.
#[tauri::command]
pub async fn pick_identity_file(app: AppHandle, state: State<'_, AppState>) -> Answer<Option<PathBuf>> {
    let chosen = app
        .dialog()
        .file()
        .add_filter("PKCS #12", &["p12", "pfx"])
        .blocking_pick_file()
        .and_then(|p| p.into_path().ok());
    state.grant(chosen.as_slice());
    Ok(chosen)
}

/// A folder for the vault.
#[tauri::command]
pub async fn pick_folder(app: AppHandle, state: State<'_, AppState>) -> Answer<Option<PathBuf>> {
    let chosen = app.dialog().file().blocking_pick_folder().and_then(|p| p.into_path().ok());
    state.grant(chosen.as_slice());
    Ok(chosen)
}

/// The largest document the view loads whole (a PDF is read into the page for pdf.js).
const DOCUMENT_LIMIT: u64 = 256 * 1024 * 1024;

/// The bytes of a PDF the user chose, for the document view.
#[tauri::command]
pub async fn read_document(state: State<'_, AppState>, path: PathBuf) -> Answer<tauri::ipc::Response> {
    state.require_granted(std::slice::from_ref(&path))?;
    let unreadable = |e: std::io::Error| evidentia::subject::InputError::Unreadable { path: path.clone(), source: e };
    let size = std::fs::metadata(&path).map_err(unreadable)?.len();
    if size > DOCUMENT_LIMIT {
        return Err(Failure::new(
            "DOCUMENT_TOO_LARGE",
            format!(
                "{}: {} MiB is more than the document view shows ({} MiB); it can still be sealed and signed",
                path.display(),
                size / (1024 * 1024),
                DOCUMENT_LIMIT / (1024 * 1024)
            ),
        ));
    }
    let bytes = std::fs::read(&path).map_err(unreadable)?;
    Ok(tauri::ipc::Response::new(bytes))
}
