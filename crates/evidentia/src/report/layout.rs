//! Page layout for reports: text lines wrapped to the page width, boxes and QR codes placed in a
//! flow that breaks into A4 pages, then drawn with the embedded font (subset on output).

use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, FillRule};
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};

pub use evidentia_pki::pades::font::{font, text_width};

/// A4 in points.
pub const PAGE_W: f32 = 595.28;
/// A4 in points.
pub const PAGE_H: f32 = 841.89;
/// Side margins.
pub const MARGIN: f32 = 50.0;
const TOP: f32 = 78.0;
const BOTTOM: f32 = PAGE_H - 60.0;

/// An RGB colour.
pub type Colour = (u8, u8, u8);

enum Item {
    Text { x: f32, y: f32, size: f32, colour: Colour, text: String },
    Rect { x: f32, y: f32, w: f32, h: f32, colour: Colour },
    Qr { data: String, x: f32, y: f32, module: f32 },
}

/// The flow being laid out.
pub struct Flow {
    pages: Vec<Vec<Item>>,
    /// The baseline cursor on the current page.
    pub y: f32,
}

impl Default for Flow {
    fn default() -> Self {
        Flow { pages: vec![Vec::new()], y: TOP }
    }
}

/// Breaks `text` into lines no wider than `width` at `size`, at spaces where it can.
pub fn wrap(text: &str, size: f32, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut line_w = 0.0;
    for word in text.split_inclusive(' ') {
        let w = text_width(word, size);
        if line_w + w > width && !line.is_empty() {
            lines.push(line.trim_end().to_owned());
            line.clear();
            line_w = 0.0;
        }
        if w > width {
            // A word longer than the line (a digest, a URL): break it by characters.
            for c in word.chars() {
                let cw = text_width(&c.to_string(), size);
                if line_w + cw > width && !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                    line_w = 0.0;
                }
                line.push(c);
                line_w += cw;
            }
        } else {
            line.push_str(word);
            line_w += w;
        }
    }
    if !line.trim().is_empty() || lines.is_empty() {
        lines.push(line.trim_end().to_owned());
    }
    lines
}

impl Flow {
    /// Starts a new page when less than `needed` points remain.
    pub fn ensure(&mut self, needed: f32) {
        if self.y + needed > BOTTOM {
            self.pages.push(Vec::new());
            self.y = TOP;
        }
    }

    fn push(&mut self, item: Item) {
        if let Some(p) = self.pages.last_mut() {
            p.push(item);
        }
    }

    /// Text at `x` on the current baseline, wrapped to `width`; moves the cursor below it.
    pub fn text(&mut self, x: f32, width: f32, size: f32, colour: Colour, text: &str) {
        for line in wrap(text, size, width) {
            self.ensure(size * 1.45);
            self.y += size * 1.2;
            let y = self.y;
            self.push(Item::Text { x, y, size, colour, text: line });
            self.y += size * 0.25;
        }
    }

    /// A label in a column and its value beside it, wrapped.
    pub fn field(&mut self, label: &str, value: &str) {
        self.field_beside(label, value, 0.0);
    }

    /// A field that leaves `reserve` points free on the right (for a QR code).
    pub fn field_beside(&mut self, label: &str, value: &str, reserve: f32) {
        let (size, label_w) = (8.5, 120.0);
        let width = PAGE_W - 2.0 * MARGIN - label_w - if reserve > 0.0 { reserve + 10.0 } else { 0.0 };
        let lines = wrap(value, size, width);
        self.ensure(size * 1.45 * lines.len().min(3) as f32);
        let top = self.y;
        self.text(MARGIN, label_w - 8.0, size, (95, 95, 95), label);
        let after_label = self.y;
        self.y = top;
        for line in lines {
            self.text(MARGIN + label_w, width, size, (25, 25, 25), &line);
        }
        self.y = self.y.max(after_label);
    }

