//! PKCS #11 tokens (USB keys, smart cards, HSMs): lists slots and tokens, finds a key by label or
//! id, and signs with it from one worker thread per token session, every call bounded by a timeout.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::AuthPin;
use der::Decode;
use der::asn1::ObjectIdentifier;
use serde::{Deserialize, Serialize};
use x509_cert::Certificate;
use zeroize::Zeroizing;

use evidentia_formats::digest::DigestAlgorithm;

/// How long one call into a token may take before Evidentia gives up on it.
pub const DEFAULT_TOKEN_TIMEOUT: Duration = Duration::from_secs(30);

const P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const P384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");

/// Why a token cannot be used. Messages name the module, token or key and never hold the PIN.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// The module file is not there.
    #[error(
        "PKCS #11 module {}: no such file; install the token's driver (middleware) or give its library with --module",
        .0.display()
    )]
    ModuleMissing(PathBuf),
    /// The module could not be loaded or initialised.
    #[error("PKCS #11 module {}: cannot be loaded ({detail}); check that it is the token vendor's PKCS #11 library for this system", path.display())]
    ModuleUnusable {
        /// The module.
        path: PathBuf,
        /// What the loader or module said.
        detail: String,
    },
    /// No token with that label or serial is present.
    #[error("no token `{wanted}` is present in {}; insert it (tokens present: {present})", module.display())]
    TokenAbsent {
        /// The module.
        module: PathBuf,
        /// The label or serial asked for.
        wanted: String,
        /// The labels that are present.
        present: String,
    },
    /// No private key with that label or id on the token.
    #[error("token `{token}` holds no private key {key}; `evidentia identity token list --module ...` shows its keys")]
    KeyAbsent {
        /// The token.
        token: String,
        /// `labelled X` or `with id Y`.
        key: String,
    },
    /// The PIN was refused.
    #[error("token `{0}`: wrong PIN; tokens lock after a few wrong tries, so check it before trying again")]
    PinIncorrect(String),
    /// The PIN was refused and the next wrong one locks the token.
    #[error(
        "token `{0}`: wrong PIN, and the next wrong PIN locks the token; check it with its owner before trying again"
    )]
    PinFinalTry(String),
    /// The PIN is locked.
    #[error(
        "token `{0}`: the PIN is locked after too many wrong tries; unblock it with the token's own tool (SO PIN or PUK)"
    )]
    PinLocked(String),
    /// The token has no user PIN yet.
    #[error("token `{0}`: its user PIN was never set; initialise it with the token's own tool")]
    PinNotInitialized(String),
    /// The token, or the key on it, went away.
    #[error(
        "token `{0}` was removed or its key is gone; insert it and run again (nothing was written for the unfinished batch)"
    )]
    Removed(String),
    /// The token did not answer in time.
    #[error(
        "token `{token}` did not answer `{operation}` within {seconds} s; check the reader, re-insert the token and run again"
    )]
    Timeout {
        /// The token (or module).
        token: String,
        /// What was asked.
        operation: &'static str,
        /// The bound.
        seconds: u64,
    },
    /// A key of a kind Evidentia cannot sign with.
    #[error("token `{token}`: the key is {detail}; Evidentia signs with RSA (2048 bits or more), ECDSA P-256 or P-384")]
    UnsupportedKey {
        /// The token.
        token: String,
        /// What kind it is.
        detail: String,
    },
    /// Anything else the token reported.
    #[error("token `{token}`: {function} failed ({detail})")]
    Device {
        /// The token (or module).
        token: String,
        /// The PKCS #11 function.
        function: String,
        /// The module's return value.
        detail: String,
    },
}

