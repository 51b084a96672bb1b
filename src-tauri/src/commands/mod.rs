//! The commands the page may call: thin calls into the core library, one module per screen.

pub mod checking;
pub mod files;
pub mod identities;
pub mod records;
pub mod sealing;
pub mod settings;

/// A secret from the page, wiped from memory when dropped.
pub fn secret(text: Option<String>) -> zeroize::Zeroizing<String> {
    zeroize::Zeroizing::new(text.unwrap_or_default())
}