    /// A filled rectangle at an absolute position on the current page.
    pub fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, colour: Colour) {
        self.push(Item::Rect { x, y, w, h, colour });
    }

    /// Text at an absolute position on the current page (no wrapping).
    pub fn text_at(&mut self, x: f32, y: f32, size: f32, colour: Colour, text: &str) {
        self.push(Item::Text { x, y, size, colour, text: text.to_owned() });
    }

    /// A QR code of `data` with its top-left corner at (`x`, `y`), `side` points wide.
    pub fn qr(&mut self, data: &str, x: f32, y: f32, side: f32) {
        let modules = qrcode::QrCode::new(data).map(|c| c.width()).unwrap_or(25) as f32 + 8.0;
        self.push(Item::Qr { data: data.to_owned(), x, y, module: side / modules });
    }

    /// Vertical space.
    pub fn gap(&mut self, points: f32) {
        self.y += points;
    }

    /// Draws every page, calling `chrome(flow, page, pages)` first on each to add what every page
    /// carries (header, footer, notices), and returns the PDF.
    pub fn finish(
        mut self,
        title: &str,
        language: &str,
        chrome: impl Fn(&mut Vec<(f32, f32, f32, Colour, String)>, usize, usize),
    ) -> Result<Vec<u8>, String> {
        let bytes = font().map_err(|e| e.to_string())?;
        let font = Font::new(bytes.into(), 0).ok_or("the report font cannot be read")?;
        let mut doc = krilla::Document::new();
        doc.set_metadata(
            Metadata::new()
                .title(title.to_owned())
                .language(language.to_owned())
                .creator(concat!("Evidentia ", env!("CARGO_PKG_VERSION")).to_owned()),
        );
        let count = self.pages.len();
        for (i, items) in self.pages.iter_mut().enumerate() {
            let mut extra = Vec::new();
            chrome(&mut extra, i + 1, count);
            for (x, y, size, colour, text) in extra {
                items.push(Item::Text { x, y, size, colour, text });
            }
            let settings = PageSettings::from_wh(PAGE_W, PAGE_H).ok_or("bad page size")?;
            let mut page = doc.start_page_with(settings);
            let mut s = page.surface();
            // Header band.
            draw_rect(&mut s, 0.0, 0.0, PAGE_W, 6.0, (31, 78, 140));
            for item in items.iter() {
                match item {
                    Item::Text { x, y, size, colour, text } => {
                        s.set_fill(Some(fill(*colour)));
                        s.draw_text(Point::from_xy(*x, *y), font.clone(), *size, text, false, TextDirection::Auto);
                    }
                    Item::Rect { x, y, w, h, colour } => draw_rect(&mut s, *x, *y, *w, *h, *colour),
                    Item::Qr { data, x, y, module } => draw_qr(&mut s, data, *x, *y, *module),
                }
            }
            s.finish();
            page.finish();
        }
        doc.finish().map_err(|e| format!("the PDF cannot be written: {e:?}"))
    }
}

fn fill(c: Colour) -> Fill {
    Fill { paint: rgb::Color::new(c.0, c.1, c.2).into(), opacity: NormalizedF32::ONE, rule: FillRule::NonZero }
}

fn draw_rect(s: &mut Surface, x: f32, y: f32, w: f32, h: f32, c: Colour) {
    let mut pb = PathBuilder::new();
    if let Some(r) = Rect::from_xywh(x, y, w, h) {
        pb.push_rect(r);
    }
    if let Some(path) = pb.finish() {
        s.set_fill(Some(fill(c)));
        s.draw_path(&path);
    }
}

fn draw_qr(s: &mut Surface, data: &str, x: f32, y: f32, module: f32) {
    let Ok(code) = qrcode::QrCode::with_error_correction_level(data, qrcode::EcLevel::M) else { return };
    let w = code.width();
    let quiet = 4.0 * module;
    draw_rect(s, x, y, w as f32 * module + 2.0 * quiet, w as f32 * module + 2.0 * quiet, (255, 255, 255));
    let mut pb = PathBuilder::new();
    for (i, c) in code.to_colors().iter().enumerate() {
        if *c == qrcode::Color::Dark
            && let Some(r) = Rect::from_xywh(
                x + quiet + (i % w) as f32 * module,
                y + quiet + (i / w) as f32 * module,
                module,
                module,
            )
        {
            pb.push_rect(r);
        }
    }
    if let Some(path) = pb.finish() {
        s.set_fill(Some(fill((0, 0, 0))));
        s.draw_path(&path);
    }
}