impl TokenError {
    /// A short stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::ModuleMissing(_) => "TOKEN_MODULE_MISSING",
            Self::ModuleUnusable { .. } => "TOKEN_MODULE_UNUSABLE",
            Self::TokenAbsent { .. } => "TOKEN_ABSENT",
            Self::KeyAbsent { .. } => "TOKEN_KEY_ABSENT",
            Self::PinIncorrect(_) => "TOKEN_PIN_INCORRECT",
            Self::PinFinalTry(_) => "TOKEN_PIN_FINAL_TRY",
            Self::PinLocked(_) => "TOKEN_PIN_LOCKED",
            Self::PinNotInitialized(_) => "TOKEN_PIN_NOT_INITIALIZED",
            Self::Removed(_) => "TOKEN_REMOVED",
            Self::Timeout { .. } => "TOKEN_TIMEOUT",
            Self::UnsupportedKey { .. } => "TOKEN_UNSUPPORTED_KEY",
            Self::Device { .. } => "TOKEN_DEVICE_ERROR",
        }
    }

    /// Maps a PKCS #11 error to what it means for the user.
    fn from_ck(token: &str, e: CkError) -> Self {
        match e {
            CkError::Pkcs11(rv, function) => match rv {
                RvError::PinIncorrect | RvError::PinInvalid | RvError::PinLenRange => {
                    Self::PinIncorrect(token.to_owned())
                }
                RvError::PinLocked => Self::PinLocked(token.to_owned()),
                RvError::UserPinNotInitialized => Self::PinNotInitialized(token.to_owned()),
                RvError::DeviceRemoved
                | RvError::TokenNotPresent
                | RvError::SessionHandleInvalid
                | RvError::SessionClosed
                | RvError::KeyHandleInvalid
                | RvError::ObjectHandleInvalid
                | RvError::SlotIdInvalid => Self::Removed(token.to_owned()),
                other => {
                    Self::Device { token: token.to_owned(), function: function.to_string(), detail: other.to_string() }
                }
            },
            other => Self::Device { token: token.to_owned(), function: "PKCS #11".into(), detail: other.to_string() },
        }
    }
}

/// Where a token key lives: the module, the token (label or serial), and the key (label or id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenKeyRef {
    /// The PKCS #11 module (shared library).
    pub module: PathBuf,
    /// The token's label or serial number.
    pub token: String,
    /// The private key's label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_label: Option<String>,
    /// The private key's id, hex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_id: Option<String>,
}

impl TokenKeyRef {
    fn describe_key(&self) -> String {
        match (&self.key_label, &self.key_id) {
            (Some(l), _) => format!("labelled `{l}`"),
            (None, Some(id)) => format!("with id {id}"),
            (None, None) => "at all".into(),
        }
    }
}

/// One slot of a module and the token in it.
#[derive(Debug, Clone, Serialize)]
pub struct TokenSlot {
    /// The slot id.
    pub slot: u64,
    /// The slot's description.
    pub description: String,
    /// The token, when one is present.
    pub token: Option<TokenDescription>,
}

/// A token as it describes itself, with the objects readable without logging in.
#[derive(Debug, Clone, Serialize)]
pub struct TokenDescription {
    /// Label.
    pub label: String,
    /// Manufacturer.
    pub manufacturer: String,
    /// Model.
    pub model: String,
    /// Serial number.
    pub serial: String,
    /// Initialised (has a label and an SO PIN).
    pub initialized: bool,
    /// Needs a PIN to sign.
    pub login_required: bool,
    /// The PIN is entered on the reader's own keypad.
    pub pin_pad: bool,
    /// A wrong PIN was entered since the last right one.
    pub pin_count_low: bool,
    /// The next wrong PIN locks the token.
    pub pin_final_try: bool,
    /// The PIN is locked.
    pub pin_locked: bool,
    /// Certificates and keys readable without the PIN (private keys usually are not).
    pub objects: Vec<TokenObject>,
}

/// A certificate or key on a token.
#[derive(Debug, Clone, Serialize)]
pub struct TokenObject {
    /// `certificate`, `public key` or `private key`.
    pub class: &'static str,
    /// CKA_LABEL.
    pub label: String,
    /// CKA_ID, hex.
    pub id: String,
    /// For a certificate: its subject.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// For a key: its type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_type: Option<String>,
}

