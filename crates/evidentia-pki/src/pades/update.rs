//! Incremental updates that add a signature or document time-stamp field to a PDF: the original
//! bytes stay as they are, the update appends new and changed objects, a cross-reference section
//! of the original's kind and a trailer with /Prev; the /Contents placeholder is filled last.

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use lopdf::{Dictionary, Document, IncrementalDocument, Object, ObjectId, StringFormat, dictionary};

use super::PadesError;
use crate::digest::{DigestAlgorithm, DigestValue, MultiHasher};

/// Width of each number in the /ByteRange placeholder (enough for files up to 9.3 GB).
const RANGE_DIGITS: usize = 10;

/// A PDF loaded for an update: its bytes and its parsed objects.
pub struct LoadedPdf {
    /// The file's bytes.
    pub bytes: Vec<u8>,
    /// Its objects.
    pub doc: Document,
}

/// Reads and parses a PDF, refusing encrypted ones.
pub fn load(path: &Path) -> Result<LoadedPdf, PadesError> {
    let bytes =
        std::fs::read(path).map_err(|e| PadesError::Unreadable { path: path.to_owned(), why: e.to_string() })?;
    let doc = parse(path, &bytes)?;
    Ok(LoadedPdf { bytes, doc })
}

/// Parses PDF bytes read from `path`, refusing encrypted documents.
pub fn parse(path: &Path, bytes: &[u8]) -> Result<Document, PadesError> {
    let head = &bytes[..bytes.len().min(1024)];
    if !head.windows(5).any(|w| w == b"%PDF-") {
        return Err(PadesError::NotPdf(path.to_owned()));
    }
    // A complete PDF ends with startxref and %%EOF; a truncated one is refused rather than
    // reconstructed, since an update appended to it would point to what is missing.
    let tail = &bytes[bytes.len().saturating_sub(1024)..];
    let has = |needle: &[u8]| tail.windows(needle.len()).any(|w| w == needle);
    if !has(b"startxref") || !has(b"%%EOF") {
        return Err(PadesError::Unreadable {
            path: path.to_owned(),
            why: "it does not end with startxref and %%EOF, so it is truncated".into(),
        });
    }
    // The parser is another project's: a panic on hostile input is reported, not propagated.
    let loaded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| Document::load_mem(bytes)));
    let doc = match loaded {
        Ok(Ok(doc)) => doc,
        Ok(Err(e)) => return Err(PadesError::Unreadable { path: path.to_owned(), why: e.to_string() }),
        Err(_) => {
            return Err(PadesError::Unreadable { path: path.to_owned(), why: "the PDF parser gave up on it".into() });
        }
    };
    if doc.xref_start == 0 {
        return Err(PadesError::Unreadable {
            path: path.to_owned(),
            why: "its cross-reference table is damaged (its objects had to be found by scanning)".into(),
        });
    }
    if doc.trailer.get(b"Encrypt").is_ok() || doc.encryption_state.is_some() {
        return Err(PadesError::Encrypted(path.to_owned()));
    }
    if doc.catalog().is_err() {
        return Err(PadesError::Unreadable { path: path.to_owned(), why: "it has no document catalog".into() });
    }
    Ok(doc)
}

/// A PDF text string: literal when ASCII, else UTF-16BE with its byte-order mark.
pub fn text_string(text: &str) -> Object {
    if text.is_ascii() {
        Object::String(text.as_bytes().to_vec(), StringFormat::Literal)
    } else {
        let mut bytes = vec![0xFE, 0xFF];
        for unit in text.encode_utf16() {
            bytes.extend(unit.to_be_bytes());
        }
        Object::String(bytes, StringFormat::Hexadecimal)
    }
}

/// Decodes a PDF text string (UTF-16BE with a byte-order mark, else PDFDocEncoding read as Latin-1).
pub fn decode_text(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        let units: Vec<u16> = rest.chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect();
        String::from_utf16_lossy(&units)
    } else if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        String::from_utf8_lossy(rest).into_owned()
    } else {
        bytes.iter().map(|&b| b as char).collect()
    }
}

/// The value of `key` in `dict`, following one indirect reference.
pub fn resolve<'a>(doc: &'a Document, dict: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    let value = dict.get(key).ok()?;
    match value {
        Object::Reference(id) => doc.get_object(*id).ok(),
        other => Some(other),
    }
}

