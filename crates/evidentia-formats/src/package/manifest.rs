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
        let mut x = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<asic:ASiCManifest \
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
        x += "</asic:ASiCManifest>\n";
        x
    }

    /// Reads a manifest written as [`AsicManifest::to_xml`] writes it (whitespace and attribute
    /// order aside); anything else is an error naming what is wrong.
    pub fn from_xml(xml: &str) -> Result<AsicManifest, String> {
        if !xml.contains("<asic:ASiCManifest") || !xml.trim_end().ends_with("</asic:ASiCManifest>") {
            return Err("it is not an ASiCManifest document".into());
        }
        let mut sig_reference = None;
        if let Some(start) = xml.find("<asic:SigReference") {
            let tag = element_head(&xml[start..])?;
            sig_reference = Some((attribute(tag, "URI")?, attribute(tag, "MimeType")?));
        }
        let mut objects = Vec::new();
        let mut rest = xml;
        while let Some(start) = rest.find("<asic:DataObjectReference") {
            let block = &rest[start..];
            let end = block.find("</asic:DataObjectReference>").ok_or("a DataObjectReference is not closed")?;
            let tag = element_head(block)?;
            let uri = attribute(tag, "URI")?;
            let mime_type = attribute(tag, "MimeType").unwrap_or_default();
            let body = &block[..end];
            let method = body.find("<ds:DigestMethod").map(|i| element_head(&body[i..])).transpose()?;
            if method.map(|m| attribute(m, "Algorithm")).transpose()?.as_deref() != Some(SHA256_URI) {
                return Err(format!("the digest of `{uri}` is not SHA-256"));
            }
            let value = between(body, "<ds:DigestValue>", "</ds:DigestValue>")
                .ok_or_else(|| format!("`{uri}` has no DigestValue"))?;
            let sha256 = STANDARD
                .decode(value.trim())
                .ok()
                .filter(|d| d.len() == 32)
                .ok_or_else(|| format!("the digest of `{uri}` is not a base64 SHA-256 value"))?;
            objects.push(DataObject { uri, mime_type, sha256 });
            rest = &block[end..];
        }
        Ok(AsicManifest { sig_reference, objects })
    }
}

fn element_head(s: &str) -> Result<&str, String> {
    s.find('>').map(|e| &s[..e]).ok_or_else(|| "an element is not closed".into())
}

fn attribute(tag: &str, name: &str) -> Result<String, String> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key).ok_or_else(|| format!("an element has no {name} attribute"))? + key.len();
    let end = tag[start..].find('"').ok_or_else(|| format!("the {name} attribute is not closed"))?;
    unescape(&tag[start..start + end])
}

fn between<'a>(s: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let start = s.find(open)? + open.len();
    let end = s[start..].find(close)?;
    Some(&s[start..start + end])
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn unescape(s: &str) -> Result<String, String> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let (text, len) = [("&amp;", '&'), ("&lt;", '<'), ("&gt;", '>'), ("&quot;", '"'), ("&apos;", '\'')]
            .iter()
            .find(|(e, _)| tail.starts_with(e))
            .map(|(e, c)| (*c, e.len()))
            .ok_or_else(|| format!("unknown entity in `{s}`"))?;
        out.push(text);
        rest = &tail[len..];
    }
    out.push_str(rest);
    Ok(out)
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
                    uri: "合同 & \"terms\" <v2>.pdf".into(),
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
