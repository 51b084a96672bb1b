//! BER as signers really write it (indefinite lengths, constructed strings, long-form lengths,
//! a SET OF member twice), rewritten as the DER the `der` crate reads, element order kept; and the
//! signed attributes of a CMS signer as they were signed.

use std::borrow::Cow;

/// Deepest nesting read (CMS with certificates nests about 15 deep).
const MAX_DEPTH: usize = 64;

/// Bytes that are not BER.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not BER at byte {offset}: {why}")]
pub struct BerError {
    /// Where, from the start of the input.
    pub offset: usize,
    /// What is wrong.
    pub why: &'static str,
}

/// One element: its identifier octets and either its content or its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element<'a> {
    /// The identifier octets as written (class, constructed bit, tag number).
    pub tag: &'a [u8],
    /// The whole element as written, from its identifier to its last content or end-of-contents octet.
    pub raw: &'a [u8],
    /// Its content.
    pub body: Body<'a>,
}

/// An element's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body<'a> {
    /// The content octets.
    Primitive(&'a [u8]),
    /// The elements inside.
    Constructed(Vec<Element<'a>>),
}

/// Reads the first element of `bytes`; what follows it (padding, for a PDF's /Contents) is left.
pub fn parse(bytes: &[u8]) -> Result<Element<'_>, BerError> {
    let mut reader = Reader { bytes, pos: 0 };
    reader.element(0)
}

/// The DER of the first element of `bytes`: the input itself when it is already DER-shaped
/// (definite minimal lengths, primitive strings), else rewritten. Element order is kept (a SET OF
/// is sorted by the DER reader itself); members of a SET OF written twice are kept once.
pub fn to_der(bytes: &[u8]) -> Result<Cow<'_, [u8]>, BerError> {
    let element = parse(bytes)?;
    let mut out = Vec::with_capacity(element.raw.len());
    element.write_der(&mut out);
    if out == element.raw { Ok(Cow::Borrowed(element.raw)) } else { Ok(Cow::Owned(out)) }
}

/// An RFC 5940 `OtherRevocationInfoFormat` taken out of a SignedData's `crls`: its format's
/// OBJECT IDENTIFIER element and the value, both DER.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtherRevocationInfo {
    /// The `otherRevInfoFormat` element (tag, length, content).
    pub format: Vec<u8>,
    /// The `otherRevInfo` element.
    pub value: Vec<u8>,
}

/// A CMS ContentInfo (SignedData) as DER the `cms` crate reads, and what it cannot read set apart:
/// RFC 5940 other revocation info (which `cms` 0.2 reads with an AlgorithmIdentifier where the
/// standard has an OBJECT IDENTIFIER) is taken out of `crls` and returned; attribute and extended
/// certificates (`[0]`, `[1]`, `[2]` among the certificates: obsolete, or unused here) are left
/// out, and so are certificates and CRLs the X.509 reader refuses (a version 1 CRL without its
/// version field); a certificate or CRL written twice is kept once. None of these is covered by a
/// signature (a signer whose certificate is left out is then not found). Anything else is
/// [`to_der`]'s output as it is.
pub fn cms_for_reading(bytes: &[u8]) -> Result<(Vec<u8>, Vec<OtherRevocationInfo>), BerError> {
    let der = to_der(bytes)?.into_owned();
    let mut others = Vec::new();
    let rebuilt = {
        let info = parse(&der)?;
        rebuild_signed_data(&info, &mut others)
    };
    Ok((rebuilt.unwrap_or(der), others))
}

/// A TimeStampResp as DER, its token made readable as [`cms_for_reading`] makes a SignedData.
pub fn time_stamp_response_for_reading(bytes: &[u8]) -> Result<Vec<u8>, BerError> {
    let der = to_der(bytes)?.into_owned();
    let rebuilt = {
        let resp = parse(&der)?;
        match resp.children() {
            Some([status, token]) => {
                let (readable, _) = cms_for_reading(token.raw)?;
                (readable != token.raw).then(|| {
                    let mut out = Vec::new();
                    write_header(&mut out, resp.tag, true, status.raw.len() + readable.len());
                    out.extend_from_slice(status.raw);
                    out.extend_from_slice(&readable);
                    out
                })
            }
            _ => None,
        }
    };
    Ok(rebuilt.unwrap_or(der))
}

