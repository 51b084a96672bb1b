//! The round red company seal (电子印章): the organisation's name along the upper arc, a
//! five-pointed star in the centre, the seal's name (合同专用章) under it and an optional
//! registration code along the lower arc; laid out for a circle and drawn as vector graphics.

use std::f32::consts::PI;

use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Transform};
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, FillRule, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};

use super::PadesError;
use super::font::{font, text_width};

/// Seal red (#E60012), as Chinese seals are printed.
const RED: (u8, u8, u8) = (230, 0, 18);

/// What a generated company seal says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompanySeal {
    organisation: String,
    title: Option<String>,
    code: Option<String>,
}

impl CompanySeal {
    /// A seal for `organisation` (2 to 30 characters), with an optional seal name (`合同专用章`,
    /// `财务专用章`, `公章`; up to 10 characters) and an optional 13- or 18-character registration
    /// code (the unified social credit code has 18).
    pub fn new(organisation: &str, title: Option<&str>, code: Option<&str>) -> Result<Self, PadesError> {
        let organisation: String = organisation.split_whitespace().collect::<Vec<_>>().join(" ");
        let n = organisation.chars().count();
        if !(2..=30).contains(&n) {
            return Err(PadesError::Seal(format!(
                "the organisation's name has {n} characters; a seal holds 2 to 30 (shorten it, for example without the legal form)"
            )));
        }
        let title = title.map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned);
        if let Some(t) = &title
            && t.chars().count() > 10
        {
            return Err(PadesError::Seal(format!("the seal's name `{t}` is longer than 10 characters")));
        }
        let code = code.map(str::trim).filter(|c| !c.is_empty()).map(str::to_owned);
        if let Some(c) = &code
            && (!matches!(c.chars().count(), 13 | 18) || !c.chars().all(|ch| ch.is_ascii_alphanumeric()))
        {
            return Err(PadesError::Seal(format!(
                "the code `{c}` is not 13 or 18 letters and digits (the unified social credit code has 18)"
            )));
        }
        Ok(Self { organisation, title, code })
    }

    /// The organisation's name as the seal shows it.
    pub fn organisation(&self) -> &str {
        &self.organisation
    }

    /// The seal's name under the star, if any.
    pub fn title(&self) -> Option<&str> {
        self.title.as_deref()
    }

    /// The registration code along the lower arc, if any.
    pub fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }

    /// Where everything goes in a seal of `diameter` points whose top-left corner is the origin
    /// (y grows downwards, as on a page being drawn).
    pub fn layout(&self, diameter: f32) -> SealLayout {
        let r = diameter / 2.0;
        let border = r * 0.07;
        let inner = r - border;
        let mut glyphs = Vec::new();
        // The lower code first: the name's arc stops short of it.
        let code_sweep = match &self.code {
            Some(code) => {
                let size = r * 0.085;
                let outer = inner - r * 0.035;
                let placed = arc(code, size, outer, PI / 2.0, 100f32.to_radians(), 100f32.to_radians(), false, r);
                let sweep = placed.1;
                glyphs.extend(placed.0);
                sweep
            }
            None => 0.0,
        };
        let upper_max = (2.0 * PI - code_sweep - 2.0 * 24f32.to_radians()).min(250f32.to_radians());
        let n = self.organisation.chars().count();
        // Short names spread over a third of the ring at least, as cut seals do.
        let preferred = ((n.saturating_sub(1)) as f32 * 30f32.to_radians()).max(120f32.to_radians()).min(upper_max);
        let mut size = r * 0.26;
        let outer = inner - r * 0.05;
        loop {
            let (placed, sweep) = arc(&self.organisation, size, outer, -PI / 2.0, preferred, upper_max, true, r);
            if sweep <= upper_max + 1e-4 || size < r * 0.04 {
                glyphs.extend(placed);
                break;
            }
            size *= 0.96;
        }
        let star_radius = if self.title.is_some() { r * 0.27 } else { r * 0.33 };
        let star_centre = (r, r - if self.title.is_some() { r * 0.06 } else { 0.0 });
        let star = star_points(star_centre, star_radius);
        if let Some(title) = &self.title {
            let centre_y = r + r * 0.47;
            let half_chord = ((inner - r * 0.1).powi(2) - (centre_y - r).powi(2)).max(0.0).sqrt();
            let size = (2.0 * half_chord * 0.72 / text_width(title, 1.0).max(0.01)).min(r * 0.17);
            let width = text_width(title, size);
            let mut x = r - width / 2.0;
            for ch in title.chars() {
                let w = text_width(&ch.to_string(), size);
                glyphs.push(PlacedGlyph { ch, x: x + w / 2.0, y: centre_y, rotation: 0.0, size, width: w });
                x += w;
            }
        }
        SealLayout { diameter, border, glyphs, star }
    }

    /// Draws the seal on `surface` with its top-left corner at (`x`, `y`).
    pub fn draw(&self, surface: &mut Surface<'_>, x: f32, y: f32, diameter: f32) -> Result<(), PadesError> {
        let bytes = font().map_err(|e| PadesError::Appearance(e.to_string()))?;
        let font =
            Font::new(bytes.into(), 0).ok_or_else(|| PadesError::Appearance("the font cannot be read".into()))?;
        let layout = self.layout(diameter);
        let r = diameter / 2.0;
        let red = || rgb::Color::new(RED.0, RED.1, RED.2);
        surface.push_transform(&Transform::from_translate(x, y));
        // The ring.
        let mut pb = PathBuilder::new();
        push_circle(&mut pb, r, r, r - layout.border / 2.0);
        if let Some(path) = pb.finish() {
            surface.set_fill(None);
            surface.set_stroke(Some(Stroke { paint: red().into(), width: layout.border, ..Default::default() }));
            surface.draw_path(&path);
            surface.set_stroke(None);
        }
        let fill = Fill { paint: red().into(), opacity: NormalizedF32::ONE, rule: FillRule::NonZero };
        surface.set_fill(Some(fill));
        let mut pb = PathBuilder::new();
        pb.move_to(layout.star[0].0, layout.star[0].1);
        for p in &layout.star[1..] {
            pb.line_to(p.0, p.1);
        }
        pb.close();
        if let Some(path) = pb.finish() {
            surface.draw_path(&path);
        }
        for g in &layout.glyphs {
            let (sin, cos) = g.rotation.sin_cos();
            surface.push_transform(&Transform::from_row(cos, sin, -sin, cos, g.x, g.y));
            // The glyph's visual centre sits about 0.38 em above its baseline.
            let at = Point::from_xy(-g.width / 2.0, g.size * 0.38);
            surface.draw_text(at, font.clone(), g.size, &g.ch.to_string(), false, TextDirection::Auto);
            surface.pop();
        }
        surface.pop();
        Ok(())
    }

    /// The seal alone as a one-page PDF of `diameter` × `diameter` points (for previews).
    pub fn render_pdf(&self, diameter: f32) -> Result<Vec<u8>, PadesError> {
        let mut doc = krilla::Document::new();
        let settings = PageSettings::from_wh(diameter, diameter)
            .ok_or_else(|| PadesError::Seal(format!("a seal of {diameter} points is too small")))?;
        let mut page = doc.start_page_with(settings);
        let mut surface = page.surface();
        self.draw(&mut surface, 0.0, 0.0, diameter)?;
        surface.finish();
        page.finish();
        doc.finish().map_err(|e| PadesError::Appearance(format!("{e:?}")))
    }
}