/// A page's /MediaBox as [x0 y0 x1 y1], inherited from the page tree when the page has none.
pub fn media_box(doc: &Document, page: ObjectId) -> Option<[f32; 4]> {
    let mut node = doc.get_dictionary(page).ok()?;
    for _ in 0..32 {
        if let Some(Object::Array(values)) = resolve(doc, node, b"MediaBox") {
            let n: Vec<f32> = values
                .iter()
                .filter_map(|v| match v {
                    Object::Integer(i) => Some(*i as f32),
                    Object::Real(r) => Some(*r),
                    _ => None,
                })
                .collect();
            return (n.len() == 4).then(|| [n[0].min(n[2]), n[1].min(n[3]), n[0].max(n[2]), n[1].max(n[3])]);
        }
        node = doc.get_dictionary(node.get(b"Parent").and_then(Object::as_reference).ok()?).ok()?;
    }
    None
}

/// A page's /Rotate (inherited from the page tree), as 0, 90, 180 or 270.
pub fn page_rotation(doc: &Document, page: ObjectId) -> u16 {
    let Ok(mut node) = doc.get_dictionary(page) else { return 0 };
    for _ in 0..32 {
        if let Some(Object::Integer(r)) = resolve(doc, node, b"Rotate") {
            return (((r / 90) * 90).rem_euclid(360)) as u16;
        }
        let Some(parent) =
            node.get(b"Parent").and_then(Object::as_reference).ok().and_then(|p| doc.get_dictionary(p).ok())
        else {
            return 0;
        };
        node = parent;
    }
    0
}

/// What the new field holds.
pub enum FieldValue {
    /// A signature dictionary (/Type /Sig, /SubFilter /ETSI.CAdES.detached).
    Signature {
        /// The signer's name (/Name).
        name: String,
        /// Why it was signed (/Reason).
        reason: Option<String>,
        /// Where (/Location).
        location: Option<String>,
        /// The claimed signing time (/M), as a PDF date.
        signing_time: String,
        /// A certification signature's DocMDP /P (1, 2 or 3); `None`: an approval signature.
        certify: Option<i64>,
        /// The fields it locks (FieldMDP), if any.
        lock: Option<super::FieldLock>,
    },
    /// A document time-stamp (/Type /DocTimeStamp, /SubFilter /ETSI.RFC3161).
    DocTimeStamp,
}

/// A field to add: where its widget sits and what it shows.
pub struct NewField {
    /// What the field holds.
    pub value: FieldValue,
    /// The page (object id) the widget is on.
    pub page: ObjectId,
    /// [x1 y1 x2 y2] in the page's user space; all zero for an invisible signature.
    pub rect: [f32; 4],
    /// The appearance form XObject, already added to the update (invisible: an empty one is made).
    pub appearance: Option<ObjectId>,
    /// Bytes reserved for the CMS or token in /Contents.
    pub contents_len: usize,
}

/// Where, in the written file, the placeholder lies.
#[derive(Debug, Clone, Copy)]
pub struct Placeholder {
    /// Offset of the `<` opening /Contents.
    pub contents_start: u64,
    /// Offset just past the `>` closing it.
    pub contents_end: u64,
    /// The whole file's length.
    pub file_len: u64,
}

impl Placeholder {
    /// /ByteRange: everything but the /Contents hex string.
    pub fn byte_range(&self) -> [u64; 4] {
        [0, self.contents_start, self.contents_end, self.file_len - self.contents_end]
    }

    /// Bytes the CMS may take.
    pub fn capacity(&self) -> usize {
        ((self.contents_end - self.contents_start - 2) / 2) as usize
    }
}

/// Names of the form fields the document already has (to pick a new, unique one).
pub fn field_names(doc: &Document) -> Vec<String> {
    let mut names = Vec::new();
    let Ok(catalog) = doc.catalog() else { return names };
    let Some(Object::Dictionary(form)) = resolve(doc, catalog, b"AcroForm") else { return names };
    let Some(Object::Array(fields)) = resolve(doc, form, b"Fields") else { return names };
    let mut stack: Vec<(Object, usize)> = fields.iter().map(|f| (f.clone(), 0)).collect();
    while let Some((field, depth)) = stack.pop() {
        let Object::Reference(id) = field else { continue };
        let Ok(dict) = doc.get_dictionary(id) else { continue };
        if let Ok(Object::String(t, _)) = dict.get(b"T") {
            names.push(decode_text(t));
        }
        if depth < 16
            && let Some(Object::Array(kids)) = resolve(doc, dict, b"Kids")
        {
            stack.extend(kids.iter().map(|k| (k.clone(), depth + 1)));
        }
    }
    names
}

