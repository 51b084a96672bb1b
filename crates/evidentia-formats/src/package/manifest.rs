//! The ASiC manifest (`META-INF/ASiCManifest.xml`, ETSI EN 319 162-1 §A.4): every data object of
//! the package with its SHA-256, and a reference to the signature or time-stamp that seals it.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

const SHA256_URI: &str = "http://www.w3.org/2001/04/xmlenc#sha256";

/// One listed entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataObject {
    /// Entry name.
    pub uri: String,
    /// Its media type.
    pub mime_type: String,
    /// Its SHA-256.
    pub sha256: Vec<u8>,
}

/// The manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AsicManifest {
    /// The entry that seals the manifest, and its media type.
    pub sig_reference: Option<(String, String)>,
    /// Every data object.
    pub objects: Vec<DataObject>,
}

impl AsicManifest {
    /// The XML.
    pub fn to_xml(&self) -> String {
        self.to_xml_as("ASiCManifest")
    }

    /// The XML of an archive manifest (`ASiCArchiveManifest`, EN 319 162-1 §A.7): the same
    /// references, sealed by an archive time-stamp.
    pub fn to_archive_xml(&self) -> String {
        self.to_xml_as("ASiCArchiveManifest")
    }

    fn to_xml_as(&self, root: &str) -> String {
        let mut x = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<asic:{root} \
             xmlns:asic=\"http://uri.etsi.org/02918/v1.2.1#\" xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\">\n",
        );
        if let Some((uri, mime)) = &self.sig_reference {
            x += &format!("  <asic:SigReference URI=\"{}\" MimeType=\"{}\"/>\n", escape(uri), escape(mime));
        }
        for o in &self.objects {
            x += &format!(
                "  <asic:DataObjectReference URI=\"{}\" MimeType=\"{}\">\n    <ds:DigestMethod Algorithm=\"{SHA256_URI}\"/>\n    \
                 <ds:DigestValue>{}</ds:DigestValue>\n  </asic:DataObjectReference>\n",
                escape(&o.uri),
                escape(&o.mime_type),
                STANDARD.encode(&o.sha256)
            );
        }
        x += &format!("</asic:{root}>\n");
        x
    }

    /// Reads a manifest through the namespace-aware reader ([`super::asic::parse_manifest`]);
    /// Evidentia's manifests list SHA-256 digests, so any other is an error naming the entry.
    pub fn from_xml(xml: &str) -> Result<AsicManifest, String> {
        let m = super::asic::parse_manifest(xml.as_bytes())?;
        if m.kind != super::asic::ManifestKind::Signature {
            return Err("it is an ASiCArchiveManifest, not an ASiCManifest".into());
        }
        let sig_reference = m.sig_reference.map(|(uri, mime)| (uri, mime.unwrap_or_default()));
        let mut objects = Vec::new();
        for r in m.references {
            if r.algorithm != Some(crate::digest::DigestAlgorithm::Sha256) {
                return Err(format!("the digest of `{}` is not SHA-256", r.uri));
            }
            if r.digest.len() != 32 {
                return Err(format!("the digest of `{}` is not a base64 SHA-256 value", r.uri));
            }
            objects.push(DataObject { uri: r.uri, mime_type: r.mime_type.unwrap_or_default(), sha256: r.digest });
        }
        Ok(AsicManifest { sig_reference, objects })
    }
}

/// Text as an XML attribute value: markup characters escaped, and tab, line feed and carriage
/// return as character references (a reader normalises them to spaces when written as they are).
fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\t', "&#9;")
        .replace('\n', "&#10;")
        .replace('\r', "&#13;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_names_that_need_escaping() {
        let m = AsicManifest {
            sig_reference: Some(("META-INF/timestamp.tst".into(), "application/vnd.etsi.timestamp-token".into())),
            objects: vec![
                DataObject {
                    uri: "合同 & \"terms\" <v2>\t\n.pdf".into(),
                    mime_type: "application/pdf".into(),
                    sha256: vec![7; 32],
                },
                DataObject { uri: "b.txt".into(), mime_type: "text/plain".into(), sha256: vec![9; 32] },
            ],
        };
        assert_eq!(AsicManifest::from_xml(&m.to_xml()).unwrap(), m);
        let broken = m.to_xml().replace("xmlenc#sha256", "xmlenc#sha1");
        assert!(AsicManifest::from_xml(&broken).unwrap_err().contains("not SHA-256"));
        let xml = m.to_xml();
        for cut in [10, 200, 400, xml.len() - 30] {
            assert!(AsicManifest::from_xml(&String::from_utf8_lossy(&xml.as_bytes()[..cut])).is_err());
        }
    }
}
