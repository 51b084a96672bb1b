//! Reading an RFC 6283 (XMLERS) evidence record into the model: chains and archive time-stamps
//! in their `Order`, hash trees from base64 digest values, and the canonical bytes renewals hash.

use base64::Engine;
use evidentia_formats::package::asic::digest_algorithm;
use evidentia_formats::xml_c14n::{Canonicalization, canonicalize, canonicalize_without};
use roxmltree::Node;

use super::{ArchiveTimeStamp, ArchiveTimeStampChain, EvidenceRecord, EvidenceRecordError, Syntax};

/// The XMLERS namespace.
pub const ERS_NS: &str = "urn:ietf:params:xml:ns:ers";

/// Most chains, time-stamps per chain, tree levels or values per level read (a record of a
/// real archive holds a handful of each; more is an attempt to exhaust the reader).
const MAX_ITEMS: usize = 100_000;

fn err(why: impl Into<String>) -> EvidenceRecordError {
    EvidenceRecordError(why.into())
}

fn is(node: &Node<'_, '_>, name: &str) -> bool {
    node.is_element() && node.tag_name().name() == name && node.tag_name().namespace() == Some(ERS_NS)
}

fn children<'a, 'i>(node: Node<'a, 'i>, name: &'a str) -> impl Iterator<Item = Node<'a, 'i>> + 'a {
    node.children().filter(move |c| is(c, name))
}

/// The `Order` attribute of an element (1-based); elements without one keep document order.
fn order(node: &Node<'_, '_>) -> Result<u64, EvidenceRecordError> {
    match node.attribute("Order") {
        Some(v) => {
            v.trim().parse().map_err(|_| err(format!("<{}> has Order=\"{v}\", not a number", node.tag_name().name())))
        }
        None => Ok(u64::MAX),
    }
}

/// Elements sorted by `Order` (stable for equal ones).
fn ordered<'a, 'i>(nodes: impl Iterator<Item = Node<'a, 'i>>) -> Result<Vec<Node<'a, 'i>>, EvidenceRecordError> {
    let mut keyed = Vec::new();
    for n in nodes {
        keyed.push((order(&n)?, n));
        if keyed.len() > MAX_ITEMS {
            return Err(err("more elements than any archive writes"));
        }
    }
    keyed.sort_by_key(|(o, _)| *o);
    Ok(keyed.into_iter().map(|(_, n)| n).collect())
}

fn base64(text: &str) -> Result<Vec<u8>, String> {
    let clean: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    base64::engine::general_purpose::STANDARD.decode(clean).map_err(|e| e.to_string())
}

/// Reads `<EvidenceRecord>`; entities and DTDs are refused by the parser.
pub fn parse(bytes: &[u8]) -> Result<EvidenceRecord, EvidenceRecordError> {
    let text = std::str::from_utf8(bytes).map_err(|e| err(format!("not UTF-8 XML ({e})")))?;
    let doc = roxmltree::Document::parse_with_options(
        text,
        roxmltree::ParsingOptions { allow_dtd: false, ..roxmltree::ParsingOptions::default() },
    )
    .map_err(|e| err(format!("not well-formed XML ({e})")))?;
    let root = doc.root_element();
    if !is(&root, "EvidenceRecord") {
        return Err(err(format!(
            "the root element is <{}> in namespace {}, not <EvidenceRecord> of {ERS_NS}",
            root.tag_name().name(),
            root.tag_name().namespace().unwrap_or("(none)")
        )));
    }
    let sequence =
        children(root, "ArchiveTimeStampSequence").next().ok_or_else(|| err("no <ArchiveTimeStampSequence>"))?;
    let chain_nodes = ordered(children(sequence, "ArchiveTimeStampChain"))?;
    if chain_nodes.is_empty() {
        return Err(err("the <ArchiveTimeStampSequence> holds no <ArchiveTimeStampChain>"));
    }
    let mut chains = Vec::with_capacity(chain_nodes.len());
    for (i, chain) in chain_nodes.iter().enumerate() {
        let place = format!("chain {}", i + 1);
        let method_uri = children(*chain, "DigestMethod")
            .next()
            .and_then(|m| m.attribute("Algorithm"))
            .ok_or_else(|| err(format!("{place}: no <DigestMethod Algorithm=…>")))?;
        let digest_algorithm = digest_algorithm(method_uri).ok_or_else(|| method_uri.to_owned());
        let c14n = match children(*chain, "CanonicalizationMethod").next().and_then(|m| m.attribute("Algorithm")) {
            None => Canonicalization::INCLUSIVE,
            Some(uri) => Canonicalization::from_uri(uri)
                .ok_or_else(|| err(format!("{place}: canonicalization {uri} is not one this version computes")))?,
        };
        let stamp_nodes = ordered(children(*chain, "ArchiveTimeStamp"))?;
        if stamp_nodes.is_empty() {
            return Err(err(format!("{place} holds no <ArchiveTimeStamp>")));
        }
        let mut stamps = Vec::with_capacity(stamp_nodes.len());
        for (j, ats) in stamp_nodes.iter().enumerate() {
            let place = format!("{place} archive time-stamp {}", j + 1);
            stamps.push(archive_time_stamp(*ats, c14n).map_err(|why| err(format!("{place}: {why}")))?);
        }
        // The chains before this one, as the sequence element holding only them (the white
        // space around the chains left out stays, as when they are removed from the tree).
        let before: Vec<Node<'_, '_>> = chain_nodes[..i].to_vec();
        let preceding_chains = if i == 0 {
            Vec::new()
        } else {
            canonicalize_without(sequence, c14n, &|n| is(&n, "ArchiveTimeStampChain") && !before.contains(&n))
        };
        chains.push(ArchiveTimeStampChain { digest_algorithm, canonicalization: Some(c14n), stamps, preceding_chains });
    }
    Ok(EvidenceRecord { syntax: Syntax::Xml, chains })
}

/// `<ArchiveTimeStamp>`: `<HashTree>` of `<Sequence>`s of `<DigestValue>`s, and
/// `<TimeStamp><TimeStampToken Type="RFC3161">`.
fn archive_time_stamp(ats: Node<'_, '_>, c14n: Canonicalization) -> Result<ArchiveTimeStamp, String> {
    let mut hash_tree = Vec::new();
    if let Some(tree) = children(ats, "HashTree").next() {
        for (k, level) in ordered(children(tree, "Sequence")).map_err(|e| e.0)?.into_iter().enumerate() {
            let mut values = Vec::new();
            for v in children(level, "DigestValue") {
                values.push(
                    base64(v.text().unwrap_or(""))
                        .map_err(|e| format!("hash tree level {}: a DigestValue is not base64 ({e})", k + 1))?,
                );
                if values.len() > MAX_ITEMS {
                    return Err("a hash tree level holds more values than any archive writes".into());
                }
            }
            hash_tree.push(values);
        }
    }
    let stamp = children(ats, "TimeStamp").next().ok_or("no <TimeStamp>")?;
    let token_node = children(stamp, "TimeStampToken").next().ok_or("no <TimeStamp><TimeStampToken>")?;
    if let Some(kind) = token_node.attribute("Type")
        && !kind.eq_ignore_ascii_case("RFC3161")
    {
        return Err(format!("a time-stamp of type {kind}, not RFC3161"));
    }
    let token =
        base64(token_node.text().unwrap_or("")).map_err(|e| format!("the TimeStampToken is not base64 ({e})"))?;
    // A renewal covers the `<TimeStamp>` element, canonicalized where it stands.
    Ok(ArchiveTimeStamp { hash_tree, token, renewal_input: canonicalize(stamp, c14n) })
}