/// A seal's drawing, in points from its top-left corner (y down).
#[derive(Debug, Clone)]
pub struct SealLayout {
    /// The seal's diameter.
    pub diameter: f32,
    /// The ring's width.
    pub border: f32,
    /// Every character, placed.
    pub glyphs: Vec<PlacedGlyph>,
    /// The star's ten corners, outer and inner in turn, the first at the top.
    pub star: [(f32, f32); 10],
}

/// One character of the seal: its box's centre, its rotation (radians, clockwise on the page)
/// and its size.
#[derive(Debug, Clone, Copy)]
pub struct PlacedGlyph {
    /// The character.
    pub ch: char,
    /// Centre of its box.
    pub x: f32,
    /// Centre of its box.
    pub y: f32,
    /// Clockwise rotation of the upright character, radians.
    pub rotation: f32,
    /// Font size (the box's height).
    pub size: f32,
    /// The box's width.
    pub width: f32,
}

impl PlacedGlyph {
    /// The four corners of its box on the page.
    pub fn corners(&self) -> [(f32, f32); 4] {
        let (sin, cos) = self.rotation.sin_cos();
        let (hw, hh) = (self.width / 2.0, self.size / 2.0);
        [(-hw, -hh), (hw, -hh), (hw, hh), (-hw, hh)]
            .map(|(u, v)| (self.x + cos * u - sin * v, self.y + sin * u + cos * v))
    }
}

