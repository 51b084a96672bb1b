//! The seal kept with an identity: a company seal generated from its texts, or an imported image
//! (a PNG with transparency or a JPEG of the seal or of a handwritten signature).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use evidentia_pki::pades::company_seal::CompanySeal;

use super::IdentityError;
use super::store::IdentityStore;

/// What an identity stamps with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdentitySeal {
    /// The standard round red seal, drawn from its texts.
    Generated(CompanySeal),
    /// An image: PNG or JPEG bytes.
    Image(Vec<u8>),
}

impl IdentitySeal {
    /// Takes image bytes as a seal if they are PNG or JPEG; `source` names them in the error.
    pub fn image(source: &Path, bytes: Vec<u8>) -> Result<Self, IdentityError> {
        if bytes.starts_with(&[0x89, b'P', b'N', b'G']) || bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Ok(Self::Image(bytes))
        } else {
            Err(IdentityError::BadSeal(format!(
                "{}: not a PNG or JPEG image; export the seal as PNG",
                source.display()
            )))
        }
    }

    /// In words, for lists: `company seal 深圳某某有限公司 · 合同专用章` or `image`.
    pub fn describe(&self) -> String {
        match self {
            Self::Generated(s) => {
                let mut out = format!("company seal {}", s.organisation());
                if let Some(t) = s.title() {
                    out.push_str(" · ");
                    out.push_str(t);
                }
                out
            }
            Self::Image(_) => "image".into(),
        }
    }
}

/// The generated seal's texts as the store keeps them.
#[derive(Debug, Serialize, Deserialize)]
struct SealTexts {
    organisation: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    code: Option<String>,
}

impl IdentityStore {
    fn seal_texts_path(&self, name: &str) -> PathBuf {
        self.dir().join(format!("{name}.seal"))
    }

    fn seal_image_path(&self, name: &str) -> PathBuf {
        self.dir().join(format!("{name}.seal-image"))
    }

    /// Keeps `seal` with identity `name`, replacing the one it had.
    pub fn set_seal(&self, name: &str, seal: &IdentitySeal) -> Result<(), IdentityError> {
        self.info(name)?;
        let (keep, drop, bytes) = match seal {
            IdentitySeal::Generated(s) => {
                let texts = SealTexts {
                    organisation: s.organisation().to_owned(),
                    title: s.title().map(str::to_owned),
                    code: s.code().map(str::to_owned),
                };
                let json = serde_json::to_vec_pretty(&texts).unwrap_or_default();
                (self.seal_texts_path(name), self.seal_image_path(name), json)
            }
            IdentitySeal::Image(bytes) => (self.seal_image_path(name), self.seal_texts_path(name), bytes.clone()),
        };
        replace_file(&keep, &bytes)?;
        remove_if_present(&drop)
    }

    /// The seal kept with identity `name`, if any.
    pub fn seal(&self, name: &str) -> Result<Option<IdentitySeal>, IdentityError> {
        self.info(name)?;
        let texts = self.seal_texts_path(name);
        match std::fs::read(&texts) {
            Ok(bytes) => {
                let t: SealTexts = serde_json::from_slice(&bytes)
                    .map_err(|e| IdentityError::Corrupt { path: texts.clone(), detail: e.to_string() })?;
                let seal = CompanySeal::new(&t.organisation, t.title.as_deref(), t.code.as_deref())
                    .map_err(|e| IdentityError::Corrupt { path: texts, detail: e.to_string() })?;
                return Ok(Some(IdentitySeal::Generated(seal)));
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(IdentityError::Io { path: texts, source: e }),
        }
        let image = self.seal_image_path(name);
        match std::fs::read(&image) {
            Ok(bytes) => Ok(Some(IdentitySeal::image(&image, bytes)?)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(IdentityError::Io { path: image, source: e }),
        }
    }

    /// Forgets identity `name`'s seal.
    pub fn remove_seal(&self, name: &str) -> Result<(), IdentityError> {
        self.info(name)?;
        remove_if_present(&self.seal_texts_path(name))?;
        remove_if_present(&self.seal_image_path(name))
    }
}

/// Writes `bytes` to `path` whole or not at all (a sibling file renamed over it).
fn replace_file(path: &Path, bytes: &[u8]) -> Result<(), IdentityError> {
    use std::io::Write;
    let io = |source| IdentityError::Io { path: path.to_owned(), source };
    let partial = path.with_extension("partial");
    let mut f = std::fs::File::create(&partial).map_err(io)?;
    f.write_all(bytes).and_then(|_| f.sync_all()).map_err(io)?;
    std::fs::rename(&partial, path).map_err(io)
}

fn remove_if_present(path: &Path) -> Result<(), IdentityError> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(IdentityError::Io { path: path.to_owned(), source }),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_seal_is_kept_replaced_and_removed_with_its_identity() {
        let dir = tempfile::tempdir().unwrap();
        let store = IdentityStore::new(dir.path().to_owned());
        let seal = IdentitySeal::Generated(CompanySeal::new("深圳贸易有限公司", Some("合同专用章"), None).unwrap());
        assert!(matches!(store.set_seal("nobody", &seal), Err(IdentityError::Unknown(_))));
        store.create_self_made("ana", crate::KeyAlgorithm::EcdsaP256, "Ana", None, "long enough").unwrap();
        assert_eq!(store.seal("ana").unwrap(), None);
        store.set_seal("ana", &seal).unwrap();
        assert_eq!(store.seal("ana").unwrap(), Some(seal.clone()));
        assert_eq!(store.list().unwrap().len(), 1, "the seal is not taken for an identity");
        let png = IdentitySeal::image(Path::new("s.png"), vec![0x89, b'P', b'N', b'G', 1, 2]).unwrap();
        store.set_seal("ana", &png).unwrap();
        assert_eq!(store.seal("ana").unwrap(), Some(png));
        assert!(IdentitySeal::image(Path::new("s.gif"), b"GIF89a".to_vec()).is_err());
        store.remove_seal("ana").unwrap();
        assert_eq!(store.seal("ana").unwrap(), None);
    }
}
