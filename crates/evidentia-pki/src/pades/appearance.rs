//! The visible signature's appearance: the signer's name, the signing time, the reason and an
//! optional image (a handwritten signature or the company seal), drawn with the report font
//! (Latin and CJK, subset on output) and placed in the PDF as a form XObject.

use std::collections::HashMap;

use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect, Size, Transform};
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, FillRule, Stroke};
use krilla::text::{Font, TextDirection};
use lopdf::{Document, IncrementalDocument, Object, ObjectId, Stream, dictionary};

use super::PadesError;
use super::company_seal::CompanySeal;
use super::font::{font, text_width};

/// What the appearance says.
#[derive(Debug, Clone)]
pub struct AppearanceText {
    /// The signer's name (from the certificate).
    pub name: String,
    /// When, in words (`2026-11-29 21:04 UTC`).
    pub time: String,
    /// Why, if given.
    pub reason: Option<String>,
    /// Where, if given.
    pub location: Option<String>,
}

fn fill(r: u8, g: u8, b: u8) -> Fill {
    Fill { paint: rgb::Color::new(r, g, b).into(), opacity: NormalizedF32::ONE, rule: FillRule::NonZero }
}

/// The largest size up to `max` at which `text` fits `width`.
fn fitting_size(text: &str, width: f32, max: f32) -> f32 {
    let at_one = text_width(text, 1.0).max(0.01);
    (width / at_one).min(max).max(3.0)
}

/// Draws the appearance as a one-page PDF of `w` × `h` points. A company seal in a box about as
/// wide as high is drawn alone, centred, as seals are stamped; in a wider box it stands left of
/// the text, as an image does.
pub fn render(
    w: f32,
    h: f32,
    text: &AppearanceText,
    image: Option<&[u8]>,
    seal: Option<&CompanySeal>,
) -> Result<Vec<u8>, PadesError> {
    let bytes = font().map_err(|e| PadesError::Appearance(e.to_string()))?;
    let font = Font::new(bytes.into(), 0).ok_or_else(|| PadesError::Appearance("the font cannot be read".into()))?;
    let mut doc = krilla::Document::new();
    let settings = PageSettings::from_wh(w, h)
        .ok_or_else(|| PadesError::Appearance(format!("a {w} × {h} point rectangle is too small")))?;
    let mut page = doc.start_page_with(settings);
    let mut s = page.surface();
    let pad = (h * 0.06).clamp(1.0, 6.0);
    if let Some(seal) = seal
        && w < h * 1.6
    {
        let diameter = w.min(h) - 2.0 * pad;
        seal.draw(&mut s, (w - diameter) / 2.0, (h - diameter) / 2.0, diameter)?;
        s.finish();
        page.finish();
        return doc.finish().map_err(|e| PadesError::Appearance(format!("{e:?}")));
    }

    // A frame, so the signature reads as one block on the page.
    if let Some(frame) = Rect::from_xywh(0.5, 0.5, w - 1.0, h - 1.0) {
        let mut pb = PathBuilder::new();
        pb.push_rect(frame);
        if let Some(path) = pb.finish() {
            s.set_fill(None);
            s.set_stroke(Some(Stroke { paint: rgb::Color::new(31, 78, 140).into(), width: 0.8, ..Default::default() }));
            s.draw_path(&path);
            s.set_stroke(None);
        }
    }

    let mut text_x = pad;
    if let Some(seal) = seal {
        let side = (h - 2.0 * pad).min(w * 0.4);
        seal.draw(&mut s, pad, (h - side) / 2.0, side)?;
        text_x = pad * 2.0 + side;
    } else if let Some(bytes) = image {
        let data: krilla::Data = bytes.to_vec().into();
        let picture = if bytes.starts_with(&[0x89, b'P', b'N', b'G']) {
            krilla::image::Image::from_png(data, true)
        } else if bytes.starts_with(&[0xFF, 0xD8]) {
            krilla::image::Image::from_jpeg(data, true)
        } else {
            Err("only PNG and JPEG images are supported".into())
        }
        .map_err(PadesError::Image)?;
        let (iw, ih) = picture.size();
        let side = (h - 2.0 * pad).min(w * 0.4);
        let scale = (side / iw as f32).min(side / ih as f32);
        let (dw, dh) = (iw as f32 * scale, ih as f32 * scale);
        let size = Size::from_wh(dw, dh).ok_or_else(|| PadesError::Image("the image has no size".into()))?;
        s.push_transform(&Transform::from_translate(pad, (h - dh) / 2.0));
        s.draw_image(picture, size);
        s.pop();
        text_x = pad * 2.0 + side;
    }

    let width = w - text_x - pad;
    let mut lines: Vec<(String, f32, (u8, u8, u8))> = Vec::new();
    let small = (h / 7.0).clamp(4.0, 9.0);
    lines.push((text.name.clone(), fitting_size(&text.name, width, (h / 3.2).min(20.0)), (20, 20, 20)));
    lines.push((text.time.clone(), fitting_size(&text.time, width, small), (70, 70, 70)));
    if let Some(r) = &text.reason {
        lines.push((r.clone(), fitting_size(r, width, small), (70, 70, 70)));
    }
    if let Some(l) = &text.location {
        lines.push((l.clone(), fitting_size(l, width, small), (70, 70, 70)));
    }
    let total: f32 = lines.iter().map(|(_, size, _)| size * 1.25).sum();
    let mut y = ((h - total) / 2.0).max(pad * 0.5);
    for (line, size, (r, g, b)) in lines {
        y += size;
        if y > h {
            break;
        }
        s.set_fill(Some(fill(r, g, b)));
        s.draw_text(Point::from_xy(text_x, y), font.clone(), size, &line, false, TextDirection::Auto);
        y += size * 0.25;
    }
    s.finish();
    page.finish();
    doc.finish().map_err(|e| PadesError::Appearance(format!("{e:?}")))
}

