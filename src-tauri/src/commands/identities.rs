//! The Identities screen: list, import a PKCS #12 file, make a self-made identity, use a key on a
//! PKCS #11 token.

use std::path::PathBuf;

use evidentia::identity::{CompanySeal, IdentityInfo, IdentitySeal, KeyAlgorithm, TokenKeyRef, TokenSlot};
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

/// Makes a key (`p256`, the default, or `sm2`) and a self-signed certificate.
#[tauri::command]
pub async fn create_identity(
    state: State<'_, AppState>,
    name: String,
    email: Option<String>,
    password: Option<String>,
    algorithm: Option<String>,
) -> Answer<IdentityInfo> {
    let password = secret(password);
    let email = email.filter(|e| !e.trim().is_empty());
    let algorithm = match algorithm.as_deref() {
        None => KeyAlgorithm::default(),
        Some(text) => KeyAlgorithm::parse(text)
            .ok_or_else(|| Failure::new("USAGE", format!("key algorithm `{text}`: choose p256 or sm2")))?,
    };
    let id = evidentia::identity::name_for(&name);
    Ok(state.evidentia().identities()?.create_self_made(&id, algorithm, name.trim(), email.as_deref(), &password)?)
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

/// The seal an identity stamps with, in words.
#[derive(Debug, Serialize)]
pub struct SealView {
    /// The identity.
    identity: String,
    /// `generated` or `image`; absent when it has none.
    kind: Option<&'static str>,
    /// What it shows (`company seal 深圳某某有限公司 · 合同专用章`).
    seal: Option<String>,
    /// A generated seal's texts, for its preview.
    organisation: Option<String>,
    title: Option<String>,
    code: Option<String>,
}

fn seal_view(identity: String, seal: Option<&IdentitySeal>) -> SealView {
    let kind = seal.map(|s| match s {
        IdentitySeal::Generated(_) => "generated",
        IdentitySeal::Image(_) => "image",
    });
    let generated = match seal {
        Some(IdentitySeal::Generated(g)) => Some(g),
        _ => None,
    };
    SealView {
        identity,
        kind,
        seal: seal.map(IdentitySeal::describe),
        organisation: generated.map(|g| g.organisation().to_owned()),
        title: generated.and_then(|g| g.title().map(str::to_owned)),
        code: generated.and_then(|g| g.code().map(str::to_owned)),
    }
}

/// The seal kept with an identity.
#[tauri::command]
pub async fn identity_seal(state: State<'_, AppState>, identity: String) -> Answer<SealView> {
    let seal = state.evidentia().identities()?.seal(&identity)?;
    Ok(seal_view(identity, seal.as_ref()))
}

/// Keeps a generated company seal with an identity.
#[tauri::command]
pub async fn set_identity_seal(
    state: State<'_, AppState>,
    identity: String,
    organisation: String,
    title: Option<String>,
    code: Option<String>,
) -> Answer<SealView> {
    let seal = CompanySeal::new(&organisation, title.as_deref(), code.as_deref()).map_err(evidentia::Error::from)?;
    let seal = IdentitySeal::Generated(seal);
    state.evidentia().identities()?.set_seal(&identity, &seal)?;
    Ok(seal_view(identity, Some(&seal)))
}

/// Keeps an image as the identity's seal: a handwritten signature drawn in the window (PNG bytes),
/// or a PNG or JPEG file the user chose (`path`, granted).
#[tauri::command]
pub async fn set_identity_seal_image(
    state: State<'_, AppState>,
    identity: String,
    image: Option<Vec<u8>>,
    path: Option<PathBuf>,
) -> Answer<SealView> {
    let seal = match (image, path) {
        (Some(bytes), _) => IdentitySeal::image(std::path::Path::new("the drawn signature"), bytes)?,
        (None, Some(path)) => {
            state.require_granted(std::slice::from_ref(&path))?;
            let bytes = std::fs::read(&path)
                .map_err(|e| evidentia::subject::InputError::Unreadable { path: path.clone(), source: e })?;
            IdentitySeal::image(&path, bytes)?
        }
        (None, None) => return Err(Failure::new("USAGE", "give the image: draw it or choose a PNG or JPEG file")),
    };
    state.evidentia().identities()?.set_seal(&identity, &seal)?;
    Ok(seal_view(identity, Some(&seal)))
}

/// What a visible signature by `identity` will look like in a `width` × `height` point box as the
/// page shows it (the appearance signing draws), as a one-page PDF for the document view.
#[tauri::command]
pub async fn appearance_preview(
    state: State<'_, AppState>,
    identity: String,
    width: f32,
    height: f32,
    reason: Option<String>,
    seal: bool,
) -> Answer<tauri::ipc::Response> {
    if !(width.is_finite()
        && height.is_finite()
        && width >= 20.0
        && height >= 10.0
        && width <= 14400.0
        && height <= 14400.0)
    {
        return Err(Failure::new("USAGE", format!("a {width} × {height} point box cannot hold a signature")));
    }
    let pdf = state.evidentia().appearance_preview(&identity, width, height, reason.as_deref(), seal)?;
    Ok(tauri::ipc::Response::new(pdf))
}

/// What a company seal with these texts looks like: a one-page PDF for the document view.
#[tauri::command]
pub async fn seal_preview(
    organisation: String,
    title: Option<String>,
    code: Option<String>,
) -> Answer<tauri::ipc::Response> {
    let seal = CompanySeal::new(&organisation, title.as_deref(), code.as_deref()).map_err(evidentia::Error::from)?;
    Ok(tauri::ipc::Response::new(seal.render_pdf(SEAL_PREVIEW_POINTS).map_err(evidentia::Error::from)?))
}

/// The preview's diameter, in points.
const SEAL_PREVIEW_POINTS: f32 = 120.0;