fn rebuild_signed_data(info: &Element<'_>, others: &mut Vec<OtherRevocationInfo>) -> Option<Vec<u8>> {
    let ci = info.children()?;
    let explicit = ci.get(1)?;
    let sd = explicit.children()?.first()?;
    let mut changed = false;
    let mut content = Vec::new();
    fn constructed(out: &mut Vec<u8>, tag: &[u8], parts: &[&[u8]]) {
        write_header(out, tag, true, parts.iter().map(|p| p.len()).sum());
        for p in parts {
            out.extend_from_slice(p);
        }
    }
    for part in sd.children()? {
        let kids = match (part.tag, part.children()) {
            ([0xA0] | [0xA1], Some(kids)) => kids,
            _ => {
                content.extend_from_slice(part.raw);
                continue;
            }
        };
        let mut keep: Vec<&[u8]> = Vec::new();
        for kid in kids {
            let certificates = part.tag == [0xA0];
            if certificates && kid.tag != [0x30] && kid.tag != [0xA3] {
                changed = true;
                continue;
            }
            if !certificates && kid.tag == [0xA1] {
                if let Some([format, value]) = kid.children() {
                    others.push(OtherRevocationInfo { format: format.raw.to_vec(), value: value.raw.to_vec() });
                }
                changed = true;
                continue;
            }
            let unreadable = kid.tag == [0x30]
                && if certificates {
                    <x509_cert::Certificate as der::Decode>::from_der(kid.raw).is_err()
                } else {
                    <x509_cert::crl::CertificateList as der::Decode>::from_der(kid.raw).is_err()
                };
            if unreadable || keep.contains(&kid.raw) {
                changed = true;
                continue;
            }
            keep.push(kid.raw);
        }
        if !keep.is_empty() || part.tag == [0xA0] {
            constructed(&mut content, part.tag, &keep);
        }
    }
    if !changed {
        return None;
    }
    let mut signed_data = Vec::new();
    constructed(&mut signed_data, sd.tag, &[&content]);
    let mut wrapped = Vec::new();
    constructed(&mut wrapped, explicit.tag, &[&signed_data]);
    let mut out = Vec::new();
    constructed(&mut out, info.tag, &[ci.first()?.raw, &wrapped]);
    Some(out)
}

/// The signed attributes of the first signer of a CMS ContentInfo (`cms`, DER from [`to_der`]),
/// as the bytes the signature covers in the order they were written: the `[0] IMPLICIT` field
/// with the SET OF tag RFC 5652 §5.4 prescribes. `None` when the signer has none.
pub fn signed_attributes_as_written(cms: &[u8]) -> Option<Vec<u8>> {
    signed_attributes_of(cms, |_| true)
}

/// [`signed_attributes_as_written`] of the signer whose signature value is `signature` (for a
/// SignedData of several signers).
pub fn signed_attributes_as_written_by(cms: &[u8], signature: &[u8]) -> Option<Vec<u8>> {
    signed_attributes_of(cms, |signer| {
        signer.children().is_some_and(|parts| {
            parts.iter().any(|p| p.tag == [0x04] && matches!(p.body, Body::Primitive(v) if v == signature))
        })
    })
}

