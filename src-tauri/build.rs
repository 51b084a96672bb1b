//! Reads tauri.conf.json and the capabilities, and declares the app's commands so that each
//! window is granted only the ones its capability lists.

const COMMANDS: &[&str] = &[
    "app_info",
    "initial_files",
    "pick_files",
    "pick_package",
    "pick_identity_file",
    "pick_folder",
    "seal",
    "cancel",
    "records",
    "record",
    "open_original",
    "reverify",
    "verify",
    "verify_pdf",
    "verify_evidence",
    "proof_status",
    "renew",
    "cases",
    "open_case",
    "change_case",
    "save_report",
    "export",
    "identities",
    "import_identity",
    "create_identity",
    "list_tokens",
    "add_token_identity",
    "identity_seal",
    "set_identity_seal",
    "set_identity_seal_image",
    "seal_preview",
    "appearance_preview",
    "read_document",
    "settings",
    "save_settings",
    "sync",
];

fn main() {
    pack_relative_relocations();
    let manifest = tauri_build::AppManifest::new().commands(COMMANDS);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest))
        .unwrap_or_else(|e| panic!("tauri build step failed: {e:#}"));
}

/// Release builds for GNU/Linux pack the relative relocations of the position-independent binary
/// (DT_RELR, glibc 2.36 and later): 1.5 MB less than a table of one entry per pointer
/// (BENCHMARKS.md, "Desktop app").
fn pack_relative_relocations() {
    let var = |name: &str| std::env::var(name).unwrap_or_default();
    if var("PROFILE") == "release" && var("CARGO_CFG_TARGET_OS") == "linux" && var("CARGO_CFG_TARGET_ENV") == "gnu" {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
}
