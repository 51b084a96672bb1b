//! ASiC manifests as any producer writes them (ETSI EN 319 162-1 §A.4 `ASiCManifest`, §A.5
//! `ASiCArchiveManifest`), read with a namespace-aware XML parser: prefixes and namespace
//! declarations may sit on any element, and document type declarations (and so entity
//! expansion) are refused.

use base64::Engine as _;

use crate::digest::DigestAlgorithm;

/// The ASiC namespace (EN 319 162-1).
pub const ASIC_NS: &str = "http://uri.etsi.org/02918/v1.2.1#";
/// The XML Signature namespace, of `DigestMethod` and `DigestValue`.
pub const DSIG_NS: &str = "http://www.w3.org/2000/09/xmldsig#";
/// Largest manifest read.
pub const MAX_MANIFEST: usize = 4 << 20;

/// Which manifest it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ManifestKind {
    /// `ASiCManifest`: data objects sealed by one signature or time-stamp.
    Signature,
    /// `ASiCArchiveManifest`: earlier signatures, time-stamps and manifests sealed by an archive time-stamp.
    Archive,
}

/// One `DataObjectReference`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// The entry it names (a relative URI, as written: see [`decode_uri`]).
    pub uri: String,
    /// Its media type, when given.
    pub mime_type: Option<String>,
    /// The digest method's algorithm URI.
    pub method: String,
    /// The algorithm, when it is one this build computes.
    pub algorithm: Option<DigestAlgorithm>,
    /// The digest value.
    pub digest: Vec<u8>,
}

/// A manifest as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// Which manifest it is.
    pub kind: ManifestKind,
    /// The entry that seals it (`SigReference`), with its media type when given.
    pub sig_reference: Option<(String, Option<String>)>,
    /// Every data object reference.
    pub references: Vec<Reference>,
}

/// The digest algorithm an XML `DigestMethod` URI names (XML Signature, RFC 6931).
pub fn digest_algorithm(uri: &str) -> Option<DigestAlgorithm> {
    Some(match uri {
        "http://www.w3.org/2000/09/xmldsig#sha1" => DigestAlgorithm::Sha1,
        "http://www.w3.org/2001/04/xmldsig-more#sha224" => DigestAlgorithm::Sha224,
        "http://www.w3.org/2001/04/xmlenc#sha256" => DigestAlgorithm::Sha256,
        "http://www.w3.org/2001/04/xmldsig-more#sha384" => DigestAlgorithm::Sha384,
        "http://www.w3.org/2001/04/xmlenc#sha512" => DigestAlgorithm::Sha512,
        "http://www.w3.org/2007/05/xmldsig-more#sha3-224" => DigestAlgorithm::Sha3_224,
        "http://www.w3.org/2007/05/xmldsig-more#sha3-256" => DigestAlgorithm::Sha3_256,
        "http://www.w3.org/2007/05/xmldsig-more#sha3-384" => DigestAlgorithm::Sha3_384,
        "http://www.w3.org/2007/05/xmldsig-more#sha3-512" => DigestAlgorithm::Sha3_512,
        _ => return None,
    })
}

/// Reads a manifest; `Err` names what is wrong.
pub fn parse_manifest(xml: &[u8]) -> Result<Manifest, String> {
    if xml.len() > MAX_MANIFEST {
        return Err(format!("it is larger than {} MiB", MAX_MANIFEST >> 20));
    }
    let text = std::str::from_utf8(xml).map_err(|_| "it is not UTF-8 text".to_owned())?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let options = roxmltree::ParsingOptions { allow_dtd: false, ..Default::default() };
    let doc = roxmltree::Document::parse_with_options(text, options)
        .map_err(|e| format!("it is not well-formed XML ({e})"))?;
    let root = doc.root_element();
    let kind = match (root.tag_name().namespace(), root.tag_name().name()) {
        (Some(ASIC_NS), "ASiCManifest") => ManifestKind::Signature,
        (Some(ASIC_NS), "ASiCArchiveManifest") => ManifestKind::Archive,
        (ns, name) => {
            return Err(format!(
                "its root element is `{name}`{}, not an ASiCManifest of namespace {ASIC_NS}",
                ns.map(|n| format!(" of namespace {n}")).unwrap_or_default()
            ));
        }
    };
    let asic = |n: &roxmltree::Node<'_, '_>, name: &str| n.is_element() && n.has_tag_name((ASIC_NS, name));
    let mut sig_reference = None;
    let mut references = Vec::new();
    for child in root.children().filter(|n| n.is_element()) {
        if asic(&child, "SigReference") {
            let uri = child.attribute("URI").ok_or("a SigReference has no URI")?;
            sig_reference = Some((uri.to_owned(), child.attribute("MimeType").map(str::to_owned)));
        } else if asic(&child, "DataObjectReference") {
            let uri = child.attribute("URI").ok_or("a DataObjectReference has no URI")?.to_owned();
            let method = child
                .children()
                .find(|n| n.is_element() && n.has_tag_name((DSIG_NS, "DigestMethod")))
                .and_then(|n| n.attribute("Algorithm"))
                .ok_or_else(|| format!("the reference to `{uri}` has no DigestMethod"))?
                .to_owned();
            let value: String = child
                .children()
                .find(|n| n.is_element() && n.has_tag_name((DSIG_NS, "DigestValue")))
                .ok_or_else(|| format!("the reference to `{uri}` has no DigestValue"))?
                .text()
                .unwrap_or_default()
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            let digest = base64::engine::general_purpose::STANDARD
                .decode(&value)
                .map_err(|_| format!("the digest of `{uri}` is not base64"))?;
            references.push(Reference {
                mime_type: child.attribute("MimeType").map(str::to_owned),
                algorithm: digest_algorithm(&method),
                uri,
                method,
                digest,
            });
        }
    }
    Ok(Manifest { kind, sig_reference, references })
}

