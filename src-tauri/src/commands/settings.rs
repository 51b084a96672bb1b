//! The Settings screen and what the page needs to know at start: profile, folders, language, theme.

use std::path::PathBuf;

use evidentia::config::{Config, ProfileName};
use evidentia::vault::{VaultLocation, is_postgres_url, without_password};
use serde::{Deserialize, Serialize};
use tauri::State;

use crate::failure::{Answer, Failure};
use crate::state::AppState;

/// The settings the page edits.
#[derive(Debug, Serialize, Deserialize)]
pub struct Settings {
    profile: ProfileName,
    tsa_urls: Vec<String>,
    evm_rpc: Option<String>,
    anchor_after: u64,
    vault_dir: Option<PathBuf>,
    language: Option<String>,
    theme: String,
    /// The settings an environment variable overrides now (what is saved applies without it).
    #[serde(default, skip_deserializing)]
    overridden: Vec<&'static str>,
}

impl Settings {
    fn of(c: &Config) -> Self {
        Settings {
            profile: c.profile,
            tsa_urls: c.tsa.urls.clone(),
            evm_rpc: c.evm.rpc.clone(),
            anchor_after: c.evm.batch_after_records,
            vault_dir: c.vault.clone(),
            language: c.app.language.clone(),
            theme: c.app.theme.clone(),
            overridden: Vec::new(),
        }
    }
}

/// What the page needs to know at start.
#[derive(Debug, Serialize)]
pub struct AppInfo {
    /// The app's version.
    version: &'static str,
    /// The profile in force.
    profile: ProfileName,
    /// The notice its outputs carry.
    notice: Option<&'static str>,
    /// The vault (a team vault's URL without its password).
    vault_dir: Option<PathBuf>,
    /// The configuration file.
    config_file: Option<PathBuf>,
    /// Why the configuration file could not be used.
    config_error: Option<String>,
    /// Where packages are exported.
    export_dir: Option<PathBuf>,
    /// The chosen language, or none to follow the system.
    language: Option<String>,
    /// `system`, `light` or `dark`.
    theme: String,
    /// Whether a time-stamping service is configured: without one, records get no time-stamp.
    timestamping: bool,
}

/// The profile, folders and preferences in force.
#[tauri::command]
pub fn app_info(state: State<'_, AppState>) -> Answer<AppInfo> {
    let config = state.config();
    Ok(AppInfo {
        version: env!("CARGO_PKG_VERSION"),
        profile: config.profile,
        notice: config.profile.notice(),
        vault_dir: config.vault_dir(None).ok().map(|v| without_password(&v)),
        config_file: Config::file(),
        config_error: state.config_error(),
        export_dir: config.export_dir().ok(),
        timestamping: config.tsa_settings(&[]).is_ok_and(|t| !t.endpoints.is_empty()),
        language: config.app.language,
        theme: config.app.theme,
    })
}

/// The settings as the configuration file has them, naming those the environment overrides; a
/// team vault's URL without its password.
#[tauri::command]
pub fn settings(state: State<'_, AppState>) -> Answer<Settings> {
    let file = match Config::file() {
        Some(path) => Config::from_file(&path)?,
        None => Config::default(),
    };
    let mut shown = Settings::of(&file);
    let now = Settings::of(&state.config());
    shown.overridden = [
        ("profile", shown.profile != now.profile),
        ("tsa_urls", shown.tsa_urls != now.tsa_urls),
        ("evm_rpc", shown.evm_rpc != now.evm_rpc),
        ("anchor_after", shown.anchor_after != now.anchor_after),
        ("vault_dir", shown.vault_dir != now.vault_dir),
    ]
    .into_iter()
    .filter_map(|(name, differs)| differs.then_some(name))
    .collect();
    shown.vault_dir = shown.vault_dir.map(|v| without_password(&v));
    Ok(shown)
}

/// Writes the settings into the configuration file and puts them in force (environment
/// variables still override the file).
#[tauri::command]
pub async fn save_settings(state: State<'_, AppState>, settings: Settings) -> Answer<AppInfo> {
    let path =
        Config::file().ok_or_else(|| Failure::new("CONFIG_NO_HOME", "no home folder to keep the settings in"))?;
    let mut file = Config::from_file(&path)?;
    let vault = match settings.vault_dir {
        Some(v) => Some(vault_to_save(&state, [file.vault.as_ref(), state.config().vault.as_ref()], v)?),
        None => None,
    };
    if settings.language.as_deref().is_some_and(|l| l != "zh-CN" && l != "en") {
        return Err(Failure::new("USAGE", "language: choose zh-CN or en, or none to follow the system"));
    }
    if !["system", "light", "dark"].contains(&settings.theme.as_str()) {
        return Err(Failure::new("USAGE", "theme: choose system, light or dark"));
    }
    file.profile = settings.profile;
    file.tsa.urls = settings.tsa_urls.into_iter().map(|u| u.trim().to_owned()).filter(|u| !u.is_empty()).collect();
    file.evm.rpc = settings.evm_rpc.filter(|r| !r.trim().is_empty());
    file.evm.batch_after_records = settings.anchor_after;
    file.vault = vault;
    file.app.language = settings.language;
    file.app.theme = settings.theme;
    file.save(&path)?;
    state.reload()?;
    app_info(state)
}

/// The vault to save: the one configured when `given` is it or its shown form (a team vault keeps
/// its password), else a team vault's URL that can be used, else a folder the user chose.
fn vault_to_save(state: &AppState, configured: [Option<&PathBuf>; 2], given: PathBuf) -> Answer<PathBuf> {
    if let Some(same) = configured.into_iter().flatten().find(|c| **c == given || without_password(c) == given) {
        return Ok(same.clone());
    }
    if given.to_str().is_some_and(is_postgres_url) {
        VaultLocation::parse(&given)?;
    } else {
        state.require_granted(std::slice::from_ref(&given))?;
    }
    Ok(given)
}
