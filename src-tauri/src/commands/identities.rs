//! The Identities screen: list, import a PKCS #12 file, make a self-made identity, use a key on a
//! PKCS #11 token.

use std::path::PathBuf;

use evidentia::identity::{IdentityInfo, TokenKeyRef, TokenSlot};
use serde::Serialize;
use tauri::State;

use super::secret;
use crate::failure::{Answer, Failure};
use crate::state::AppState;

/// The identity store and what it holds.
#[derive(Debug, Serialize)]
pub struct Identities {
    /// The store's folder.
    store: PathBuf,
    /// Each identity, without unlocking it.
    identities: Vec<IdentityInfo>,
}

/// A PKCS #11 module's slots.
#[derive(Debug, Serialize)]
pub struct TokenSlots {
    /// The module.
    module: PathBuf,
    /// Its slots and the tokens in them.
    slots: Vec<TokenSlot>,
}

/// The stored identities.
#[tauri::command]
pub async fn identities(state: State<'_, AppState>) -> Answer<Identities> {
    let store = state.evidentia().identities()?;
    let identities = store.list()?;
    Ok(Identities { store: store.dir().to_owned(), identities })
}

/// Imports a PKCS #12 file the user chose; it is kept encrypted, as given.
#[tauri::command]
pub async fn import_identity(
    state: State<'_, AppState>,
    path: PathBuf,
    name: Option<String>,
    password: Option<String>,
) -> Answer<IdentityInfo> {
    let password = secret(password);
    state.require_granted(std::slice::from_ref(&path))?;
    let name = name
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default());
    Ok(state.evidentia().identities()?.import(&path, name.trim(), &password)?)
}

/// Makes an ECDSA P-256 key and a self-signed certificate.
#[tauri::command]
pub async fn create_identity(
    state: State<'_, AppState>,
    name: String,
    email: Option<String>,
    password: Option<String>,
) -> Answer<IdentityInfo> {
    let password = secret(password);
    let email = email.filter(|e| !e.trim().is_empty());
    let id = evidentia::identity::name_for(&name);
    Ok(state.evidentia().identities()?.create_self_made(&id, name.trim(), email.as_deref(), &password)?)
}

/// The slots and tokens of a PKCS #11 module, with what is readable without a PIN.
#[tauri::command]
pub async fn list_tokens(state: State<'_, AppState>, module: PathBuf) -> Answer<TokenSlots> {
    let config = state.config();
    let slots = evidentia::identity::list_tokens(&module, config.token_timeout())
        .map_err(evidentia::identity::IdentityError::from)?;
    Ok(TokenSlots { module, slots })
}

/// Adds a key on a token as an identity (the PIN is asked once, to check the key).
#[tauri::command]
pub async fn add_token_identity(
    state: State<'_, AppState>,
    module: PathBuf,
    token: String,
    key_label: String,
    name: Option<String>,
    pin: Option<String>,
) -> Answer<IdentityInfo> {
    let pin = secret(pin);
    if key_label.trim().is_empty() {
        return Err(Failure::new("USAGE", "choose the key on the token"));
    }
    let name = name.filter(|n| !n.trim().is_empty()).unwrap_or_else(|| key_label.clone());
    let reference = TokenKeyRef { module, token, key_label: Some(key_label), key_id: None };
    Ok(state.evidentia().identities()?.add_token(&name, reference, Vec::new(), pin)?)
}
