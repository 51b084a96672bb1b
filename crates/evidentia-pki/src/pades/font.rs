//! The one font Evidentia draws with (signature appearances here, report pages in the core):
//! Noto Sans SC (SIL OFL 1.1, `assets/fonts/`), Latin and CJK in one face, subset on output.
//! It is installed beside the programs as a resource, not compiled into them, and read once.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The font's file name.
pub const FONT_FILE: &str = "NotoSansSC-Regular.otf";

/// The font file cannot be found or read; names every place looked in.
#[derive(Debug, Clone, thiserror::Error)]
#[error(
    "the font {FONT_FILE} that reports and signature appearances are drawn with was not found (looked in: {}); \
     reinstall Evidentia, or set EVIDENTIA_FONT to the font file",
    .looked.join(", ")
)]
pub struct FontMissing {
    /// The files tried, in order.
    pub looked: Vec<String>,
}

static LOADED: OnceLock<Result<&'static [u8], FontMissing>> = OnceLock::new();
static RESOURCE_DIR: OnceLock<PathBuf> = OnceLock::new();

/// Names the folder an installer put the program's resources in (the desktop app's resource
/// folder), looked in before the places beside the executable. Only the first call counts.
pub fn use_resource_dir(dir: &Path) {
    let _ = RESOURCE_DIR.set(dir.to_owned());
}

/// The font file's bytes, read on first use: from `EVIDENTIA_FONT` (only there, when set), else the resource folder, beside
/// the executable (`fonts/`, `../share/evidentia/fonts/`, `../lib/Evidentia/fonts/` as the .deb
/// lays it out), `/usr/share/evidentia/fonts/`, or the source tree the program was built from.
pub fn font() -> Result<&'static [u8], FontMissing> {
    LOADED.get_or_init(load).clone()
}

fn load() -> Result<&'static [u8], FontMissing> {
    let places = places();
    for place in &places {
        if let Ok(bytes) = std::fs::read(place) {
            return Ok(Box::leak(bytes.into_boxed_slice()));
        }
    }
    Err(FontMissing { looked: places.iter().map(|p| p.display().to_string()).collect() })
}

fn places() -> Vec<PathBuf> {
    // A font named by the user is the only one tried: a wrong name is said, not worked around.
    if let Some(file) = std::env::var_os("EVIDENTIA_FONT").filter(|v| !v.is_empty()) {
        return vec![PathBuf::from(file)];
    }
    let mut out = Vec::new();
    if let Some(dir) = RESOURCE_DIR.get() {
        out.push(dir.join("fonts").join(FONT_FILE));
        out.push(dir.join(FONT_FILE));
    }
    if let Some(exe_dir) = std::env::current_exe().ok().and_then(|e| e.parent().map(Path::to_owned)) {
        out.push(exe_dir.join("fonts").join(FONT_FILE));
        out.push(exe_dir.join("../share/evidentia/fonts").join(FONT_FILE));
        out.push(exe_dir.join("../lib/Evidentia/fonts").join(FONT_FILE));
        // Test and bench executables live one level down (target/debug/deps).
        out.push(exe_dir.join("../fonts").join(FONT_FILE));
    }
    out.push(PathBuf::from("/usr/share/evidentia/fonts").join(FONT_FILE));
    out.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/fonts").join(FONT_FILE));
    out
}

/// The width of `text` at `size` points: CJK characters are square, the rest about half as wide.
pub fn text_width(text: &str, size: f32) -> f32 {
    text.chars().map(|c| if (c as u32) >= 0x2E80 { size } else { size * 0.56 }).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_font_is_found_and_read_once() {
        let first = font().expect("the font of the source tree");
        assert!(first.starts_with(b"OTTO"), "an OpenType (CFF) font");
        assert!(std::ptr::eq(first, font().unwrap()), "read once");
    }

    #[test]
    fn a_missing_font_names_where_it_was_looked_for() {
        let e = FontMissing { looked: vec!["/opt/a/fonts/x.otf".into(), "/usr/share/evidentia/fonts/x.otf".into()] };
        let text = e.to_string();
        assert!(text.contains("/opt/a/fonts/x.otf, /usr/share/evidentia/fonts/x.otf"), "{text}");
        assert!(text.contains("EVIDENTIA_FONT"), "{text}");
    }
}