/// Runs `f` on its own thread and gives up after `timeout`: a module that hangs costs a thread,
/// never the caller.
fn bounded<T: Send + 'static>(
    token: &str,
    operation: &'static str,
    timeout: Duration,
    f: impl FnOnce() -> Result<T, TokenError> + Send + 'static,
) -> Result<T, TokenError> {
    let (tx, rx) = mpsc::sync_channel(1);
    std::thread::Builder::new()
        .name("pkcs11".into())
        .spawn(move || {
            let _ = tx.send(f());
        })
        .map_err(|e| TokenError::Device {
            token: token.to_owned(),
            function: "thread".into(),
            detail: e.to_string(),
        })?;
    match rx.recv_timeout(timeout) {
        Ok(result) => result,
        Err(_) => Err(TokenError::Timeout { token: token.to_owned(), operation, seconds: timeout.as_secs() }),
    }
}

fn load(module: &Path) -> Result<Pkcs11, TokenError> {
    if !module.exists() {
        return Err(TokenError::ModuleMissing(module.to_owned()));
    }
    let unusable = |e: CkError| TokenError::ModuleUnusable { path: module.to_owned(), detail: e.to_string() };
    let pkcs11 = Pkcs11::new(module).map_err(unusable)?;
    match pkcs11.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
        Ok(()) | Err(CkError::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => Ok(pkcs11),
        Err(e) => Err(unusable(e)),
    }
}

fn module_name(module: &Path) -> String {
    module.display().to_string()
}

/// Lists the slots of `module` with their tokens and the objects readable without a PIN.
pub fn list_tokens(module: &Path, timeout: Duration) -> Result<Vec<TokenSlot>, TokenError> {
    let owned = module.to_owned();
    bounded(&module_name(module), "list slots", timeout, move || {
        let pkcs11 = load(&owned)?;
        let name = module_name(&owned);
        let ck = |e| TokenError::from_ck(&name, e);
        let mut out = Vec::new();
        for slot in pkcs11.get_all_slots().map_err(ck)? {
            let info = pkcs11.get_slot_info(slot).map_err(ck)?;
            let token = if info.token_present() { describe_token(&pkcs11, slot).ok() } else { None };
            out.push(TokenSlot { slot: slot.id(), description: info.slot_description().trim().to_owned(), token });
        }
        Ok(out)
    })
}

fn describe_token(pkcs11: &Pkcs11, slot: Slot) -> Result<TokenDescription, TokenError> {
    let info = pkcs11.get_token_info(slot).map_err(|e| TokenError::from_ck("?", e))?;
    let label = info.label().trim().to_owned();
    let mut objects = Vec::new();
    if info.token_initialized()
        && let Ok(session) = pkcs11.open_ro_session(slot)
    {
        objects = read_objects(&session);
    }
    Ok(TokenDescription {
        manufacturer: info.manufacturer_id().trim().to_owned(),
        model: info.model().trim().to_owned(),
        serial: info.serial_number().trim().to_owned(),
        initialized: info.token_initialized(),
        login_required: info.login_required(),
        pin_pad: info.protected_authentication_path(),
        pin_count_low: info.user_pin_count_low(),
        pin_final_try: info.user_pin_final_try(),
        pin_locked: info.user_pin_locked(),
        label,
        objects,
    })
}

fn read_objects(session: &Session) -> Vec<TokenObject> {
    let mut out = Vec::new();
    for (class, name) in [
        (ObjectClass::CERTIFICATE, "certificate"),
        (ObjectClass::PRIVATE_KEY, "private key"),
        (ObjectClass::PUBLIC_KEY, "public key"),
    ] {
        let Ok(handles) = session.find_objects(&[Attribute::Class(class)]) else { continue };
        for handle in handles {
            let wanted = if class == ObjectClass::CERTIFICATE {
                vec![AttributeType::Label, AttributeType::Id, AttributeType::Value]
            } else {
                vec![AttributeType::Label, AttributeType::Id, AttributeType::KeyType, AttributeType::EcParams]
            };
            let Ok(attrs) = session.get_attributes(handle, &wanted) else { continue };
            let mut object =
                TokenObject { class: name, label: String::new(), id: String::new(), subject: None, key_type: None };
            let mut key_type = None;
            let mut curve = None;
            for a in attrs {
                match a {
                    Attribute::Label(l) => object.label = String::from_utf8_lossy(&l).into_owned(),
                    Attribute::Id(id) => object.id = hex::encode(id),
                    Attribute::Value(der) => {
                        object.subject = Certificate::from_der(&der).ok().map(|c| c.tbs_certificate.subject.to_string())
                    }
                    Attribute::KeyType(k) => key_type = Some(k),
                    Attribute::EcParams(p) => curve = ObjectIdentifier::from_der(&p).ok(),
                    _ => {}
                }
            }
            object.key_type = key_type.map(|k| key_type_name(k, curve));
            out.push(object);
        }
    }
    out
}

