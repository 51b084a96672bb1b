//! The one font Evidentia draws with (signature appearances here, report pages in the core):
//! Noto Sans SC (SIL OFL 1.1, `assets/fonts/`), Latin and CJK in one face, subset on output.

/// The font file.
pub static FONT: &[u8] = include_bytes!("../../../../assets/fonts/NotoSansSC-Regular.otf");

/// The width of `text` at `size` points: CJK characters are square, the rest about half as wide.
pub fn text_width(text: &str, size: f32) -> f32 {
    text.chars().map(|c| if (c as u32) >= 0x2E80 { size } else { size * 0.56 }).sum()
}