/// A relative URI as a container entry name: `%XX` escapes decoded (when they decode to UTF-8).
/// Producers differ (some escape spaces, some write names as they are), so a reader looks an
/// entry up by the URI as written first, then by this.
pub fn decode_uri(uri: &str) -> String {
    percent_encoding::percent_decode_str(uri).decode_utf8().map_or_else(|_| uri.to_owned(), |d| d.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const DSS_STYLE: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<ASiCManifest xmlns="http://uri.etsi.org/02918/v1.2.1#" xmlns:ns2="http://www.w3.org/2000/09/xmldsig#">
  <SigReference MimeType="application/x-pkcs7-signature" URI="META-INF/signature001.p7s"/>
  <DataObjectReference MimeType="text/plain" URI="my%20file.txt">
    <ns2:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha512"/>
    <ns2:DigestValue>
      AAEC
    </ns2:DigestValue>
  </DataObjectReference>
</ASiCManifest>"#;

    #[test]
    fn any_prefix_and_namespace_placement_is_read() {
        let m = parse_manifest(DSS_STYLE.as_bytes()).unwrap();
        assert_eq!(m.kind, ManifestKind::Signature);
        assert_eq!(m.sig_reference.as_ref().unwrap().0, "META-INF/signature001.p7s");
        assert_eq!(decode_uri(&m.references[0].uri), "my file.txt");
        assert_eq!(m.references[0].algorithm, Some(DigestAlgorithm::Sha512));
        assert_eq!(m.references[0].digest, vec![0, 1, 2]);
        // The namespace declared on each element instead of the root, another prefix.
        let local = r#"<a:ASiCArchiveManifest xmlns:a="http://uri.etsi.org/02918/v1.2.1#">
            <a:DataObjectReference URI="x"><d:DigestMethod xmlns:d="http://www.w3.org/2000/09/xmldsig#"
            Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><DigestValue xmlns="http://www.w3.org/2000/09/xmldsig#">AA==</DigestValue></a:DataObjectReference>
            </a:ASiCArchiveManifest>"#;
        let m = parse_manifest(local.as_bytes()).unwrap();
        assert_eq!(m.kind, ManifestKind::Archive);
        assert_eq!(m.references[0].digest, vec![0]);
    }

    #[test]
    fn entities_other_namespaces_and_garbage_are_refused() {
        let bomb = r#"<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>
            <ASiCManifest xmlns="http://uri.etsi.org/02918/v1.2.1#">&b;</ASiCManifest>"#;
        assert!(parse_manifest(bomb.as_bytes()).unwrap_err().contains("well-formed"));
        let other = r#"<ASiCManifest xmlns="urn:other"/>"#;
        assert!(parse_manifest(other.as_bytes()).unwrap_err().contains("namespace"));
        assert!(parse_manifest(b"\xff\xfe").is_err());
        let no_digest =
            r#"<ASiCManifest xmlns="http://uri.etsi.org/02918/v1.2.1#"><DataObjectReference URI="x"/></ASiCManifest>"#;
        assert!(parse_manifest(no_digest.as_bytes()).unwrap_err().contains("DigestMethod"));
    }
}
