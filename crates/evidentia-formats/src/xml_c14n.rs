//! Canonical XML of one element and its subtree (W3C Canonical XML 1.0 and 1.1, and Exclusive
//! XML Canonicalization 1.0, with or without comments), as XML evidence records (RFC 6283) and
//! ASiC manifests are hashed.

use std::collections::BTreeMap;

use roxmltree::{Node, NodeType};

/// The canonicalization methods a signer or archive names by URI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Canonicalization {
    /// Exclusive (only the namespaces an element uses) rather than inclusive (all in scope).
    pub exclusive: bool,
    /// Comments kept.
    pub with_comments: bool,
}

impl Canonicalization {
    /// Canonical XML 1.0 without comments: the default of XML Signature and RFC 6283.
    pub const INCLUSIVE: Self = Self { exclusive: false, with_comments: false };

    /// The method a URI names, or `None` for one this version does not implement.
    pub fn from_uri(uri: &str) -> Option<Self> {
        let (exclusive, with_comments) = match uri.trim() {
            "http://www.w3.org/TR/2001/REC-xml-c14n-20010315" | "http://www.w3.org/2006/12/xml-c14n11" => {
                (false, false)
            }
            "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments"
            | "http://www.w3.org/2006/12/xml-c14n11#WithComments" => (false, true),
            "http://www.w3.org/2001/10/xml-exc-c14n#" => (true, false),
            "http://www.w3.org/2001/10/xml-exc-c14n#WithComments" => (true, true),
            _ => return None,
        };
        Some(Self { exclusive, with_comments })
    }
}

const XML_URI: &str = "http://www.w3.org/XML/1998/namespace";

/// The canonical form of `element` and everything inside it, as an element subtree of its
/// document is canonicalized (the namespaces in scope at the element are rendered on it).
pub fn canonicalize(element: Node<'_, '_>, method: Canonicalization) -> Vec<u8> {
    canonicalize_without(element, method, &|_| false)
}

/// The canonical form of `element` with the descendant elements `leave_out` selects left out
/// (with their subtrees), as a document subset that excludes them is canonicalized.
pub fn canonicalize_without(
    element: Node<'_, '_>,
    method: Canonicalization,
    leave_out: &dyn Fn(Node<'_, '_>) -> bool,
) -> Vec<u8> {
    let mut out = Vec::new();
    let mut rendered: BTreeMap<String, String> = BTreeMap::new();
    rendered.insert(String::new(), String::new());
    write_element(element, method, &rendered, true, leave_out, &mut out);
    out
}

/// The canonical form of a whole document: the XML declaration and document type dropped,
/// comments and processing instructions outside the root element each on their own line.
pub fn canonicalize_document(doc: &roxmltree::Document<'_>, method: Canonicalization) -> Vec<u8> {
    let mut out = Vec::new();
    let mut after_root = false;
    for child in doc.root().children() {
        if child.is_element() {
            let mut rendered: BTreeMap<String, String> = BTreeMap::new();
            rendered.insert(String::new(), String::new());
            write_element(child, method, &rendered, true, &|_| false, &mut out);
            after_root = true;
            continue;
        }
        let mut piece = Vec::new();
        if write_other(child, method, &mut piece) {
            if after_root {
                out.push(b'\n');
            }
            out.extend_from_slice(&piece);
            if !after_root {
                out.push(b'\n');
            }
        }
    }
    out
}

/// The prefix an element's or attribute's name was written with (`ds` of `ds:Reference`).
fn prefix_of(qname: &str) -> &str {
    qname.split_once(':').map_or("", |(p, _)| p)
}

/// The element's name as written, read from the document text.
fn element_qname<'a>(node: Node<'a, '_>) -> &'a str {
    let text = node.document().input_text();
    let rest = text.get(node.range().start..).unwrap_or("");
    let rest = rest.strip_prefix('<').unwrap_or(rest);
    let end = rest.find(|c: char| c.is_whitespace() || c == '/' || c == '>').unwrap_or(rest.len());
    &rest[..end]
}

