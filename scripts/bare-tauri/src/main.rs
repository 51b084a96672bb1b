//! A bare Tauri 2 app: one window showing a static page, nothing else.

fn main() {
    tauri::Builder::default()
        .run(tauri::generate_context!())
        .unwrap_or_else(|e| panic!("bare-tauri: cannot start the window: {e}"));
}
