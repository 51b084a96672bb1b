//! The Evidentia desktop app: opens the window, registers the commands, hands dropped files to the page.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod failure;
mod progress;
mod state;

use tauri::{Emitter, Manager};

use crate::state::AppState;

fn main() {
    // Files given on the command line (a file manager's "Open with") start in the seal queue.
    let initial = std::env::args_os().skip(1).map(std::path::PathBuf::from).filter(|p| p.exists()).collect();
    let app_state = AppState::load(initial);
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .manage(app_state)
        .setup(|app| {
            // The report and signature font is installed with the app's resources.
            if let Ok(dir) = app.path().resource_dir() {
                evidentia::font::use_resource_dir(&dir);
            }
            state::start_retries(app.handle().clone());
            if let Some(window) = app.get_webview_window("main") {
                software_painting(&window);
            }
            Ok(())
        })
        .on_window_event(|window, event| {
            if let tauri::WindowEvent::DragDrop(tauri::DragDropEvent::Drop { paths, .. }) = event {
                window.state::<AppState>().grant(paths);
                let _ = window.emit("files-dropped", serde_json::json!({ "paths": paths }));
            }
        })
        .invoke_handler(tauri::generate_handler![
            commands::settings::app_info,
            commands::settings::settings,
            commands::settings::save_settings,
            commands::files::initial_files,
            commands::files::pick_files,
            commands::files::pick_package,
            commands::files::pick_identity_file,
            commands::files::pick_folder,
            commands::sealing::seal,
            commands::sealing::cancel,
            commands::sealing::sync,
            commands::records::records,
            commands::records::record,
            commands::records::open_original,
            commands::records::reverify,
            commands::checking::verify,
            commands::checking::verify_pdf,
            commands::checking::verify_evidence,
            commands::records::proof_status,
            commands::records::renew,
            commands::records::cases,
            commands::records::open_case,
            commands::records::change_case,
            commands::checking::save_report,
            commands::checking::export,
            commands::identities::identities,
            commands::identities::import_identity,
            commands::identities::create_identity,
            commands::identities::list_tokens,
            commands::identities::add_token_identity,
            commands::identities::identity_seal,
            commands::identities::set_identity_seal,
            commands::identities::set_identity_seal_image,
            commands::identities::seal_preview,
            commands::identities::appearance_preview,
            commands::files::read_document,
        ])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("evidentia-app: cannot start the window: {e}");
        std::process::exit(1);
    }
}

/// Paints the page without accelerated compositing. The screens are forms and lists: on a machine
/// without a GPU (a VM, a remote desktop) compositing runs on Mesa's software GL, which compiles
/// shaders at the first start (a second before the page shows) and repaints every progress update
/// through it; painting in software costs neither (BENCHMARKS.md, "Desktop app").
/// `EVIDENTIA_APP_COMPOSITING=1` keeps WebKit's default: WebKitWebDriver's screenshots, which the
/// end-to-end tests take at every step, wait forever on a page painted in software.
#[cfg(target_os = "linux")]
fn software_painting(window: &tauri::WebviewWindow) {
    use webkit2gtk::{HardwareAccelerationPolicy, SettingsExt, WebViewExt};
    if std::env::var_os("EVIDENTIA_APP_COMPOSITING").is_some_and(|v| v == "1") {
        return;
    }
    let _ = window.with_webview(|webview| {
        if let Some(settings) = WebViewExt::settings(&webview.inner()) {
            settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
        }
    });
}

#[cfg(not(target_os = "linux"))]
fn software_painting(_window: &tauri::WebviewWindow) {}