fn signed_attributes_of(cms: &[u8], which: impl Fn(&Element<'_>) -> bool) -> Option<Vec<u8>> {
    let info = parse(cms).ok()?;
    let explicit = info.children()?.get(1)?;
    let signed_data = explicit.children()?.first()?;
    let signer_infos = signed_data.children()?.last()?;
    let signer = signer_infos.children()?.iter().find(|s| which(s))?;
    let attrs = signer.children()?.iter().find(|e| e.tag == [0xA0])?;
    let mut out = attrs.raw.to_vec();
    *out.first_mut()? = 0x31;
    Some(out)
}

impl<'a> Element<'a> {
    /// The elements inside, for a constructed element.
    pub fn children(&self) -> Option<&[Element<'a>]> {
        match &self.body {
            Body::Constructed(c) => Some(c),
            Body::Primitive(_) => None,
        }
    }

    fn is_universal(&self, number: u8) -> bool {
        self.tag.len() == 1 && self.tag[0] & 0xDF == number
    }

    /// An `Attribute` as CMS writes it: SEQUENCE { OBJECT IDENTIFIER, SET }.
    fn is_attribute(&self) -> bool {
        match &self.body {
            Body::Constructed(parts) if self.is_universal(0x10) => {
                parts.len() == 2 && parts[0].is_universal(6) && parts[1].is_universal(0x11)
            }
            _ => false,
        }
    }

    /// A universal string type, which BER may split into constructed segments.
    fn is_string_type(&self) -> bool {
        self.tag.len() == 1
            && self.tag[0] & 0xC0 == 0
            && matches!(self.tag[0] & 0x1F, 3 | 4 | 12 | 18..=22 | 25..=28 | 30)
    }

    /// The element as DER: minimal definite lengths, primitive strings, order kept.
    pub fn der(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.raw.len());
        self.write_der(&mut out);
        out
    }

    /// Whether this is the universal type `number` (`0x10` SEQUENCE, `4` OCTET STRING…).
    pub fn is(&self, number: u8) -> bool {
        self.is_universal(number)
    }

    fn write_der(&self, out: &mut Vec<u8>) {
        match &self.body {
            Body::Primitive(content) => {
                let content: Cow<[u8]> = if self.is_universal(1) && content.len() == 1 && content[0] != 0 {
                    Cow::Owned(vec![0xFF])
                } else {
                    Cow::Borrowed(content)
                };
                write_header(out, self.tag, false, content.len());
                out.extend_from_slice(&content);
            }
            Body::Constructed(_) if self.is_string_type() => {
                let mut content = Vec::new();
                let bit_string = self.is_universal(3);
                let mut unused = 0u8;
                self.flatten_string(&mut content, bit_string, &mut unused);
                if bit_string {
                    content.insert(0, unused);
                }
                write_header(out, self.tag, false, content.len());
                out.extend_from_slice(&content);
            }
            Body::Constructed(children) => {
                // A SET OF, or a SignerInfo's `[0]`/`[1] IMPLICIT` SET OF Attribute: a member
                // written twice is one member (DER forbids the repeat).
                let attributes = self.tag.len() == 1
                    && matches!(self.tag[0], 0xA0 | 0xA1)
                    && !children.is_empty()
                    && children.iter().all(Element::is_attribute);
                let is_set = self.is_universal(0x11) || attributes;
                let mut seen = std::collections::HashSet::new();
                let mut parts: Vec<Vec<u8>> = Vec::with_capacity(children.len());
                for child in children {
                    let mut part = Vec::new();
                    child.write_der(&mut part);
                    if is_set && !seen.insert(part.clone()) {
                        continue;
                    }
                    parts.push(part);
                }
                let len = parts.iter().map(Vec::len).sum();
                write_header(out, self.tag, true, len);
                for part in parts {
                    out.extend_from_slice(&part);
                }
            }
        }
    }

    /// The content of a string split into segments, in order (a BIT STRING's segments each start
    /// with their count of unused bits; only the last may have any).
    fn flatten_string(&self, out: &mut Vec<u8>, bit_string: bool, unused: &mut u8) {
        match &self.body {
            Body::Primitive(content) if bit_string => {
                if let Some((&bits, rest)) = content.split_first() {
                    *unused = bits;
                    out.extend_from_slice(rest);
                }
            }
            Body::Primitive(content) => out.extend_from_slice(content),
            Body::Constructed(children) => {
                for child in children {
                    child.flatten_string(out, bit_string, unused);
                }
            }
        }
    }
}

/// A DER SEQUENCE around `content` (already-encoded elements).
pub fn der_sequence(content: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(content.len() + 6);
    write_header(&mut out, &[0x30], true, content.len());
    out.extend_from_slice(content);
    out
}

