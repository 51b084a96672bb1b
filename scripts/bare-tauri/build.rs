//! Reads tauri.conf.json, as every Tauri app's build script does.

fn main() {
    tauri_build::build();
}
