//! Media type of a sealed file: from its first bytes where they are recognisable, else its name.

use std::path::Path;

/// Media type given to files whose type cannot be told.
pub const UNKNOWN: &str = "application/octet-stream";
/// Media type of a work's manifest, the subject of a work record.
pub const WORK_MANIFEST: &str = "application/vnd.evidentia.work-manifest+json";

/// Media type from a file's first bytes, falling back to its extension.
pub fn from_head_and_name(head: &[u8], path: &Path) -> String {
    if let Some(kind) = infer::get(head) {
        return kind.mime_type().to_owned();
    }
    mime_guess::from_path(path).first_raw().unwrap_or(UNKNOWN).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_bytes_win_over_a_misleading_name() {
        assert_eq!(from_head_and_name(b"%PDF-1.7\n", Path::new("contract.txt")), "application/pdf");
        assert_eq!(from_head_and_name(b"plain words", Path::new("notes.txt")), "text/plain");
        assert_eq!(from_head_and_name(b"\x00\x01", Path::new("blob")), UNKNOWN);
    }
}
