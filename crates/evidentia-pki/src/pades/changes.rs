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
    // A field's appearance may sit behind an /AP dictionary that did not change itself: the
    // appearance streams filling or signing rewrote are reached through it.
    let mut appearance_path: HashSet<ObjectId> = HashSet::new();
    for (id, object) in &touched {
        if (filled.contains(id) || is_signature_field(object))
            && let Some(ap) = dict_of(object).and_then(|d| d.get(b"AP").ok())
        {
            appearance_streams(latest, ap, &touched_ids, &mut signing_seeds, &mut appearance_path);
        }
    }
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

    // A page's /Annots or the form's /Fields written as an object of its own: judged as the list
    // it replaces, by what was appended to it.
    let root = latest.trailer.get(b"Root").and_then(Object::as_reference).ok();
    let form_id = latest.catalog().ok().and_then(|c| c.get(b"AcroForm").and_then(Object::as_reference).ok());
    let lists = indirect_lists(signed, latest);
    let label = |id: ObjectId| format!("{} {}", id.0, id.1);
    // An object that was there and that signing or validation data rewrote must be theirs alone:
    // one also used elsewhere (another dictionary, the trailer) would change that too.
    let mut ours: HashSet<ObjectId> = allowed.clone();
    ours.extend(appearance_path.iter().copied());
    ours.extend(filled.iter().chain(&locked).copied());
    // The form's resources and the structure tree: what signing updates there may be reached
    // through dictionaries it left as they were.
    if let Some(dr) = form.and_then(|f| f.get(b"DR").ok()) {
        ours.extend(reachable_from(latest, dr));
    }
    if let Some(tree) = catalog.and_then(|c| c.get(b"StructTreeRoot").ok()) {
        ours.extend(reachable_from(latest, tree));
    }
    // Who refers to what, indexed only when an object that was there is rewritten.
    let signed_refs = std::cell::LazyCell::new(|| referrers(signed));
    let latest_refs = std::cell::LazyCell::new(|| referrers(latest));
    let signed_catalog = signed.trailer.get(b"Root").and_then(Object::as_reference).ok();
    let shared_with = |id: &ObjectId| -> Option<String> {
        if !signed.objects.contains_key(id) || filled.contains(id) || locked.contains(id) {
            return None;
        }
        let object = latest.get_object(*id).ok()?;
        if is_form_field(object) || is_signature_field(object) || is_signed(object) {
            return None;
        }
        let entry_points: &[&[u8]] = &[b"DSS", b"Extensions", b"AcroForm", b"Metadata", b"StructTreeRoot"];
        signed_refs.get(id).into_iter().flatten().chain(latest_refs.get(id).into_iter().flatten()).find_map(
            |(by, key)| {
                let legitimate = match by {
                    Some(by) if ours.contains(by) => true,
                    Some(by) if Some(*by) == root || Some(*by) == signed_catalog => {
                        entry_points.contains(&key.as_bytes())
                    }
                    Some(by) if Some(*by) == form_id => key == "DR" || key == "Fields",
                    _ => false,
                };
                (!legitimate).then(|| match by {
                    Some(by) => format!(
                        "object {} is also used by object {}{} under /{key}",
                        label(*id),
                        label(*by),
                        latest.get_object(*by).ok().or_else(|| signed.objects.get(by)).map(kind).unwrap_or_default()
                    ),
                    None => format!("object {} is also used by the trailer under /{key}", label(*id)),
                })
            },
        )
    };
    // A field whose appearance signing or filling replaced or rewrote: its old appearance
    // objects (the /AP dictionaries and streams the signed revision has) must have been its own;
    // one also used elsewhere (pyHanko's "clobbering" update) changes that other place too.
    let mut clobbers: BTreeMap<ObjectId, String> = BTreeMap::new();
    for (id, object) in &touched {
        if !(filled.contains(id) || is_signature_field(object)) {
            continue;
        }
        let Some(old_field) = signed.objects.get(id).and_then(dict_of) else { continue };
        let Ok(old_ap) = old_field.get(b"AP") else { continue };
        let mut chain = HashSet::new();
        appearance_chain(signed, old_ap, &mut chain);
        let new_ap = dict_of(object).and_then(|d| d.get(b"AP").ok());
        let rewritten = chain.iter().any(|c| touched_ids.contains(c));
        if !rewritten && new_ap.is_some_and(|n| same(n, old_ap)) {
            continue;
        }
        if let Some(new_ap) = new_ap {
            let mut current = HashSet::new();
            appearance_chain(latest, new_ap, &mut current);
            chain.extend(current);
        }
        let own = |by: &Option<ObjectId>| by.is_some_and(|b| b == *id || chain.contains(&b));
        for part in &chain {
            let elsewhere = signed_refs
                .get(part)
                .into_iter()
                .flatten()
                .chain(latest_refs.get(part).into_iter().flatten())
                .find(|(by, _)| !own(by));
            if let Some((by, key)) = elsewhere {
                let user = match by {
                    Some(by) => format!(
                        "object {}{}",
                        label(*by),
                        latest.get_object(*by).ok().or_else(|| signed.objects.get(by)).map(kind).unwrap_or_default()
                    ),
                    None => "the trailer".to_owned(),
                };
                clobbers.insert(
                    *id,
                    format!(
                        "the appearance of field {} was changed, and its appearance object {} is also used by {user} under /{key}",
                        label(*id),
                        label(*part)
                    ),
                );
                break;
            }
        }
    }
    let pages = page_index(signed);
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
        if let Some(why) = clobbers.get(id) {
            out.push(change(why.clone(), ChangeClass::Document));
            continue;
        }
        if allowed.contains(id)
            && let Some(why) = shared_with(id)
        {
            out.push(change(format!("{why}: rewriting it for signing changes that too"), ChangeClass::Document));
            continue;
        }
        if let Some(previous) = lists.get(id)
            && let Object::Array(now) = object
        {
            match appended_class(previous, now, &lta, &signing, &annotations) {
                Some(class) => out.push(change("fields or annotations were appended to a list".into(), class)),
                None => out.push(change(format!("the list object {} was changed", label(*id)), ChangeClass::Document)),
            }
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

/// The appearance streams under an /AP value: through dictionaries that did not change (the /AP
/// dictionary itself, its /N, /D, /R state dictionaries), to the streams a later revision wrote,
/// which become `seeds`; the dictionaries passed through are kept in `path`.
fn appearance_streams(
    doc: &Document,
    ap: &Object,
    touched: &HashSet<ObjectId>,
    seeds: &mut Vec<ObjectId>,
    path: &mut HashSet<ObjectId>,
) {
    let mut stack: Vec<(Object, usize)> = vec![(ap.clone(), 0)];
    while let Some((value, depth)) = stack.pop() {
        if depth > 4 {
            continue;
        }
        match value {
            Object::Reference(id) => match doc.get_object(id) {
                Ok(Object::Stream(_)) => seeds.push(id),
                Ok(Object::Dictionary(d)) if !touched.contains(&id) => {
                    if path.insert(id) {
                        stack.extend(d.iter().map(|(_, v)| (v.clone(), depth + 1)));
                    }
                }
                Ok(_) => seeds.push(id),
                Err(_) => {}
            },
            Object::Dictionary(d) => stack.extend(d.iter().map(|(_, v)| (v.clone(), depth + 1))),
            _ => {}
        }
    }
}

/// The objects of an appearance: the /AP dictionary, its state dictionaries and its streams,
/// when they are objects of their own (not the streams' resources).
fn appearance_chain(doc: &Document, ap: &Object, out: &mut HashSet<ObjectId>) {
    let mut stack: Vec<(Object, usize)> = vec![(ap.clone(), 0)];
    while let Some((value, depth)) = stack.pop() {
        if depth > 4 {
            continue;
        }
        match value {
            Object::Reference(id) => {
                if !out.insert(id) {
                    continue;
                }
                if let Ok(Object::Dictionary(d)) = doc.get_object(id) {
                    stack.extend(d.iter().map(|(_, v)| (v.clone(), depth + 1)));
                }
            }
            Object::Dictionary(d) => stack.extend(d.iter().map(|(_, v)| (v.clone(), depth + 1))),
            _ => {}
        }
    }
}

/// The objects `value` leads to (not through parents, pages, the page tree or the catalog).
fn reachable_from(doc: &Document, value: &Object) -> HashSet<ObjectId> {
    let mut stack = Vec::new();
    collect_refs(value, &mut stack, 0);
    let mut seen = HashSet::new();
    while let Some(id) = stack.pop() {
        let Ok(object) = doc.get_object(id) else { continue };
        if matches!(type_of(object), Some(b"Page") | Some(b"Pages") | Some(b"Catalog")) || !seen.insert(id) {
            continue;
        }
        collect_refs(object, &mut stack, 0);
    }
    seen
}

/// Pages' /Annots and the form's /Fields that `latest` writes as objects of their own, each with
/// the list it replaces in `signed` (the same object's, or the direct array that was there).
fn indirect_lists(signed: &Document, latest: &Document) -> BTreeMap<ObjectId, Vec<Object>> {
    let mut lists = BTreeMap::new();
    for (_, page) in latest.get_pages() {
        let (Ok(now), Ok(then)) = (latest.get_dictionary(page), signed.get_dictionary(page)) else { continue };
        if let Ok(Object::Reference(list)) = now.get(b"Annots") {
            lists.insert(*list, array_value(signed, then, b"Annots"));
        }
    }
    let form = |doc: &Document| {
        doc.catalog().ok().and_then(|c| update::resolve(doc, c, b"AcroForm")).and_then(dict_of).cloned()
    };
    if let (Some(now), Some(then)) = (form(latest), form(signed))
        && let Ok(Object::Reference(list)) = now.get(b"Fields")
    {
        lists.insert(*list, array_value(signed, &then, b"Fields"));
    }
    lists
}

/// For every object of `doc`, who refers to it: another object, or the trailer (`None`), and the
/// top-level key the reference sits under.
fn referrers(doc: &Document) -> std::collections::HashMap<ObjectId, Vec<(Option<ObjectId>, String)>> {
    let mut out: std::collections::HashMap<ObjectId, Vec<(Option<ObjectId>, String)>> = Default::default();
    let mut note = |by: Option<ObjectId>, key: &[u8], value: &Object| {
        let mut found = Vec::new();
        all_refs(value, &mut found, 0);
        for id in found {
            out.entry(id).or_default().push((by, String::from_utf8_lossy(key).into_owned()));
        }
    };
    for (key, value) in doc.trailer.iter() {
        note(None, key, value);
    }
    for (id, object) in &doc.objects {
        match object {
            Object::Dictionary(d) => d.iter().for_each(|(k, v)| note(Some(*id), k, v)),
            Object::Stream(s) => s.dict.iter().for_each(|(k, v)| note(Some(*id), k, v)),
            other => note(Some(*id), b"", other),
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