fn key_type_name(k: KeyType, curve: Option<ObjectIdentifier>) -> String {
    match (k, curve) {
        (KeyType::RSA, _) => "RSA".into(),
        (KeyType::EC, Some(P256)) => "ECDSA P-256".into(),
        (KeyType::EC, Some(P384)) => "ECDSA P-384".into(),
        (KeyType::EC, Some(other)) => format!("EC on curve {other}"),
        (other, _) => format!("{other}"),
    }
}

/// The kind of key a token signs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKeyKind {
    /// RSA with this many modulus bits, PKCS #1 v1.5 with SHA-256.
    Rsa(usize),
    /// ECDSA P-256 with SHA-256.
    EcP256,
    /// ECDSA P-384 with SHA-384.
    EcP384,
}

impl TokenKeyKind {
    /// The digest its signatures use.
    pub fn digest(self) -> DigestAlgorithm {
        match self {
            Self::Rsa(_) | Self::EcP256 => DigestAlgorithm::Sha256,
            Self::EcP384 => DigestAlgorithm::Sha384,
        }
    }
}

type SignReply = mpsc::SyncSender<Result<Vec<u8>, TokenError>>;

/// A logged-in token key. Signing requests go to the thread that owns the token session; each
/// waits at most the timeout. After a timeout or a removal the key refuses further work.
pub struct TokenSigner {
    requests: Option<mpsc::Sender<(Vec<u8>, SignReply)>>,
    /// Says when the session thread has logged out and closed its session.
    closed: std::sync::Mutex<mpsc::Receiver<()>>,
    token: String,
    kind: TokenKeyKind,
    timeout: Duration,
    broken: AtomicBool,
    certificates: Vec<Certificate>,
}

impl std::fmt::Debug for TokenSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSigner").field("token", &self.token).field("kind", &self.kind).finish()
    }
}

#[derive(Clone)]
struct Opened {
    kind: TokenKeyKind,
    label: String,
    certificates: Vec<Certificate>,
}

impl TokenSigner {
    /// Loads the module, finds the token, logs in with `pin` (once; the PIN is wiped afterwards)
    /// and finds the key.
    pub fn open(reference: &TokenKeyRef, pin: Zeroizing<String>, timeout: Duration) -> Result<Self, TokenError> {
        let (requests, inbox) = mpsc::channel::<(Vec<u8>, SignReply)>();
        let (opened_tx, opened_rx) = mpsc::sync_channel(1);
        let (closed_tx, closed) = mpsc::sync_channel(1);
        let reference_owned = reference.clone();
        std::thread::Builder::new()
            .name("pkcs11-session".into())
            .spawn(move || {
                let (session, handle, opened) = match open_session(&reference_owned, pin) {
                    Ok(t) => t,
                    Err(e) => {
                        let _ = opened_tx.send(Err(e));
                        return;
                    }
                };
                let _ = opened_tx.send(Ok(opened.clone()));
                for (message, reply) in inbox {
                    let _ = reply.send(sign_on_token(&session, handle, &opened, &message));
                }
                let _ = session.logout();
                drop(session);
                let _ = closed_tx.send(());
            })
            .map_err(|e| TokenError::Device {
                token: reference.token.clone(),
                function: "thread".into(),
                detail: e.to_string(),
            })?;
        let opened = match opened_rx.recv_timeout(timeout) {
            Ok(r) => r?,
            Err(_) => {
                return Err(TokenError::Timeout {
                    token: reference.token.clone(),
                    operation: "log in",
                    seconds: timeout.as_secs(),
                });
            }
        };
        Ok(Self {
            requests: Some(requests),
            closed: std::sync::Mutex::new(closed),
            token: opened.label,
            kind: opened.kind,
            timeout,
            broken: AtomicBool::new(false),
            certificates: opened.certificates,
        })
    }

