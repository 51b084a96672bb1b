//! What changed in a PDF after a signature: every object added or changed by later revisions,
//! classified as pyHanko's difference analysis does — long-term validation updates (validation
//! data, document time-stamps, metadata), form filling and signing, annotations, or a change to
//! the document (named by page and object). Whatever the signed revision's pages draw (content
//! streams, their resources, other annotations' appearances) can never change, even when a
//! signature field's appearance points at it.

use std::collections::{BTreeMap, HashSet};

use lopdf::{Dictionary, Document, Object, ObjectId};
use serde::Serialize;

use super::update;

/// What kind of update a change is, from the least to the most a signature must permit
/// (ISO 32000-2 DocMDP: P=1 permits long-term validation updates only, P=2 form filling and
/// signing too, P=3 annotations too; an approval signature permits what P=2 does).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeClass {
    /// Validation data (DSS, VRI), a document time-stamp and its field, metadata.
    LtaUpdate,
    /// A signature field added or signed, and what the form needs for it.
    FormFilling,
    /// An annotation added or changed.
    Annotation,
    /// The document itself: what its pages show, its structure, anything else.
    Document,
}

impl ChangeClass {
    /// The most a DocMDP permission level allows (1, 2 or 3; any other value as 2). P=3 permits
    /// annotations in ISO 32000's words; pyHanko, the reference verifier here, explains no
    /// annotation change under any level, and a wrong PASSED costs more than a wrong FAILED, so
    /// annotations stay beyond what any signature permits until a corpus shows otherwise.
    pub fn permitted_by(p: i64) -> ChangeClass {
        match p {
            1 => ChangeClass::LtaUpdate,
            _ => ChangeClass::FormFilling,
        }
    }
}

/// One object added or changed after a signature.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    /// The object, as `N G`.
    pub object: String,
    /// The page it belongs to, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    /// What changed, in words.
    pub what: String,
    /// What kind of update it is.
    pub class: ChangeClass,
    /// Whether the signature permits it (by default what an approval signature permits).
    pub allowed: bool,
}

/// Equal objects, numbers compared by value (`612` and `612.0` are the same width).
fn same(a: &Object, b: &Object) -> bool {
    match (a, b) {
        (Object::Integer(x), Object::Real(y)) | (Object::Real(y), Object::Integer(x)) => {
            (*x as f64 - *y as f64).abs() < 1e-6
        }
        (Object::Array(x), Object::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b)),
        (Object::Dictionary(x), Object::Dictionary(y)) => same_dict(x, y),
        (Object::Stream(x), Object::Stream(y)) => same_dict(&x.dict, &y.dict) && x.content == y.content,
        _ => a == b,
    }
}

fn same_dict(x: &Dictionary, y: &Dictionary) -> bool {
    x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_ok_and(|w| same(v, w)))
}

fn type_of(object: &Object) -> Option<&[u8]> {
    let dict = match object {
        Object::Dictionary(d) => d,
        Object::Stream(s) => &s.dict,
        _ => return None,
    };
    dict.get(b"Type").and_then(Object::as_name).ok()
}

fn dict_of(object: &Object) -> Option<&Dictionary> {
    match object {
        Object::Dictionary(d) => Some(d),
        Object::Stream(s) => Some(&s.dict),
        _ => None,
    }
}

fn is_signature_field(object: &Object) -> bool {
    dict_of(object).is_some_and(|d| d.get(b"FT").and_then(Object::as_name).is_ok_and(|n| n == b"Sig"))
}

/// Keys whose differences between two dictionaries.
fn changed_keys(old: &Dictionary, new: &Dictionary) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    for (k, v) in new.iter() {
        if old.get(k).map(|o| !same(o, v)).unwrap_or(true) {
            keys.push(String::from_utf8_lossy(k).into_owned());
        }
    }
    for (k, _) in old.iter() {
        if new.get(k).is_err() {
            keys.push(String::from_utf8_lossy(k).into_owned());
        }
    }
    keys
}