/// A field name not yet used: `base1`, `base2`, …
pub fn unique_field_name(doc: &Document, base: &str) -> String {
    let taken = field_names(doc);
    (1..).map(|n| format!("{base}{n}")).find(|n| !taken.contains(n)).unwrap_or_else(|| base.to_owned())
}

/// A FieldMDP lock's /Action and /Fields.
fn lock_dictionary(lock: &super::FieldLock) -> lopdf::Dictionary {
    use super::FieldLock;
    let names = |n: &[String]| Object::Array(n.iter().map(|n| text_string(n)).collect());
    match lock {
        FieldLock::All => dictionary! { "Action" => "All" },
        FieldLock::Include(n) => dictionary! { "Action" => "Include", "Fields" => names(n) },
        FieldLock::Exclude(n) => dictionary! { "Action" => "Exclude", "Fields" => names(n) },
    }
}

/// Adds the field (a merged field and widget), its value with placeholders, the page's /Annots
/// entry and the form's /Fields entry to `update`.
pub fn add_field(update: &mut IncrementalDocument, field: &NewField, field_name: &str) -> Result<(), PadesError> {
    let placeholder_range = Object::Array(vec![Object::Integer(0), big(), big(), big()]);
    let contents = Object::String(vec![0u8; field.contents_len], StringFormat::Hexadecimal);
    let value = match &field.value {
        FieldValue::Signature { name, reason, location, signing_time, certify, lock } => {
            let mut d = dictionary! {
                "Type" => "Sig",
                "Filter" => "Adobe.PPKLite",
                "SubFilter" => "ETSI.CAdES.detached",
                "Name" => text_string(name),
                "M" => Object::String(signing_time.as_bytes().to_vec(), StringFormat::Literal),
            };
            if let Some(r) = reason {
                d.set("Reason", text_string(r));
            }
            if let Some(l) = location {
                d.set("Location", text_string(l));
            }
            let mut references = Vec::new();
            if let Some(p) = certify {
                references.push(Object::Dictionary(dictionary! {
                    "Type" => "SigRef",
                    "TransformMethod" => "DocMDP",
                    "TransformParams" => dictionary! { "Type" => "TransformParams", "P" => *p, "V" => "1.2" },
                }));
            }
            if let Some(lock) = lock {
                let mut params = lock_dictionary(lock);
                params.set("Type", "TransformParams");
                params.set("V", "1.2");
                references.push(Object::Dictionary(dictionary! {
                    "Type" => "SigRef",
                    "TransformMethod" => "FieldMDP",
                    "TransformParams" => params,
                    "Data" => catalog_id(update.get_prev_documents())?,
                }));
            }
            if !references.is_empty() {
                d.set("Reference", references);
            }
            d.set("ByteRange", placeholder_range);
            d.set("Contents", contents);
            d
        }
        FieldValue::DocTimeStamp => {
            let mut d = dictionary! {
                "Type" => "DocTimeStamp",
                "Filter" => "Adobe.PPKLite",
                "SubFilter" => "ETSI.RFC3161",
            };
            d.set("ByteRange", placeholder_range);
            d.set("Contents", contents);
            d
        }
    };
    let certification = matches!(field.value, FieldValue::Signature { certify: Some(_), .. });
    let value_id = update.new_document.add_object(value);
    if certification {
        // The catalog's /Perms /DocMDP names the certification signature.
        let root = catalog_id(update.get_prev_documents())?;
        update.opt_clone_object_to_new_document(root).map_err(pdf_error)?;
        update
            .new_document
            .get_dictionary_mut(root)
            .map_err(pdf_error)?
            .set("Perms", dictionary! { "DocMDP" => value_id });
    }
    let doc = &mut update.new_document;
    let appearance = match field.appearance {
        Some(id) => id,
        None => doc.add_object(lopdf::Stream::new(
            dictionary! { "Type" => "XObject", "Subtype" => "Form", "BBox" => vec![0.into(), 0.into(), 0.into(), 0.into()] },
            Vec::new(),
        )),
    };
    let widget = dictionary! {
        "Type" => "Annot",
        "Subtype" => "Widget",
        "FT" => "Sig",
        "T" => text_string(field_name),
        "V" => value_id,
        "F" => 132, // Print + Locked
        "P" => field.page,
        "Rect" => field.rect.iter().map(|&v| Object::Real(v)).collect::<Vec<_>>(),
        "AP" => dictionary! { "N" => appearance },
    };
    let mut widget = widget;
    if let FieldValue::Signature { lock: Some(lock), .. } = &field.value {
        // The field's own statement of what signing it locks, as Acrobat reads it.
        let mut l = lock_dictionary(lock);
        l.set("Type", "SigFieldLock");
        widget.set("Lock", l);
    }
    let widget_id = update.new_document.add_object(widget);
    add_to_page_annots(update, field.page, widget_id)?;
    add_to_form_fields(update, widget_id)?;
    Ok(())
}