    /// The key's kind.
    pub fn kind(&self) -> TokenKeyKind {
        self.kind
    }

    /// The token's label.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// Certificates stored on the token: the key's own (same id) first, then the others.
    pub fn certificates(&self) -> &[Certificate] {
        &self.certificates
    }

    /// Signs `message` (the token sees only its digest).
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, TokenError> {
        if self.broken.load(Ordering::SeqCst) {
            return Err(TokenError::Removed(self.token.clone()));
        }
        let digest = self.kind.digest().digest(message).as_bytes().to_vec();
        let (tx, rx) = mpsc::sync_channel(1);
        let sent = self.requests.as_ref().map(|r| r.send((digest, tx)).is_ok()).unwrap_or(false);
        if !sent {
            self.broken.store(true, Ordering::SeqCst);
            return Err(TokenError::Removed(self.token.clone()));
        }
        let result = match rx.recv_timeout(self.timeout) {
            Ok(r) => r,
            Err(_) => Err(TokenError::Timeout {
                token: self.token.clone(),
                operation: "sign",
                seconds: self.timeout.as_secs(),
            }),
        };
        if matches!(result, Err(TokenError::Removed(_) | TokenError::Timeout { .. })) {
            self.broken.store(true, Ordering::SeqCst);
        }
        result
    }
}

impl Drop for TokenSigner {
    /// Logs out and closes the session before the program goes on (or exits, when the module's
    /// own clean-up must not race a session still open), waiting at most the timeout.
    fn drop(&mut self) {
        drop(self.requests.take());
        if let Ok(closed) = self.closed.get_mut() {
            let _ = closed.recv_timeout(self.timeout);
        }
    }
}

fn find_slot(pkcs11: &Pkcs11, reference: &TokenKeyRef) -> Result<Slot, TokenError> {
    let name = module_name(&reference.module);
    let slots = pkcs11.get_slots_with_token().map_err(|e| TokenError::from_ck(&name, e))?;
    let mut present = Vec::new();
    for slot in slots {
        let Ok(info) = pkcs11.get_token_info(slot) else { continue };
        let label = info.label().trim();
        if label == reference.token || info.serial_number().trim() == reference.token {
            return Ok(slot);
        }
        if info.token_initialized() {
            present.push(format!("`{label}`"));
        }
    }
    Err(TokenError::TokenAbsent {
        module: reference.module.clone(),
        wanted: reference.token.clone(),
        present: if present.is_empty() { "none".into() } else { present.join(", ") },
    })
}