/// When `new` is `old` with references inserted (appended, as a rule), the most any of them needs (a signature or
/// time-stamp field, an annotation); `None` when anything else changed.
fn appended_class(
    old: &[Object],
    new: &[Object],
    lta: &HashSet<ObjectId>,
    signing: &HashSet<ObjectId>,
    annotations: &HashSet<ObjectId>,
) -> Option<ChangeClass> {
    // Every element that was there is still there, in its order; the others were inserted.
    let mut kept = old.iter().peekable();
    let mut inserted = Vec::new();
    for o in new {
        match kept.peek() {
            Some(k) if same(k, o) => {
                kept.next();
            }
            _ => inserted.push(o),
        }
    }
    if kept.peek().is_some() {
        return None;
    }
    inserted.into_iter().try_fold(ChangeClass::LtaUpdate, |most, o| {
        let Object::Reference(id) = o else { return None };
        let class = if lta.contains(id) {
            ChangeClass::LtaUpdate
        } else if signing.contains(id) {
            ChangeClass::FormFilling
        } else if annotations.contains(id) {
            ChangeClass::Annotation
        } else {
            return None;
        };
        Some(most.max(class))
    })
}

fn array_value<'a>(doc: &'a Document, dict: &'a Dictionary, key: &[u8]) -> Vec<Object> {
    match dict.get(key) {
        Ok(Object::Array(a)) => a.clone(),
        Ok(Object::Reference(id)) => doc.get_object(*id).and_then(Object::as_array).cloned().unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// Page numbers by page object and by content stream, in `doc`.
fn page_index(doc: &Document) -> BTreeMap<ObjectId, u32> {
    let mut index = BTreeMap::new();
    for (number, id) in doc.get_pages() {
        index.insert(id, number);
        for content in doc.get_page_contents(id) {
            index.entry(content).or_insert(number);
        }
    }
    index
}

/// Every object added or changed in `latest` compared with `signed` (the revision a signature
/// covers), classified.
pub fn changes(signed: &Document, latest: &Document) -> Vec<Change> {
    let skip = |o: &Object| matches!(type_of(o), Some(b"XRef") | Some(b"ObjStm"));
    let touched: Vec<(ObjectId, &Object)> = latest
        .objects
        .iter()
        .filter(|(id, o)| !skip(o) && signed.objects.get(id).is_none_or(|old| !same(old, o)))
        .map(|(id, o)| (*id, o))
        .collect();
    let touched_ids: HashSet<ObjectId> = touched.iter().map(|(id, _)| *id).collect();

    // What the signed revision shows: never to change, whatever points at it.
    let drawn = drawn_objects(signed);
    // Nor pages, the page tree, the catalog (their keys are judged one by one below), an
    // annotation that was already there (a change to it is no part of signing), nor a signature
    // already made: its dictionary and its field (a new /Reason over the same /Contents is a
    // spoofing attack, not signing).
    // Form filling: a field that was there gets a value and its appearance (/V, /AP, /AS) and
    // nothing else; any other change to a form field is not filling it.
    let filled: HashSet<ObjectId> = touched
        .iter()
        .filter(|(id, o)| {
            signed.objects.get(id).is_some_and(|old| {
                is_form_field(old)
                    && !is_signature_field(old)
                    && match (dict_of(old), dict_of(o)) {
                        (Some(a), Some(b)) => {
                            changed_keys(a, b).iter().all(|k| matches!(k.as_str(), "V" | "AP" | "AS"))
                        }
                        _ => false,
                    }
            })
        })
        .map(|(id, _)| *id)
        .collect();
    // A signed field made read-only (/Ff) by a later signature's lock: it shows and proves the same.
    let locked: HashSet<ObjectId> = touched
        .iter()
        .filter(|(id, o)| {
            signed.objects.get(id).is_some_and(|old| {
                is_signature_field(old)
                    && match (dict_of(old), dict_of(o)) {
                        (Some(a), Some(b)) => changed_keys(a, b).iter().all(|k| k == "Ff"),
                        _ => false,
                    }
            })
        })
        .map(|(id, _)| *id)
        .collect();
    let never_allowed = |id: &ObjectId| {
        drawn.contains(id)
            || latest
                .get_object(*id)
                .ok()
                .and_then(type_of)
                .is_some_and(|t| t == b"Page" || t == b"Pages" || t == b"Catalog")
            || signed.objects.get(id).is_some_and(|o| {
                (is_annotation(o) || is_form_field(o)) && !is_signature_field(o) && !filled.contains(id)
            })
            || (signed.objects.get(id).is_some_and(is_signed) && !locked.contains(id))
    };

    // What long-term validation adds: the DSS (direct or not) and document time-stamps with their fields.
    let catalog = latest.catalog().ok();
    let mut lta_seeds: Vec<ObjectId> = touched
        .iter()
        .filter(|(_, o)| type_of(o) == Some(b"DocTimeStamp") || is_timestamp_field(latest, o))
        .map(|(id, _)| *id)
        .collect();
    for key in [&b"DSS"[..], b"Extensions"] {
        match catalog.and_then(|c| c.get(key).ok()) {
            Some(Object::Reference(id)) => lta_seeds.push(*id),
            Some(direct) => collect_refs(direct, &mut lta_seeds, 0),
            None => {}
        }
    }
    let lta = reach(latest, lta_seeds, &touched_ids, &never_allowed, &HashSet::new());

    // What signing adds: signature fields with their values and appearances, the fonts the form's
    // /DR gains for them, and the structure tree's entries for their widgets.
    let mut signing_seeds: Vec<ObjectId> = touched
        .iter()
        .filter(|(_, o)| is_signature_field(o) || type_of(o) == Some(b"Sig"))
        .map(|(id, _)| *id)
        .collect();
    signing_seeds.extend(filled.iter().chain(&locked).copied());
    let form = catalog.and_then(|c| update::resolve(latest, c, b"AcroForm")).and_then(dict_of);
    if let Some(dr) = form.and_then(|f| f.get(b"DR").ok()) {
        collect_refs(dr, &mut signing_seeds, 0);
    }
    if let Some(tree) = catalog.and_then(|c| c.get(b"StructTreeRoot").ok()) {
        collect_refs(tree, &mut signing_seeds, 0);
    }
    let signing = reach(latest, signing_seeds, &touched_ids, &never_allowed, &lta);

    // Annotations added (not signature widgets) and their appearances.
    let annotation_seeds: Vec<ObjectId> = touched
        .iter()
        .filter(|(id, o)| !signed.objects.contains_key(id) && is_annotation(o) && !is_signature_field(o))
        .map(|(id, _)| *id)
        .collect();
    let mut earlier = lta.clone();
    earlier.extend(signing.iter().copied());
    let annotations = reach(latest, annotation_seeds, &touched_ids, &never_allowed, &earlier);
    let mut allowed = earlier.clone();
    allowed.extend(annotations.iter().copied());

    // Document metadata (the trailer's /Info, the catalog's XMP /Metadata) may be updated by a
    // signer's tool; it is not shown as the document's content.
    let info = latest.trailer.get(b"Info").and_then(Object::as_reference).ok();
    let xmp = latest.catalog().ok().and_then(|c| c.get(b"Metadata").and_then(Object::as_reference).ok());
    let metadata: HashSet<ObjectId> = info.into_iter().chain(xmp).filter(|id| touched_ids.contains(id)).collect();

    // What the document still refers to: an object nothing reaches (a DSS a later update replaced,
    // an object a tool wrote and dropped) shows nothing and proves nothing, as pyHanko's orphans.
    let live = reachable(latest);

    let pages = page_index(signed);
    let root = latest.trailer.get(b"Root").and_then(Object::as_reference).ok();
    let form_id = latest.catalog().ok().and_then(|c| c.get(b"AcroForm").and_then(Object::as_reference).ok());
    let label = |id: ObjectId| format!("{} {}", id.0, id.1);
    let mut out = Vec::new();
    // A writer may put the catalog in a new object: it is compared with the signed one.
    let signed_root = signed.trailer.get(b"Root").and_then(Object::as_reference).ok();
    for (id, object) in &touched {
        let old = match signed.objects.get(id) {
            None if Some(*id) == root => signed_root.and_then(|r| signed.objects.get(&r)),
            old => old,
        };
        let page = pages.get(id).copied();
        let change = |what: String, class: ChangeClass| Change {
            object: label(*id),
            page,
            what,
            class,
            allowed: class <= ChangeClass::FormFilling,
        };
        if !live.contains(id) && !drawn.contains(id) {
            out.push(change(
                "an object nothing in the document refers to was added or changed: it has no effect".to_owned(),
                ChangeClass::LtaUpdate,
            ));
            continue;
        }
        if metadata.contains(id) && !drawn.contains(id) {
            let what = if Some(*id) == info { "the document information (/Info)" } else { "the XMP metadata" };
            out.push(change(format!("{what} was updated"), ChangeClass::LtaUpdate));
            continue;
        }
        if annotations.contains(id) {
            let what = if old.is_none() { "added" } else { "changed" };
            out.push(change(format!("an annotation{} was {what}", kind(object)), ChangeClass::Annotation));
            continue;
        }
        if allowed.contains(id) {
            let class = if lta.contains(id) { ChangeClass::LtaUpdate } else { ChangeClass::FormFilling };
            let what = match (old, type_of(object)) {
                (None, Some(b"Sig")) => "a signature was added".to_owned(),
                (None, Some(b"DocTimeStamp")) => "a document time-stamp was added".to_owned(),
                (None, Some(b"DSS")) => "validation data (DSS) was added".to_owned(),
                (None, _) if is_signature_field(object) => "a signature field was added".to_owned(),
                (None, _) => "an object of a signature or of validation data was added".to_owned(),
                (Some(_), _) if is_signature_field(object) => "a signature field was signed".to_owned(),
                (Some(_), _) if lta.contains(id) => "validation data was updated".to_owned(),
                (Some(_), _) => "an object of a signature field or of the form was updated".to_owned(),
            };
            out.push(change(what, class));
            continue;
        }
        let Some(old) = old else {
            out.push(change(
                format!("an object{} was added that no signature needs", kind(object)),
                ChangeClass::Document,
            ));
            continue;
        };
        let (Some(old_d), Some(new_d)) = (dict_of(old), dict_of(object)) else {
            // An array: /Annots or /Fields growing by signature fields.
            let grown = match (old, object) {
                (Object::Array(o), Object::Array(n)) if !drawn.contains(id) => {
                    appended_class(o, n, &lta, &signing, &annotations)
                }
                _ => None,
            };
            match grown {
                Some(class) => out.push(change("fields or annotations were appended to a list".into(), class)),
                None => out.push(change(format!("object {} was changed", label(*id)), ChangeClass::Document)),
            }
            continue;
        };
        let keys = changed_keys(old_d, new_d);
        let is_stream = matches!(object, Object::Stream(_));
        let class = if drawn.contains(id) {
            None
        } else if Some(*id) == root {
            let form_class = || form_change(signed, latest, old_d, new_d, &lta, &signing, &annotations);
            keys.iter()
                .map(|k| match k.as_str() {
                    "DSS" | "Extensions" | "Metadata" | "Version" => Some(ChangeClass::LtaUpdate),
                    "AcroForm" => form_class(),
                    "StructTreeRoot" => Some(ChangeClass::FormFilling),
                    _ => None,
                })
                .try_fold(ChangeClass::LtaUpdate, |most, c| c.map(|c| most.max(c)))
        } else if Some(*id) == form_id {
            form_dict_class(signed, latest, old_d, new_d, &lta, &signing, &annotations)
        } else if type_of(object) == Some(b"Page") && !is_stream {
            if keys.iter().all(|k| k == "Annots") {
                appended_class(
                    &array_value(signed, old_d, b"Annots"),
                    &array_value(latest, new_d, b"Annots"),
                    &lta,
                    &signing,
                    &annotations,
                )
            } else {
                None
            }
        } else if type_of(object) == Some(b"DSS") {
            Some(ChangeClass::LtaUpdate)
        } else {
            None
        };
        let what = match class {
            Some(_) if Some(*id) == root => format!("the catalog's {} changed for signing", keys.join(", ")),
            Some(c) if type_of(object) == Some(b"Page") => {
                let gained =
                    if c == ChangeClass::Annotation { "annotations" } else { "signature or time-stamp fields" };
                match page {
                    Some(n) => format!("page {n}'s /Annots gained {gained}"),
                    None => format!("a page's /Annots gained {gained}"),
                }
            }
            Some(_) => "the form's field list grew".to_owned(),
            None if drawn.contains(id) => match page {
                Some(n) => format!("object {} that page {n} draws was changed", label(*id)),
                None => format!("object {} that a page draws was changed", label(*id)),
            },
            None => match page {
                Some(n) if type_of(object) == Some(b"Page") => format!("page {n} was changed ({})", keys.join(", ")),
                Some(n) => format!("the content of page {n} was changed (object {})", label(*id)),
                None => format!("object {}{} was changed ({})", label(*id), kind(object), keys.join(", ")),
            },
        };
        out.push(change(what, class.unwrap_or(ChangeClass::Document)));
    }
    for id in signed.objects.keys() {
        if !latest.objects.contains_key(id) && !signed.objects.get(id).is_some_and(skip) {
            out.push(Change {
                object: label(*id),
                page: pages.get(id).copied(),
                what: format!("object {} was removed", label(*id)),
                class: ChangeClass::Document,
                allowed: false,
            });
        }
    }
    out
}

fn kind(object: &Object) -> String {
    match type_of(object) {
        Some(t) => format!(" (/{})", String::from_utf8_lossy(t)),
        None => String::new(),
    }
}

fn collect_refs(object: &Object, out: &mut Vec<ObjectId>, depth: usize) {
    if depth > 32 {
        return;
    }
    match object {
        Object::Reference(id) => out.push(*id),
        Object::Array(items) => items.iter().for_each(|o| collect_refs(o, out, depth + 1)),
        Object::Dictionary(d) => {
            for (k, v) in d.iter() {
                if k != b"P" && k != b"Parent" {
                    collect_refs(v, out, depth + 1);
                }
            }
        }
        Object::Stream(s) => collect_refs(&Object::Dictionary(s.dict.clone()), out, depth + 1),
        _ => {}
    }
}

/// A catalog's /AcroForm entry changed: what the form gained, when it only gained fields.
fn form_change(
    signed: &Document,
    latest: &Document,
    old_catalog: &Dictionary,
    new_catalog: &Dictionary,
    lta: &HashSet<ObjectId>,
    signing: &HashSet<ObjectId>,
    annotations: &HashSet<ObjectId>,
) -> Option<ChangeClass> {
    let form = |doc: &Document, catalog: &Dictionary| -> Option<Dictionary> {
        match catalog.get(b"AcroForm").ok()? {
            Object::Dictionary(d) => Some(d.clone()),
            Object::Reference(id) => doc.get_dictionary(*id).ok().cloned(),
            _ => None,
        }
    };
    let new = form(latest, new_catalog).unwrap_or_default();
    let old = form(signed, old_catalog).unwrap_or_default();
    form_dict_class(signed, latest, &old, &new, lta, signing, annotations)
}

/// The form dictionary changed: form filling when /Fields only grew by signature or time-stamp
/// fields (and /SigFlags, /DR, /DA, /NeedAppearances changed).
fn form_dict_class(
    signed: &Document,
    latest: &Document,
    old: &Dictionary,
    new: &Dictionary,
    lta: &HashSet<ObjectId>,
    signing: &HashSet<ObjectId>,
    annotations: &HashSet<ObjectId>,
) -> Option<ChangeClass> {
    let keys = changed_keys(old, new);
    if !keys.iter().all(|k| matches!(k.as_str(), "Fields" | "SigFlags" | "DR" | "DA" | "NeedAppearances")) {
        return None;
    }
    let fields = appended_class(
        &array_value(signed, old, b"Fields"),
        &array_value(latest, new, b"Fields"),
        lta,
        signing,
        annotations,
    )?;
    let rest = keys.iter().any(|k| k != "Fields").then_some(ChangeClass::FormFilling);
    Some(rest.map_or(fields, |r| r.max(fields)))
}

/// The objects reachable from `seeds` through objects a later revision touched, none of them one
/// that may never change, nor one already in `taken`.
fn reach(
    doc: &Document,
    seeds: Vec<ObjectId>,
    touched: &HashSet<ObjectId>,
    never: &dyn Fn(&ObjectId) -> bool,
    taken: &HashSet<ObjectId>,
) -> HashSet<ObjectId> {
    let mut out = HashSet::new();
    let mut stack = seeds;
    while let Some(id) = stack.pop() {
        if !touched.contains(&id) || never(&id) || taken.contains(&id) || !out.insert(id) {
            continue;
        }
        if let Ok(object) = doc.get_object(id) {
            collect_refs(object, &mut stack, 0);
        }
    }
    out
}

/// Every object the pages of `doc` draw: their content streams and resources (fonts, images,
/// forms, all they reference) and the appearances of annotations other than signature fields.
fn drawn_objects(doc: &Document) -> HashSet<ObjectId> {
    let mut stack: Vec<ObjectId> = Vec::new();
    for (_, page) in doc.get_pages() {
        let Ok(dict) = doc.get_dictionary(page) else { continue };
        for key in [&b"Contents"[..], b"Resources"] {
            if let Ok(value) = dict.get(key) {
                collect_refs(value, &mut stack, 0);
            }
        }
        let annots = array_value(doc, dict, b"Annots");
        for annot in &annots {
            let Object::Reference(id) = annot else { continue };
            let Ok(object) = doc.get_object(*id) else { continue };
            // A form field's own appearance changes when it is filled in (judged with its field).
            if is_signature_field(object) || is_form_field(object) {
                continue;
            }
            if let Some(ap) = dict_of(object).and_then(|d| d.get(b"AP").ok()) {
                collect_refs(ap, &mut stack, 0);
            }
        }
    }
    let mut drawn = HashSet::new();
    while let Some(id) = stack.pop() {
        if !drawn.insert(id) {
            continue;
        }
        if let Ok(object) = doc.get_object(id)
            && !matches!(type_of(object), Some(b"Page") | Some(b"Pages"))
        {
            collect_refs(object, &mut stack, 0);
        }
    }
    drawn
}

/// Every object reachable from the trailer (the catalog, the document information, all they
/// reference).
fn reachable(doc: &Document) -> HashSet<ObjectId> {
    let mut stack: Vec<ObjectId> = Vec::new();
    for (_, value) in doc.trailer.iter() {
        all_refs(value, &mut stack, 0);
    }
    let mut seen = HashSet::new();
    while let Some(id) = stack.pop() {
        if seen.insert(id)
            && let Ok(object) = doc.get_object(id)
        {
            all_refs(object, &mut stack, 0);
        }
    }
    seen
}

/// Every reference inside an object, parents included.
fn all_refs(object: &Object, out: &mut Vec<ObjectId>, depth: usize) {
    if depth > 64 {
        return;
    }
    match object {
        Object::Reference(id) => out.push(*id),
        Object::Array(items) => items.iter().for_each(|o| all_refs(o, out, depth + 1)),
        Object::Dictionary(d) => d.iter().for_each(|(_, v)| all_refs(v, out, depth + 1)),
        Object::Stream(s) => s.dict.iter().for_each(|(_, v)| all_refs(v, out, depth + 1)),
        _ => {}
    }
}

/// A form field or a form field's widget (it names a field type, or it is a widget of a parent field).
fn is_form_field(object: &Object) -> bool {
    dict_of(object).is_some_and(|d| {
        d.get(b"FT").is_ok()
            || (d.get(b"Subtype").and_then(Object::as_name).is_ok_and(|n| n == b"Widget") && d.get(b"Parent").is_ok())
    })
}

/// A signature or document time-stamp dictionary, or a signature field that holds one.
fn is_signed(object: &Object) -> bool {
    matches!(type_of(object), Some(b"Sig") | Some(b"DocTimeStamp"))
        || (is_signature_field(object) && dict_of(object).is_some_and(|d| d.get(b"V").is_ok()))
}

fn is_annotation(object: &Object) -> bool {
    dict_of(object).is_some_and(|d| d.get(b"Rect").is_ok() && d.get(b"Subtype").and_then(Object::as_name).is_ok())
}

/// A signature field whose value is a document time-stamp.
fn is_timestamp_field(doc: &Document, object: &Object) -> bool {
    is_signature_field(object)
        && dict_of(object)
            .and_then(|d| update::resolve(doc, d, b"V"))
            .and_then(type_of)
            .is_some_and(|t| t == b"DocTimeStamp")
}