fn big() -> Object {
    Object::Integer(10_i64.pow(RANGE_DIGITS as u32) - 1)
}

fn pdf_error(e: lopdf::Error) -> PadesError {
    PadesError::Structure(e.to_string())
}

/// Appends a reference to `item` to the array `key` of the dictionary `holder` (cloning the
/// holder, or the array when it is an object of its own, into the update).
fn append_reference(
    update: &mut IncrementalDocument,
    holder: ObjectId,
    key: &str,
    item: ObjectId,
) -> Result<(), PadesError> {
    update.opt_clone_object_to_new_document(holder).map_err(pdf_error)?;
    let current = update.new_document.get_dictionary(holder).map_err(pdf_error)?.get(key.as_bytes()).ok().cloned();
    let items = match current {
        Some(Object::Reference(array_id)) => {
            update.opt_clone_object_to_new_document(array_id).map_err(pdf_error)?;
            return match update.new_document.get_object_mut(array_id).map_err(pdf_error)? {
                Object::Array(items) => {
                    items.push(Object::Reference(item));
                    Ok(())
                }
                _ => Err(PadesError::Structure(format!("/{key} is not an array"))),
            };
        }
        Some(Object::Array(mut items)) => {
            items.push(Object::Reference(item));
            items
        }
        _ => vec![Object::Reference(item)],
    };
    update.new_document.get_dictionary_mut(holder).map_err(pdf_error)?.set(key, items);
    Ok(())
}

/// Appends `widget` to the page's /Annots.
fn add_to_page_annots(update: &mut IncrementalDocument, page: ObjectId, widget: ObjectId) -> Result<(), PadesError> {
    append_reference(update, page, "Annots", widget)
}

/// Appends `field` to the catalog's /AcroForm /Fields and sets /SigFlags 3.
fn add_to_form_fields(update: &mut IncrementalDocument, field: ObjectId) -> Result<(), PadesError> {
    let root = catalog_id(update.get_prev_documents())?;
    update.opt_clone_object_to_new_document(root).map_err(pdf_error)?;
    let form = update.new_document.get_dictionary(root).map_err(pdf_error)?.get(b"AcroForm").ok().cloned();
    let form_id = match form {
        Some(Object::Reference(id)) => {
            update.opt_clone_object_to_new_document(id).map_err(pdf_error)?;
            id
        }
        Some(Object::Dictionary(d)) => {
            // Move a direct form dictionary into its own object so the update changes one place.
            let id = update.new_document.add_object(d);
            update.new_document.get_dictionary_mut(root).map_err(pdf_error)?.set("AcroForm", id);
            id
        }
        _ => {
            let id = update.new_document.add_object(dictionary! { "Fields" => Vec::<Object>::new() });
            update.new_document.get_dictionary_mut(root).map_err(pdf_error)?.set("AcroForm", id);
            id
        }
    };
    append_reference(update, form_id, "Fields", field)?;
    update.new_document.get_dictionary_mut(form_id).map_err(pdf_error)?.set("SigFlags", 3);
    Ok(())
}

/// The catalog's object id.
pub fn catalog_id(doc: &Document) -> Result<ObjectId, PadesError> {
    doc.trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .map_err(|_| PadesError::Structure("the trailer names no document catalog (/Root)".into()))
}