fn open_session(
    reference: &TokenKeyRef,
    pin: Zeroizing<String>,
) -> Result<(Session, ObjectHandle, Opened), TokenError> {
    let pkcs11 = load(&reference.module)?;
    let slot = find_slot(&pkcs11, reference)?;
    let token = reference.token.clone();
    let ck = |e| TokenError::from_ck(&token, e);
    let info = pkcs11.get_token_info(slot).map_err(ck)?;
    if info.user_pin_locked() {
        return Err(TokenError::PinLocked(token));
    }
    let final_try = info.user_pin_final_try();
    let session = pkcs11.open_ro_session(slot).map_err(ck)?;
    if info.login_required() {
        let auth = AuthPin::from(pin.as_str());
        drop(pin);
        match session.login(UserType::User, Some(&auth)) {
            Ok(()) | Err(CkError::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => {}
            Err(e) => {
                return Err(match TokenError::from_ck(&token, e) {
                    TokenError::PinIncorrect(t) if final_try || token_final_try(&pkcs11, slot) => {
                        TokenError::PinFinalTry(t)
                    }
                    other => other,
                });
            }
        }
    }

    let mut template = vec![Attribute::Class(ObjectClass::PRIVATE_KEY)];
    if let Some(label) = &reference.key_label {
        template.push(Attribute::Label(label.as_bytes().to_vec()));
    }
    if let Some(id) = &reference.key_id {
        let id = hex::decode(id).map_err(|_| TokenError::KeyAbsent {
            token: token.clone(),
            key: format!("with id {id} (not hexadecimal)"),
        })?;
        template.push(Attribute::Id(id));
    }
    let keys = session.find_objects(&template).map_err(ck)?;
    let Some(&key) = keys.first() else {
        return Err(TokenError::KeyAbsent { token, key: reference.describe_key() });
    };
    let attrs = session
        .get_attributes(
            key,
            &[AttributeType::KeyType, AttributeType::Id, AttributeType::Modulus, AttributeType::EcParams],
        )
        .map_err(ck)?;
    let (mut key_type, mut id, mut modulus_bits, mut curve) = (None, Vec::new(), 0, None);
    for a in attrs {
        match a {
            Attribute::KeyType(k) => key_type = Some(k),
            Attribute::Id(i) => id = i,
            Attribute::Modulus(m) => modulus_bits = m.iter().skip_while(|b| **b == 0).count() * 8,
            Attribute::EcParams(p) => curve = ObjectIdentifier::from_der(&p).ok(),
            _ => {}
        }
    }
    let kind = match (key_type, curve) {
        (Some(KeyType::RSA), _) if modulus_bits >= 2048 => TokenKeyKind::Rsa(modulus_bits),
        (Some(KeyType::EC), Some(P256)) => TokenKeyKind::EcP256,
        (Some(KeyType::EC), Some(P384)) => TokenKeyKind::EcP384,
        (Some(KeyType::RSA), _) => {
            return Err(TokenError::UnsupportedKey { token, detail: format!("RSA with {modulus_bits} bits") });
        }
        (Some(k), c) => return Err(TokenError::UnsupportedKey { token, detail: key_type_name(k, c) }),
        (None, _) => return Err(TokenError::UnsupportedKey { token, detail: "of an unknown type".into() }),
    };

    // Certificates on the token: the key's own first.
    let mut certificates = Vec::new();
    let mut others = Vec::new();
    for handle in session.find_objects(&[Attribute::Class(ObjectClass::CERTIFICATE)]).map_err(ck)? {
        let Ok(attrs) = session.get_attributes(handle, &[AttributeType::Id, AttributeType::Value]) else { continue };
        let (mut cert_id, mut value) = (Vec::new(), None);
        for a in attrs {
            match a {
                Attribute::Id(i) => cert_id = i,
                Attribute::Value(v) => value = Certificate::from_der(&v).ok(),
                _ => {}
            }
        }
        if let Some(cert) = value {
            if !id.is_empty() && cert_id == id { certificates.push(cert) } else { others.push(cert) }
        }
    }
    certificates.extend(others);
    Ok((session, key, Opened { kind, label: info.label().trim().to_owned(), certificates }))
}

fn token_final_try(pkcs11: &Pkcs11, slot: Slot) -> bool {
    pkcs11.get_token_info(slot).map(|i| i.user_pin_final_try() || i.user_pin_locked()).unwrap_or(false)
}

/// DigestInfo prefixes (RFC 8017 §9.2 note 1) for PKCS #1 v1.5 signing with a raw RSA mechanism.
const SHA256_DIGEST_INFO: &[u8] =
    &[0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20];

fn sign_on_token(session: &Session, key: ObjectHandle, opened: &Opened, digest: &[u8]) -> Result<Vec<u8>, TokenError> {
    let ck = |e| TokenError::from_ck(&opened.label, e);
    match opened.kind {
        TokenKeyKind::Rsa(_) => {
            let mut info = SHA256_DIGEST_INFO.to_vec();
            info.extend_from_slice(digest);
            session.sign(&Mechanism::RsaPkcs, key, &info).map_err(ck)
        }
        TokenKeyKind::EcP256 | TokenKeyKind::EcP384 => {
            let raw = session.sign(&Mechanism::Ecdsa, key, digest).map_err(ck)?;
            ecdsa_raw_to_der(&raw).ok_or_else(|| TokenError::Device {
                token: opened.label.clone(),
                function: "C_Sign".into(),
                detail: format!("an ECDSA signature of {} bytes", raw.len()),
            })
        }
    }
}

/// Converts an ECDSA signature from PKCS #11's `r || s` to the DER `SEQUENCE { r, s }` of X.509.
pub fn ecdsa_raw_to_der(raw: &[u8]) -> Option<Vec<u8>> {
    if raw.is_empty() || !raw.len().is_multiple_of(2) || raw.len() > 132 {
        return None;
    }
    let (r, s) = raw.split_at(raw.len() / 2);
    let integer = |v: &[u8]| {
        let v: Vec<u8> = v.iter().copied().skip_while(|b| *b == 0).collect();
        let mut body = if v.first().is_none_or(|b| b & 0x80 != 0) { vec![0u8] } else { Vec::new() };
        body.extend(v);
        let mut out = vec![0x02, body.len() as u8];
        out.extend(body);
        out
    };
    let mut content = integer(r);
    content.extend(integer(s));
    let mut out = vec![0x30];
    if content.len() >= 0x80 {
        out.push(0x81);
    }
    out.push(content.len() as u8);
    out.extend(content);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_ecdsa_signatures_become_der_with_minimal_integers() {
        let mut raw = vec![0u8; 64];
        raw[0] = 0x80; // r needs a leading zero
        raw[63] = 0x01; // s is 1 after its leading zeros go
        let der = ecdsa_raw_to_der(&raw).unwrap();
        assert_eq!(der[0], 0x30);
        assert_eq!(&der[2..5], &[0x02, 33, 0x00]);
        assert_eq!(&der[der.len() - 3..], &[0x02, 0x01, 0x01]);
        assert_eq!(der[1] as usize, der.len() - 2);
        // P-384: 2 × (2 + 1 + 48) = 102 content bytes, still the short length form.
        let der = ecdsa_raw_to_der(&[0xffu8; 96]).unwrap();
        assert_eq!((der[1], der.len()), (102, 104));
        // P-521 sizes pass 127 content bytes and need the long form.
        let der = ecdsa_raw_to_der(&[0xffu8; 132]).unwrap();
        assert_eq!(&der[1..3], &[0x81, 138]);
        assert!(ecdsa_raw_to_der(&[1, 2, 3]).is_none());
    }

    #[test]
    fn token_errors_say_what_to_do() {
        let locked =
            TokenError::from_ck("Office key", CkError::Pkcs11(RvError::PinLocked, cryptoki::context::Function::Login));
        assert_eq!(locked.code(), "TOKEN_PIN_LOCKED");
        assert!(locked.to_string().contains("unblock"));
        let removed = TokenError::from_ck(
            "Office key",
            CkError::Pkcs11(RvError::DeviceRemoved, cryptoki::context::Function::Sign),
        );
        assert_eq!(removed.code(), "TOKEN_REMOVED");
        let wrong = TokenError::from_ck(
            "Office key",
            CkError::Pkcs11(RvError::PinIncorrect, cryptoki::context::Function::Login),
        );
        assert!(wrong.to_string().contains("wrong PIN"));
    }

    #[test]
    fn a_missing_module_is_named() {
        let e = list_tokens(Path::new("/nonexistent/libpkcs11.so"), Duration::from_secs(5)).unwrap_err();
        assert_eq!(e.code(), "TOKEN_MODULE_MISSING");
        assert!(e.to_string().contains("/nonexistent/libpkcs11.so"));
    }

    #[test]
    fn a_call_that_hangs_is_given_up_after_the_timeout() {
        let started = std::time::Instant::now();
        let e = bounded("Slow token", "sign", Duration::from_millis(200), || {
            std::thread::sleep(Duration::from_secs(5));
            Ok(())
        })
        .unwrap_err();
        assert_eq!(e.code(), "TOKEN_TIMEOUT");
        assert!(started.elapsed() < Duration::from_secs(2));
    }
}