/// Places `text` along a circle around the seal's centre (`r`, `r`): each character's box between
/// `outer - size` and `outer` from the centre, the run centred on angle `middle` (radians,
/// clockwise from the +x axis: −π/2 is the top, π/2 the bottom), spread to `preferred` when it is
/// shorter. Upper text reads clockwise with tops outwards; lower text counter-clockwise with tops
/// inwards. Returns the glyphs and the sweep they take.
#[allow(clippy::too_many_arguments)]
fn arc(
    text: &str,
    size: f32,
    outer: f32,
    middle: f32,
    preferred: f32,
    max: f32,
    upper: bool,
    r: f32,
) -> (Vec<PlacedGlyph>, f32) {
    let centre_radius = outer - size / 2.0;
    let inner_radius = outer - size;
    // Spacing is judged where the boxes are closest: at their inner edge for the upper text
    // (tops outwards), at the inner edge too for the lower one (tops inwards, feet outwards).
    let widths: Vec<f32> = text.chars().map(|c| text_width(&c.to_string(), size)).collect();
    let angles: Vec<f32> = widths.iter().map(|w| 2.0 * ((w * 1.08 / 2.0) / inner_radius).min(1.0).asin()).collect();
    let natural: f32 = angles.iter().sum();
    let n = widths.len();
    let total = natural.max(preferred.min(max));
    let gap = if n > 1 { (total - natural) / (n - 1) as f32 } else { 0.0 };
    let sweep = total - if n > 0 { (angles[0] + angles[n - 1]) / 2.0 } else { 0.0 };
    let mut at = -total / 2.0;
    let mut glyphs = Vec::with_capacity(n);
    for ((ch, w), a) in text.chars().zip(&widths).zip(&angles) {
        let offset = at + a / 2.0;
        let phi = if upper { middle + offset } else { middle - offset };
        let rotation = if upper { phi + PI / 2.0 } else { phi - PI / 2.0 };
        glyphs.push(PlacedGlyph {
            ch,
            x: r + centre_radius * phi.cos(),
            y: r + centre_radius * phi.sin(),
            rotation,
            size,
            width: *w,
        });
        at += a + gap;
    }
    (glyphs, total.max(sweep))
}

fn star_points(centre: (f32, f32), outer: f32) -> [(f32, f32); 10] {
    let inner = outer * 0.382;
    std::array::from_fn(|i| {
        let radius = if i % 2 == 0 { outer } else { inner };
        let phi = -PI / 2.0 + i as f32 * PI / 5.0;
        (centre.0 + radius * phi.cos(), centre.1 + radius * phi.sin())
    })
}