/// Writes the original bytes and the update to `out` (a new file) and finds the placeholder in
/// what was appended.
pub fn write(update: &mut IncrementalDocument, out: &Path) -> Result<Placeholder, PadesError> {
    let prev_len = update.get_prev_documents_bytes().len() as u64;
    let unwritable = |e: std::io::Error| PadesError::Unwritable { path: out.to_owned(), why: e.to_string() };
    let mut file = save(update, out)?;
    let file_len = file.metadata().map_err(unwritable)?.len();

    let mut tail = Vec::new();
    file.seek(SeekFrom::Start(prev_len)).map_err(unwritable)?;
    (&file).take(file_len - prev_len).read_to_end(&mut tail).map_err(unwritable)?;
    let missing = || PadesError::Structure("the signature placeholder was not written".into());
    let range_at = find(&tail, b"/ByteRange", 0).ok_or_else(missing)?;
    let open = find(&tail, b"[", range_at).ok_or_else(missing)?;
    let close = find(&tail, b"]", open).ok_or_else(missing)?;
    // The /Contents hex string: the run of zeros right after /Contents in the same dictionary.
    let contents_at = find_contents(&tail).ok_or_else(missing)?;
    let contents_end = contents_at + tail[contents_at..].iter().position(|&b| b == b'>').ok_or_else(missing)? + 1;
    let placeholder = Placeholder {
        contents_start: prev_len + contents_at as u64,
        contents_end: prev_len + contents_end as u64,
        file_len,
    };
    // The real /ByteRange, padded with spaces to the placeholder's width.
    let [a, b, c, d] = placeholder.byte_range();
    let text = format!("{a} {b} {c} {d}");
    let width = close - open - 1;
    if text.len() > width {
        return Err(PadesError::Structure("the file is too large for the /ByteRange placeholder".into()));
    }
    file.seek(SeekFrom::Start(prev_len + open as u64 + 1)).map_err(unwritable)?;
    file.write_all(format!("{text:<width$}").as_bytes()).map_err(unwritable)?;
    file.sync_all().map_err(unwritable)?;
    Ok(placeholder)
}

/// Writes the original bytes and the update to `out` (a new file).
pub fn save(update: &mut IncrementalDocument, out: &Path) -> Result<std::fs::File, PadesError> {
    let unwritable = |e: std::io::Error| PadesError::Unwritable { path: out.to_owned(), why: e.to_string() };
    let file =
        std::fs::OpenOptions::new().read(true).write(true).create(true).truncate(true).open(out).map_err(unwritable)?;
    let mut writer = std::io::BufWriter::new(file);
    update.save_to(&mut writer).map_err(|e| PadesError::Unwritable { path: out.to_owned(), why: e.to_string() })?;
    let mut file = writer.into_inner().map_err(|e| unwritable(e.into_error()))?;
    file.flush().map_err(unwritable)?;
    file.sync_all().map_err(unwritable)?;
    Ok(file)
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    hay.get(from..)?.windows(needle.len()).position(|w| w == needle).map(|p| p + from)
}

/// The offset of the `<` of a `/Contents<000…>` entry.
fn find_contents(tail: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(at) = find(tail, b"/Contents", from) {
        let mut i = at + b"/Contents".len();
        while tail.get(i).is_some_and(|b| b.is_ascii_whitespace()) {
            i += 1;
        }
        if tail.get(i) == Some(&b'<') && tail.get(i + 1) == Some(&b'0') && tail.get(i + 2) == Some(&b'0') {
            return Some(i);
        }
        from = at + 1;
    }
    None
}

/// The digest of a file's byte range, read in chunks (large files are not held in memory).
pub fn digest_byte_range(
    path: &Path,
    range: &[u64],
    algorithm: DigestAlgorithm,
) -> Result<DigestValue, std::io::Error> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = MultiHasher::new(&[algorithm]);
    let mut buf = vec![0u8; crate::digest::CHUNK_SIZE.min(1 << 20)];
    for pair in range.chunks_exact(2) {
        let (start, len) = (pair[0], pair[1]);
        file.seek(SeekFrom::Start(start))?;
        let mut left = len;
        while left > 0 {
            let want = (left as usize).min(buf.len());
            file.read_exact(&mut buf[..want])?;
            hasher.update(&buf[..want]);
            left -= want as u64;
        }
    }
    Ok(hasher.finish().remove(algorithm).unwrap_or_default())
}

/// Writes the CMS (or token) into the placeholder, hex-encoded and zero-padded.
pub fn fill(path: &Path, placeholder: &Placeholder, der: &[u8]) -> Result<(), PadesError> {
    if der.len() > placeholder.capacity() {
        return Err(PadesError::PlaceholderTooSmall { needed: der.len(), reserved: placeholder.capacity() });
    }
    let unwritable = |e: std::io::Error| PadesError::Unwritable { path: path.to_owned(), why: e.to_string() };
    let mut file = std::fs::OpenOptions::new().write(true).open(path).map_err(unwritable)?;
    file.seek(SeekFrom::Start(placeholder.contents_start + 1)).map_err(unwritable)?;
    let mut hex_text = hex::encode_upper(der).into_bytes();
    hex_text.resize(placeholder.capacity() * 2, b'0');
    file.write_all(&hex_text).map_err(unwritable)?;
    file.sync_all().map_err(unwritable)
}

/// A sibling path for a file being written, renamed over `out` once complete.
pub fn partial_path(out: &Path) -> PathBuf {
    let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "signed.pdf".into());
    out.with_file_name(format!(".{name}.partial"))
}
