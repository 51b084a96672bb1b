//! Revocation data at hand — CRLs and OCSP responses that signatures, documents and files carry,
//! or that were fetched — gathered before anything is judged (the judging is the revocation module's).

use cms::signed_data::SignedData;
use der::asn1::ObjectIdentifier;
use der::{Decode, Encode};
use x509_cert::crl::CertificateList;
use x509_ocsp::{BasicOcspResponse, OcspResponse, OcspResponseStatus};

const ID_PKIX_OCSP_BASIC: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.1");
const ID_RI_OCSP_RESPONSE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.16.2");
/// Adobe's signed attribute with the CRLs and OCSP responses a PDF signer embedded.
pub const ADBE_REVOCATION_INFO_ARCHIVAL: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113583.1.1.8");
/// CAdES revocation-values (unsigned attribute, ETSI EN 319 122-1).
pub const REVOCATION_VALUES: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.24");

/// Revocation data at hand: CRLs and basic OCSP responses, DER.
#[derive(Debug, Clone, Default)]
pub struct RevocationSources {
    /// CRLs (CertificateList, DER).
    pub crls: Vec<Vec<u8>>,
    /// BasicOCSPResponse, DER.
    pub ocsps: Vec<Vec<u8>>,
}

impl RevocationSources {
    /// Adds RFC 5940 other revocation info: an OCSP response (`id-ri-ocsp-response`); other
    /// formats (SCVP) are not read.
    pub fn add_other_revocation_info(&mut self, other: &crate::ber::OtherRevocationInfo) {
        if ObjectIdentifier::from_der(&other.format).is_ok_and(|o| o == ID_RI_OCSP_RESPONSE) {
            self.add_ocsp_response(&other.value);
        }
    }

    /// Adds an OCSPResponse (as a PDF DSS or RFC 5940 carries it) or a bare BasicOCSPResponse.
    pub fn add_ocsp_response(&mut self, der: &[u8]) {
        if let Ok(r) = OcspResponse::from_der(der) {
            if r.response_status == OcspResponseStatus::Successful
                && let Some(bytes) = r.response_bytes
                && bytes.response_type == ID_PKIX_OCSP_BASIC
            {
                self.ocsps.push(bytes.response.as_bytes().to_vec());
            }
        } else if BasicOcspResponse::from_der(der).is_ok() {
            self.ocsps.push(der.to_vec());
        }
    }

    /// Adds a CRL (DER or PEM) or an OCSP response (DER) read from a file the user names; why
    /// not, in words, when it is neither.
    pub fn load(&mut self, path: &std::path::Path) -> Result<(), String> {
        let bytes = std::fs::read(path).map_err(|e| format!("cannot be read ({e})"))?;
        let der = if bytes.starts_with(b"-----BEGIN") {
            der::pem::decode_vec(&bytes).map(|(_, d)| d).map_err(|e| format!("is not valid PEM ({e})"))?
        } else {
            bytes
        };
        if CertificateList::from_der(&der).is_ok() {
            self.crls.push(der);
            return Ok(());
        }
        let before = self.ocsps.len();
        self.add_ocsp_response(&der);
        if self.ocsps.len() == before {
            return Err("is neither a CRL (DER or PEM) nor a successful OCSP response (DER)".into());
        }
        Ok(())
    }

    /// Adds everything of `other`.
    pub fn extend(&mut self, other: &RevocationSources) {
        self.crls.extend(other.crls.iter().cloned());
        self.ocsps.extend(other.ocsps.iter().cloned());
    }

    /// Whether nothing is at hand.
    pub fn is_empty(&self) -> bool {
        self.crls.is_empty() && self.ocsps.is_empty()
    }

    /// What a CMS SignedData carries: its `crls` field (CRLs, RFC 5940 OCSP responses), Adobe's
    /// revocationInfoArchival signed attribute and CAdES revocation-values.
    pub fn of_signed_data(sd: &SignedData) -> Self {
        let mut found = Self::default();
        for choice in sd.crls.iter().flat_map(|c| c.0.iter()) {
            match choice {
                cms::revocation::RevocationInfoChoice::Crl(crl) => {
                    if let Ok(d) = crl.to_der() {
                        found.crls.push(d);
                    }
                }
                // RFC 5940 entries are taken out before parsing (`ber::cms_for_reading`).
                cms::revocation::RevocationInfoChoice::Other(_) => {}
            }
        }
        for signer in sd.signer_infos.0.iter() {
            let attrs = signer
                .signed_attrs
                .iter()
                .flat_map(|a| a.iter())
                .chain(signer.unsigned_attrs.iter().flat_map(|a| a.iter()));
            for attr in attrs {
                let basic = match attr.oid {
                    ADBE_REVOCATION_INFO_ARCHIVAL => false,
                    REVOCATION_VALUES => true,
                    _ => continue,
                };
                for value in attr.values.iter() {
                    if let Ok(d) = value.to_der() {
                        found.add_archival(&d, basic);
                    }
                }
            }
        }
        found
    }

    /// `SEQUENCE { [0] EXPLICIT SEQUENCE OF CRL, [1] EXPLICIT SEQUENCE OF OCSP, ... }`: Adobe's
    /// OCSPResponse items, or CAdES's BasicOCSPResponse items.
    pub(crate) fn add_archival(&mut self, der: &[u8], basic: bool) {
        let Ok(seq) = der::asn1::Any::from_der(der) else { return };
        let Ok(items) = seq.decode_as::<Vec<der::asn1::Any>>() else { return };
        for item in items {
            let tag = der::Tagged::tag(&item);
            let der::Tag::ContextSpecific { number, .. } = tag else { continue };
            let Ok(list) = der::asn1::Any::from_der(item.value()).and_then(|l| l.decode_as::<Vec<der::asn1::Any>>())
            else {
                continue;
            };
            for element in list {
                let Ok(d) = element.to_der() else { continue };
                match number.value() {
                    0 => self.crls.push(d),
                    1 if basic => self.ocsps.push(d),
                    1 => self.add_ocsp_response(&d),
                    _ => {}
                }
            }
        }
    }
}