fn write_element(
    node: Node<'_, '_>,
    method: Canonicalization,
    rendered: &BTreeMap<String, String>,
    apex: bool,
    leave_out: &dyn Fn(Node<'_, '_>) -> bool,
    out: &mut Vec<u8>,
) {
    let qname = element_qname(node);
    let in_scope: BTreeMap<String, String> = node
        .namespaces()
        .filter(|ns| ns.uri() != XML_URI)
        .map(|ns| (ns.name().unwrap_or("").to_owned(), ns.uri().to_owned()))
        .collect();
    let text = node.document().input_text();
    let attributes: Vec<(String, String, String, String)> = node
        .attributes()
        .map(|a| {
            let q = text.get(a.range_qname()).unwrap_or(a.name()).to_owned();
            (a.namespace().unwrap_or("").to_owned(), a.name().to_owned(), q, a.value().to_owned())
        })
        .collect();

    // The namespace declarations this element renders.
    let wanted: Vec<String> = if method.exclusive {
        let mut used = vec![prefix_of(qname).to_owned()];
        used.extend(attributes.iter().map(|a| prefix_of(&a.2).to_owned()).filter(|p| !p.is_empty() && p != "xml"));
        used.sort();
        used.dedup();
        used
    } else {
        let mut all: Vec<String> = in_scope.keys().cloned().collect();
        if !all.iter().any(|p| p.is_empty()) {
            all.push(String::new());
        }
        all.sort();
        all
    };
    let mut now = rendered.clone();
    let mut declarations = Vec::new();
    for prefix in wanted {
        let uri = in_scope.get(&prefix).cloned().unwrap_or_default();
        if prefix.is_empty() && uri.is_empty() && rendered.get("").is_none_or(|d| d.is_empty()) {
            continue;
        }
        if !prefix.is_empty() && uri.is_empty() {
            continue;
        }
        if rendered.get(&prefix) != Some(&uri) {
            declarations.push((prefix.clone(), uri.clone()));
            now.insert(prefix, uri);
        }
    }

    // Attributes: the element's own, and on an inclusive apex the xml: ones it inherits.
    let mut attrs: Vec<(String, String, String, String)> = attributes;
    if apex && !method.exclusive {
        for ancestor in node.ancestors().skip(1).filter(|n| n.is_element()) {
            for a in ancestor.attributes().filter(|a| a.namespace() == Some(XML_URI)) {
                if !attrs.iter().any(|b| b.0 == XML_URI && b.1 == a.name()) {
                    attrs.push((
                        XML_URI.to_owned(),
                        a.name().to_owned(),
                        format!("xml:{}", a.name()),
                        a.value().to_owned(),
                    ));
                }
            }
        }
    }
    attrs.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));

    out.push(b'<');
    out.extend_from_slice(qname.as_bytes());
    for (prefix, uri) in &declarations {
        if prefix.is_empty() {
            out.extend_from_slice(b" xmlns=\"");
        } else {
            out.extend_from_slice(b" xmlns:");
            out.extend_from_slice(prefix.as_bytes());
            out.extend_from_slice(b"=\"");
        }
        escape_attribute(uri, out);
        out.push(b'"');
    }
    for (_, _, q, value) in &attrs {
        out.push(b' ');
        out.extend_from_slice(q.as_bytes());
        out.extend_from_slice(b"=\"");
        escape_attribute(value, out);
        out.push(b'"');
    }
    out.push(b'>');
    for child in node.children() {
        match child.node_type() {
            NodeType::Element if leave_out(child) => {}
            NodeType::Element => write_element(child, method, &now, false, leave_out, out),
            NodeType::Text => escape_text(child.text().unwrap_or(""), out),
            _ => {
                write_other(child, method, out);
            }
        }
    }
    out.extend_from_slice(b"</");
    out.extend_from_slice(qname.as_bytes());
    out.push(b'>');
}

/// A comment (when kept) or a processing instruction; `false` when nothing was written.
fn write_other(node: Node<'_, '_>, method: Canonicalization, out: &mut Vec<u8>) -> bool {
    match node.node_type() {
        NodeType::Comment if method.with_comments => {
            out.extend_from_slice(b"<!--");
            out.extend_from_slice(node.text().unwrap_or("").as_bytes());
            out.extend_from_slice(b"-->");
            true
        }
        NodeType::PI => {
            let Some(pi) = node.pi() else { return false };
            out.extend_from_slice(b"<?");
            out.extend_from_slice(pi.target.as_bytes());
            if let Some(v) = pi.value.filter(|v| !v.is_empty()) {
                out.push(b' ');
                out.extend_from_slice(v.as_bytes());
            }
            out.extend_from_slice(b"?>");
            true
        }
        _ => false,
    }
}