/// Copies the one page of `pdf` into `update` as a form XObject with bounding box [0 0 w h] and
/// returns its id. On a page turned by /Rotate, the form is turned back (its /Matrix) so that
/// the appearance stands upright as the page is shown; `w` × `h` is then its size as seen.
pub fn import_as_form(
    update: &mut IncrementalDocument,
    pdf: &[u8],
    w: f32,
    h: f32,
    page_rotation: u16,
) -> Result<ObjectId, PadesError> {
    let bad = |e: lopdf::Error| PadesError::Appearance(e.to_string());
    let source = Document::load_mem(pdf).map_err(bad)?;
    let page =
        *source.get_pages().get(&1).ok_or_else(|| PadesError::Appearance("the drawn appearance has no page".into()))?;
    let content = source.get_page_content(page);
    let page_dict = source.get_dictionary(page).map_err(bad)?;
    let resources = page_dict.get(b"Resources").cloned().unwrap_or(Object::Dictionary(Default::default()));
    let mut map = HashMap::new();
    let resources = copy(&resources, &source, &mut update.new_document, &mut map, 0);
    let mut form = Stream::new(
        dictionary! {
            "Type" => "XObject",
            "Subtype" => "Form",
            "BBox" => vec![0.into(), 0.into(), Object::Real(w), Object::Real(h)],
            "Resources" => resources,
        },
        content,
    );
    let matrix: Option<[i64; 6]> = match page_rotation {
        90 => Some([0, 1, -1, 0, 0, 0]),
        180 => Some([-1, 0, 0, -1, 0, 0]),
        270 => Some([0, -1, 1, 0, 0, 0]),
        _ => None,
    };
    if let Some(m) = matrix {
        form.dict.set("Matrix", m.iter().map(|&v| Object::Integer(v)).collect::<Vec<_>>());
    }
    let _ = form.compress();
    Ok(update.new_document.add_object(form))
}

/// A deep copy of `object` from `source` into `target`, giving referenced objects new ids.
fn copy(
    object: &Object,
    source: &Document,
    target: &mut Document,
    map: &mut HashMap<ObjectId, ObjectId>,
    depth: usize,
) -> Object {
    if depth > 64 {
        return Object::Null;
    }
    match object {
        Object::Reference(id) => {
            if let Some(new) = map.get(id) {
                return Object::Reference(*new);
            }
            let new = target.new_object_id();
            map.insert(*id, new);
            let copied =
                source.get_object(*id).map(|o| copy(o, source, target, map, depth + 1)).unwrap_or(Object::Null);
            target.objects.insert(new, copied);
            Object::Reference(new)
        }
        Object::Array(items) => Object::Array(items.iter().map(|o| copy(o, source, target, map, depth + 1)).collect()),
        Object::Dictionary(d) => {
            let mut out = lopdf::Dictionary::new();
            for (k, v) in d.iter() {
                out.set(k.clone(), copy(v, source, target, map, depth + 1));
            }
            Object::Dictionary(out)
        }
        Object::Stream(s) => {
            let mut out = s.clone();
            let mut dict = lopdf::Dictionary::new();
            for (k, v) in s.dict.iter() {
                dict.set(k.clone(), copy(v, source, target, map, depth + 1));
            }
            out.dict = dict;
            Object::Stream(out)
        }
        other => other.clone(),
    }
}