/// A circle as four cubic Bézier quarters.
fn push_circle(pb: &mut PathBuilder, cx: f32, cy: f32, radius: f32) {
    let k = radius * 0.552_284_8;
    pb.move_to(cx + radius, cy);
    pb.cubic_to(cx + radius, cy + k, cx + k, cy + radius, cx, cy + radius);
    pb.cubic_to(cx - k, cy + radius, cx - radius, cy + k, cx - radius, cy);
    pb.cubic_to(cx - radius, cy - k, cx - k, cy - radius, cx, cy - radius);
    pb.cubic_to(cx + k, cy - radius, cx + radius, cy - k, cx + radius, cy);
    pb.close();
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// Separating-axis test of two convex quadrilaterals (shrunk by `margin` on every axis).
    fn overlap(a: &[(f32, f32); 4], b: &[(f32, f32); 4], margin: f32) -> bool {
        for poly in [a, b] {
            for i in 0..4 {
                let (p, q) = (poly[i], poly[(i + 1) % 4]);
                let axis = (q.1 - p.1, p.0 - q.0);
                let len = (axis.0 * axis.0 + axis.1 * axis.1).sqrt();
                let project = |pts: &[(f32, f32); 4]| {
                    let v: Vec<f32> = pts.iter().map(|(x, y)| (x * axis.0 + y * axis.1) / len).collect();
                    (v.iter().cloned().fold(f32::MAX, f32::min), v.iter().cloned().fold(f32::MIN, f32::max))
                };
                let (amin, amax) = project(a);
                let (bmin, bmax) = project(b);
                if amax - margin <= bmin || bmax - margin <= amin {
                    return false;
                }
            }
        }
        true
    }

    fn names() -> Vec<String> {
        let base = "深圳市前海数字证据科技服务有限公司北京上海广州杭州成都武汉南京";
        (2..=30).map(|n| base.chars().take(n).collect()).collect()
    }

    #[test]
    fn names_of_2_to_30_characters_fit_inside_the_ring_without_overlap() {
        let d = 120.0;
        for name in names() {
            for (title, code) in [(None, None), (Some("合同专用章"), Some("91440300MA5FXXXX0Q")), (Some("公章"), None)]
            {
                let seal = CompanySeal::new(&name, title, code).unwrap();
                let layout = seal.layout(d);
                let count = name.chars().count() + title.map_or(0, |t| t.chars().count()) + code.map_or(0, str::len);
                assert_eq!(layout.glyphs.len(), count, "{name}");
                let inner = d / 2.0 - layout.border;
                for g in &layout.glyphs {
                    for (x, y) in g.corners() {
                        let from_centre = ((x - d / 2.0).powi(2) + (y - d / 2.0).powi(2)).sqrt();
                        assert!(
                            from_centre <= inner + 0.01,
                            "{name}: `{}` crosses the ring ({from_centre} > {inner})",
                            g.ch
                        );
                    }
                }
                for (i, a) in layout.glyphs.iter().enumerate() {
                    for b in &layout.glyphs[i + 1..] {
                        assert!(!overlap(&a.corners(), &b.corners(), 0.05), "{name}: `{}` overlaps `{}`", a.ch, b.ch);
                    }
                }
                // Nothing written over the star.
                let xs = layout.star.iter().map(|p| p.0);
                let ys = layout.star.iter().map(|p| p.1);
                let star = [
                    (xs.clone().fold(f32::MAX, f32::min), ys.clone().fold(f32::MAX, f32::min)),
                    (xs.clone().fold(f32::MIN, f32::max), ys.clone().fold(f32::MAX, f32::min)),
                    (xs.clone().fold(f32::MIN, f32::max), ys.clone().fold(f32::MIN, f32::max)),
                    (xs.fold(f32::MAX, f32::min), ys.fold(f32::MIN, f32::max)),
                ];
                for g in &layout.glyphs {
                    assert!(!overlap(&g.corners(), &star, 0.05), "{name}: `{}` is on the star", g.ch);
                }
                // The name's characters stay legible: at least 8 % of the diameter.
                let smallest = layout.glyphs.iter().map(|g| g.size).fold(f32::MAX, f32::min);
                assert!(smallest >= d * 0.08 * 0.5, "{name}: characters of {smallest} points");
            }
        }
    }

    #[test]
    fn the_name_reads_clockwise_over_the_top_and_the_code_left_to_right_along_the_bottom() {
        let seal = CompanySeal::new("深圳贸易有限公司", Some("合同专用章"), Some("91440300MA5FXXXX0Q")).unwrap();
        let layout = seal.layout(100.0);
        let name: Vec<_> = layout.glyphs.iter().filter(|g| "深圳贸易有限公司".contains(g.ch)).collect();
        assert!(name.windows(2).all(|w| w[0].x < w[1].x), "left to right over the top");
        let middle = &name[name.len() / 2];
        assert!(middle.y < 30.0 && middle.rotation.abs() < 0.3, "upright at the top: {middle:?}");
        let code: Vec<_> = layout.glyphs.iter().filter(|g| g.ch.is_ascii_alphanumeric()).collect();
        assert!(code.windows(2).all(|w| w[0].x < w[1].x), "the code reads left to right");
        assert!(code.iter().all(|g| g.y > 60.0), "along the bottom");
        let title: Vec<_> = layout.glyphs.iter().filter(|g| "合同专用章".contains(g.ch)).collect();
        assert!(title.iter().all(|g| g.rotation == 0.0 && g.y > 55.0 && g.y < 85.0), "{title:?}");
        assert!(layout.star[0].1 < layout.star[5].1, "the star points up");
    }

    #[test]
    fn bad_seal_texts_are_refused_with_what_to_change() {
        assert!(CompanySeal::new("甲", None, None).unwrap_err().to_string().contains("2 to 30"));
        let long: String = "长".repeat(31);
        assert!(CompanySeal::new(&long, None, None).is_err());
        assert!(CompanySeal::new("某某公司", Some("一二三四五六七八九十一"), None).is_err());
        assert!(CompanySeal::new("某某公司", None, Some("12345")).unwrap_err().to_string().contains("18"));
        assert!(CompanySeal::new("某某公司", None, Some("91440300MA5F-XXX0Q")).is_err());
        assert!(CompanySeal::new("某某公司", None, Some("1234567890123")).is_ok());
    }

    #[test]
    fn the_seal_renders_as_a_pdf_page() {
        let seal = CompanySeal::new("Shenzhen Evidence Trading Co", Some("合同专用章"), None).unwrap();
        let pdf = seal.render_pdf(120.0).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        let doc = lopdf::Document::load_mem(&pdf).unwrap();
        assert_eq!(doc.get_pages().len(), 1);
    }
}