fn escape_text(text: &str, out: &mut Vec<u8>) {
    for c in text.chars() {
        match c {
            '&' => out.extend_from_slice(b"&amp;"),
            '<' => out.extend_from_slice(b"&lt;"),
            '>' => out.extend_from_slice(b"&gt;"),
            '\r' => out.extend_from_slice(b"&#xD;"),
            c => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
}

fn escape_attribute(text: &str, out: &mut Vec<u8>) {
    for c in text.chars() {
        match c {
            '&' => out.extend_from_slice(b"&amp;"),
            '<' => out.extend_from_slice(b"&lt;"),
            '"' => out.extend_from_slice(b"&quot;"),
            '\t' => out.extend_from_slice(b"&#x9;"),
            '\n' => out.extend_from_slice(b"&#xA;"),
            '\r' => out.extend_from_slice(b"&#xD;"),
            c => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c14n(xml: &str, path: &[&str], method: Canonicalization) -> String {
        let doc = roxmltree::Document::parse(xml).unwrap();
        let mut node = doc.root_element();
        for name in path {
            node = node.children().find(|n| n.has_tag_name(*name)).unwrap();
        }
        String::from_utf8(canonicalize(node, method)).unwrap()
    }

    /// The W3C Canonical XML 1.0 examples (section 3): empty elements opened and closed,
    /// attributes sorted by namespace then name, superfluous declarations dropped, entities and
    /// character references expanded, `\r` kept as a reference.
    #[test]
    fn the_w3c_examples_canonicalize_as_the_recommendation_shows() {
        let xml = "<doc>\n   <e1   />\n   <e2   ></e2>\n   <e3   name = \"elem3\"   id=\"elem3\"   />\n   <e4   name=\"elem4\"   id=\"elem4\"   ></e4>\n   <e5 a:attr=\"out\" b:attr=\"sorted\" attr2=\"all\" attr=\"I'm\"\n      xmlns:b=\"http://www.ietf.org\"\n      xmlns:a=\"http://www.w3.org\"\n      xmlns=\"http://example.org\"/>\n   <e6 xmlns=\"\" xmlns:a=\"http://www.w3.org\">\n      <e7 xmlns=\"http://www.ietf.org\">\n         <e8 xmlns=\"\" xmlns:a=\"http://www.w3.org\">\n            <e9 xmlns=\"\" xmlns:a=\"http://www.ietf.org\"/>\n         </e8>\n      </e7>\n   </e6>\n</doc>";
        let expected = "<doc>\n   <e1></e1>\n   <e2></e2>\n   <e3 id=\"elem3\" name=\"elem3\"></e3>\n   <e4 id=\"elem4\" name=\"elem4\"></e4>\n   <e5 xmlns=\"http://example.org\" xmlns:a=\"http://www.w3.org\" xmlns:b=\"http://www.ietf.org\" attr=\"I'm\" attr2=\"all\" b:attr=\"sorted\" a:attr=\"out\"></e5>\n   <e6 xmlns:a=\"http://www.w3.org\">\n      <e7 xmlns=\"http://www.ietf.org\">\n         <e8 xmlns=\"\">\n            <e9 xmlns:a=\"http://www.ietf.org\"></e9>\n         </e8>\n      </e7>\n   </e6>\n</doc>";
        assert_eq!(c14n(xml, &[], Canonicalization::INCLUSIVE), expected);
        let text = "<doc><text>First line&#x0d;&#10;Second line</text><value>&#x32;</value><compute expr='value>\"0\" &amp;&amp; value&lt;\"10\" ?\"valid\":\"error\"'>valid</compute><norm attr=' &apos;   &#x20;&#13;&#xa;&#9;   &apos; '/></doc>";
        let expected = "<doc><text>First line&#xD;\nSecond line</text><value>2</value><compute expr=\"value>&quot;0&quot; &amp;&amp; value&lt;&quot;10&quot; ?&quot;valid&quot;:&quot;error&quot;\">valid</compute><norm attr=\" '    &#xD;&#xA;&#x9;   ' \"></norm></doc>";
        assert_eq!(c14n(text, &[], Canonicalization::INCLUSIVE), expected);
    }

    /// A subtree carries the namespaces in scope (inclusive) or only those it uses (exclusive),
    /// and comments only when asked.
    #[test]
    fn a_subtree_renders_its_namespaces_as_each_method_says() {
        let xml =
            "<r:root xmlns:r=\"urn:r\" xmlns:u=\"urn:unused\" xml:lang=\"en\"><r:a x=\"1\"><!--c--><b/></r:a></r:root>";
        assert_eq!(
            c14n(xml, &["a"], Canonicalization::INCLUSIVE),
            "<r:a xmlns:r=\"urn:r\" xmlns:u=\"urn:unused\" x=\"1\" xml:lang=\"en\"><b></b></r:a>"
        );
        let exclusive = Canonicalization::from_uri("http://www.w3.org/2001/10/xml-exc-c14n#WithComments").unwrap();
        assert_eq!(c14n(xml, &["a"], exclusive), "<r:a xmlns:r=\"urn:r\" x=\"1\"><!--c--><b></b></r:a>");
        assert!(Canonicalization::from_uri("urn:unknown").is_none());
    }
}
