//! What changed in a PDF after a signature: every object added or changed by later revisions,
//! classified as allowed (signature fields and their values and appearances, validation data,
//! document time-stamps) or as a change to the document (named by page and object).

use std::collections::{BTreeMap, HashSet};

use lopdf::{Dictionary, Document, Object, ObjectId};
use serde::Serialize;

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
    /// Whether signing rules allow it (signatures, validation data, time-stamps).
    pub allowed: bool,
}

fn same(a: &Object, b: &Object) -> bool {
    match (a, b) {
        (Object::Stream(x), Object::Stream(y)) => x.dict == y.dict && x.content == y.content,
        _ => a == b,
    }
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

/// Whether `new` is `old` with elements appended, each of them in `allowed`.
fn appended_only(old: &[Object], new: &[Object], allowed: &HashSet<ObjectId>) -> bool {
    new.len() >= old.len()
        && new[..old.len()] == *old
        && new[old.len()..].iter().all(|o| matches!(o, Object::Reference(id) if allowed.contains(id)))
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

    // What signing may add: signature fields (with their values and appearances) and validation
    // data, followed through references among the touched objects only (never to a page).
    let mut allowed: HashSet<ObjectId> = HashSet::new();
    let mut stack: Vec<ObjectId> = touched
        .iter()
        .filter(|(_, o)| is_signature_field(o) || matches!(type_of(o), Some(b"Sig") | Some(b"DocTimeStamp")))
        .map(|(id, _)| *id)
        .collect();
    if let Ok(Object::Reference(dss)) = latest.catalog().and_then(|c| c.get(b"DSS")) {
        stack.push(*dss);
    }
    while let Some(id) = stack.pop() {
        if !touched_ids.contains(&id) || !allowed.insert(id) {
            continue;
        }
        if let Ok(object) = latest.get_object(id) {
            collect_refs(object, &mut stack, 0);
        }
    }

    // Document metadata (the trailer's /Info, the catalog's XMP /Metadata) may be updated by a
    // signer's tool; it is not shown as the document's content.
    let info = latest.trailer.get(b"Info").and_then(Object::as_reference).ok();
    let xmp = latest.catalog().ok().and_then(|c| c.get(b"Metadata").and_then(Object::as_reference).ok());
    let metadata: HashSet<ObjectId> = info.into_iter().chain(xmp).filter(|id| touched_ids.contains(id)).collect();

    let pages = page_index(signed);
    let root = latest.trailer.get(b"Root").and_then(Object::as_reference).ok();
    let form_id = latest.catalog().ok().and_then(|c| c.get(b"AcroForm").and_then(Object::as_reference).ok());
    let label = |id: ObjectId| format!("{} {}", id.0, id.1);
    let mut out = Vec::new();
    for (id, object) in &touched {
        let old = signed.objects.get(id);
        let page = pages.get(id).copied();
        let change = |what: String, ok: bool| Change { object: label(*id), page, what, allowed: ok };
        if metadata.contains(id) {
            let what = if Some(*id) == info { "the document information (/Info)" } else { "the XMP metadata" };
            out.push(change(format!("{what} was updated"), true));
            continue;
        }
        if allowed.contains(id) {
            let what = match (old, type_of(object)) {
                (None, Some(b"Sig")) => "a signature was added".to_owned(),
                (None, Some(b"DocTimeStamp")) => "a document time-stamp was added".to_owned(),
                (None, Some(b"DSS")) => "validation data (DSS) was added".to_owned(),
                (None, _) if is_signature_field(object) => "a signature field was added".to_owned(),
                (None, _) => "an object of a signature or of validation data was added".to_owned(),
                (Some(_), _) if is_signature_field(object) => "a signature field was signed".to_owned(),
                (Some(_), _) => "validation data was updated".to_owned(),
            };
            out.push(change(what, true));
            continue;
        }
        let Some(old) = old else {
            out.push(change(format!("an object{} was added that no signature needs", kind(object)), false));
            continue;
        };
        let (Some(old_d), Some(new_d)) = (dict_of(old), dict_of(object)) else {
            // An array: /Annots or /Fields growing by signature fields.
            if let (Object::Array(o), Object::Array(n)) = (old, object)
                && appended_only(o, n, &allowed)
            {
                out.push(change("signature fields were appended to a list".into(), true));
            } else {
                out.push(change(format!("object {} was changed", label(*id)), false));
            }
            continue;
        };
        let keys = changed_keys(old_d, new_d);
        let is_stream = matches!(object, Object::Stream(_));
        let ok = if Some(*id) == root {
            keys.iter().all(|k| {
                matches!(k.as_str(), "DSS" | "Extensions" | "Metadata")
                    || (k == "AcroForm" && form_allowed(signed, latest, old_d, new_d, &allowed))
            })
        } else if Some(*id) == form_id {
            form_dict_allowed(signed, latest, old_d, new_d, &allowed)
        } else if type_of(object) == Some(b"Page") && !is_stream {
            keys.iter().all(|k| k == "Annots")
                && appended_only(
                    &array_value(signed, old_d, b"Annots"),
                    &array_value(latest, new_d, b"Annots"),
                    &allowed,
                )
        } else {
            type_of(object) == Some(b"DSS")
        };
        let what = if ok {
            if Some(*id) == root {
                format!("the catalog's {} changed for signing", keys.join(", "))
            } else if type_of(object) == Some(b"Page") {
                "a signature field was added to the page's annotations".to_owned()
            } else {
                "the form's field list grew by signature fields".to_owned()
            }
        } else if let Some(n) = page {
            if type_of(object) == Some(b"Page") {
                format!("page {n} was changed ({})", keys.join(", "))
            } else {
                format!("the content of page {n} was changed (object {})", label(*id))
            }
        } else {
            format!("object {}{} was changed ({})", label(*id), kind(object), keys.join(", "))
        };
        out.push(change(what, ok));
    }
    for id in signed.objects.keys() {
        if !latest.objects.contains_key(id) && !signed.objects.get(id).is_some_and(skip) {
            out.push(Change {
                object: label(*id),
                page: pages.get(id).copied(),
                what: format!("object {} was removed", label(*id)),
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

/// A catalog's /AcroForm entry changed: allowed when the form only gained signature fields.
fn form_allowed(
    signed: &Document,
    latest: &Document,
    old_catalog: &Dictionary,
    new_catalog: &Dictionary,
    allowed: &HashSet<ObjectId>,
) -> bool {
    let form = |doc: &Document, catalog: &Dictionary| -> Option<Dictionary> {
        match catalog.get(b"AcroForm").ok()? {
            Object::Dictionary(d) => Some(d.clone()),
            Object::Reference(id) => doc.get_dictionary(*id).ok().cloned(),
            _ => None,
        }
    };
    let new = form(latest, new_catalog).unwrap_or_default();
    let old = form(signed, old_catalog).unwrap_or_default();
    form_dict_allowed(signed, latest, &old, &new, allowed)
}

/// The form dictionary changed: allowed when /Fields only grew by signature fields (and
/// /SigFlags, /DR, /DA changed).
fn form_dict_allowed(
    signed: &Document,
    latest: &Document,
    old: &Dictionary,
    new: &Dictionary,
    allowed: &HashSet<ObjectId>,
) -> bool {
    changed_keys(old, new).iter().all(|k| matches!(k.as_str(), "Fields" | "SigFlags" | "DR" | "DA"))
        && appended_only(&array_value(signed, old, b"Fields"), &array_value(latest, new, b"Fields"), allowed)
}