/// Identifier octets (with the constructed bit as given) and a minimal definite length.
fn write_header(out: &mut Vec<u8>, tag: &[u8], constructed: bool, len: usize) {
    let (first, rest) = tag.split_first().map(|(f, r)| (*f, r)).unwrap_or((0, &[]));
    out.push(if constructed { first | 0x20 } else { first & !0x20 });
    out.extend_from_slice(rest);
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn fail<T>(&self, why: &'static str) -> Result<T, BerError> {
        Err(BerError { offset: self.pos, why })
    }

    fn byte(&mut self) -> Result<u8, BerError> {
        let Some(&b) = self.bytes.get(self.pos) else { return self.fail("the input ends inside an element") };
        self.pos += 1;
        Ok(b)
    }

    fn element(&mut self, depth: usize) -> Result<Element<'a>, BerError> {
        if depth > MAX_DEPTH {
            return self.fail("elements nest deeper than any signature does");
        }
        let start = self.pos;
        let first = self.byte()?;
        if first & 0x1F == 0x1F {
            for i in 0.. {
                let b = self.byte()?;
                if i > 4 {
                    return self.fail("a tag number longer than 32 bits");
                }
                if b & 0x80 == 0 {
                    break;
                }
            }
        }
        let tag = &self.bytes[start..self.pos];
        let constructed = first & 0x20 != 0;
        let len_byte = self.byte()?;
        if len_byte == 0x80 {
            if !constructed {
                return self.fail("a primitive element with an indefinite length");
            }
            let mut children = Vec::new();
            loop {
                if self.bytes.get(self.pos..self.pos + 2) == Some(&[0u8, 0][..]) {
                    self.pos += 2;
                    break;
                }
                if self.pos >= self.bytes.len() {
                    return self.fail("an indefinite length without end-of-contents");
                }
                children.push(self.element(depth + 1)?);
            }
            return Ok(Element { tag, raw: &self.bytes[start..self.pos], body: Body::Constructed(children) });
        }
        let len = if len_byte < 0x80 {
            len_byte as usize
        } else {
            let n = (len_byte & 0x7F) as usize;
            if n > 8 || len_byte == 0xFF {
                return self.fail("a length of more than 8 octets");
            }
            let mut len = 0usize;
            for _ in 0..n {
                let b = self.byte()?;
                len = len.checked_mul(256).map(|l| l | b as usize).unwrap_or(usize::MAX);
            }
            len
        };
        let end = match self.pos.checked_add(len) {
            Some(end) if end <= self.bytes.len() => end,
            _ => return self.fail("a length past the end of the input"),
        };
        let body = if constructed {
            let all = self.bytes;
            let outer = std::mem::replace(&mut self.bytes, &all[..end]);
            let mut children = Vec::new();
            while self.pos < end {
                children.push(self.element(depth + 1)?);
            }
            self.bytes = outer;
            Body::Constructed(children)
        } else {
            Body::Primitive(&self.bytes[self.pos..end])
        };
        self.pos = end;
        Ok(Element { tag, raw: &self.bytes[start..end], body })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_attribute_written_twice_in_a_signer_info_set_is_kept_once() {
        let attr: &[u8] = &[0x30, 0x0A, 0x06, 0x03, 0x2A, 0x03, 0x04, 0x31, 0x03, 0x02, 0x01, 0x05];
        let twice = [&[0xA1, 0x18][..], attr, attr].concat();
        assert_eq!(to_der(&twice).unwrap().as_ref(), [&[0xA1, 0x0C][..], attr].concat().as_slice());
        // Not attributes: an `[1]` that may be a SEQUENCE keeps every member.
        let seqs: &[u8] = &[0xA1, 0x0A, 0x30, 0x03, 0x02, 0x01, 0x05, 0x30, 0x03, 0x02, 0x01, 0x05];
        assert_eq!(to_der(seqs).unwrap().as_ref(), seqs);
    }

    #[test]
    fn der_stays_as_it_is() {
        let der = [0x30, 0x06, 0x02, 0x01, 0x05, 0x04, 0x01, 0xAA];
        assert!(matches!(to_der(&der).unwrap(), Cow::Borrowed(_)));
        // Padding after the element (a PDF's /Contents) is not part of it.
        let mut padded = der.to_vec();
        padded.extend_from_slice(&[0; 16]);
        assert_eq!(to_der(&padded).unwrap().as_ref(), &der);
    }

    #[test]
    fn indefinite_lengths_and_long_forms_become_definite() {
        // SEQUENCE (indefinite) { INTEGER 5 (long-form length), [0] (indefinite) { NULL } }
        let ber = [0x30, 0x80, 0x02, 0x81, 0x01, 0x05, 0xA0, 0x80, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00];
        assert_eq!(to_der(&ber).unwrap().as_ref(), &[0x30, 0x07, 0x02, 0x01, 0x05, 0xA0, 0x02, 0x05, 0x00]);
    }

    #[test]
    fn constructed_strings_are_joined() {
        // OCTET STRING (constructed, indefinite) { "ab", "c" }
        let ber = [0x24, 0x80, 0x04, 0x02, b'a', b'b', 0x04, 0x01, b'c', 0x00, 0x00];
        assert_eq!(to_der(&ber).unwrap().as_ref(), &[0x04, 0x03, b'a', b'b', b'c']);
        // BIT STRING in two segments, 4 unused bits in the last.
        let ber = [0x23, 0x09, 0x03, 0x02, 0x00, 0xAB, 0x03, 0x03, 0x04, 0xCD, 0xE0];
        assert_eq!(to_der(&ber).unwrap().as_ref(), &[0x03, 0x04, 0x04, 0xAB, 0xCD, 0xE0]);
    }

    #[test]
    fn a_set_member_written_twice_is_kept_once_and_order_is_kept() {
        let ber = [0x31, 0x09, 0x02, 0x01, 0x07, 0x02, 0x01, 0x03, 0x02, 0x01, 0x07];
        assert_eq!(to_der(&ber).unwrap().as_ref(), &[0x31, 0x06, 0x02, 0x01, 0x07, 0x02, 0x01, 0x03]);
        assert_eq!(to_der(&[0x01, 0x01, 0x01]).unwrap().as_ref(), &[0x01, 0x01, 0xFF], "BER true is any non-zero");
    }

    #[test]
    fn hostile_bytes_are_errors_never_panics() {
        for bad in [
            &[][..],
            &[0x30],
            &[0x30, 0x05, 0x02],
            &[0x30, 0x80, 0x02, 0x01, 0x05],
            &[0x04, 0x80, 0x00, 0x00],
            &[0x30, 0x89, 1, 2, 3, 4, 5, 6, 7, 8, 9],
            &[0x30, 0x88, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],
            &[0x1F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x00],
        ] {
            assert!(to_der(bad).is_err(), "{bad:02x?}");
        }
        let deep: Vec<u8> = std::iter::repeat_n([0x30u8, 0x80], 200).flatten().collect();
        assert!(to_der(&deep).is_err());
    }
}
