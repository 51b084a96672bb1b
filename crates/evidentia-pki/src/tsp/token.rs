//! A time-stamp token parsed into checked parts: the CMS SignedData, its one SignerInfo, the
//! TSTInfo and the genTime. Parsing proves only that the bytes have the right shape;
//! [`super::verify`] decides whether to believe them.

use chrono::{DateTime, Utc};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{CertificateSet, SignedData, SignerInfo};
use der::{Decode, Encode, Tagged};
use x509_cert::Certificate;

use super::TspError;
use super::asn1::{FAILURE_BITS, TimeStampResp, TstInfo, oid};
use super::time::parse_generalized_time;

/// A parsed RFC 3161 time-stamp token (a CMS ContentInfo holding SignedData over a TSTInfo).
#[derive(Debug, Clone)]
pub struct TimestampToken {
    der: Vec<u8>,
    /// The CMS SignedData.
    pub signed_data: SignedData,
    /// The TSTInfo it signs.
    pub tst_info: TstInfo,
    /// The TSTInfo's DER, as signed.
    pub tst_der: Vec<u8>,
    gen_time: DateTime<Utc>,
}

/// id-RSASSA-PSS, whose parameters are its hash and salt.
const RSASSA_PSS: der::asn1::ObjectIdentifier = der::asn1::ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");

fn malformed(what: &str, e: impl std::fmt::Display) -> TspError {
    TspError::Malformed(format!("{what}: {e}"))
}

impl TimestampToken {
    /// Parses a `TimeStampResp` (what a TSA answers, `.tsr` files): the status must be granted
    /// (0) or grantedWithMods (1), and a token present.
    pub fn from_response_der(bytes: &[u8]) -> Result<Self, TspError> {
        let bytes =
            crate::ber::time_stamp_response_for_reading(bytes).map_err(|e| malformed("not a TimeStampResp", e))?;
        let resp = TimeStampResp::from_der(&bytes).map_err(|e| malformed("not a DER TimeStampResp", e))?;
        let status = resp.status.status.min(255) as u8;
        if status > 1 {
            let mut detail = String::new();
            for t in resp.status.status_string.iter().flatten() {
                detail.push_str(&format!(" \"{t}\""));
            }
            if let Some(fail) = &resp.status.fail_info {
                let names: Vec<&str> = fail
                    .bits()
                    .enumerate()
                    .filter(|(_, set)| *set)
                    .map(|(i, _)| FAILURE_BITS.iter().find(|(b, _)| *b == i).map(|(_, n)| *n).unwrap_or("unknown"))
                    .collect();
                detail.push_str(&format!(" (failInfo: {})", names.join(", ")));
            }
            let name = match status {
                2 => " rejection",
                3 => " waiting",
                4 => " revocationWarning",
                5 => " revocationNotification",
                _ => "",
            };
            return Err(TspError::Rejected { status, detail: format!("{name}{detail}") });
        }
        let token = resp.time_stamp_token.ok_or_else(|| TspError::Malformed("granted status but no token".into()))?;
        let der = token.to_der().map_err(|e| malformed("token", e))?;
        Self::from_content_info(token, der)
    }

    /// Parses a bare token (`ContentInfo`), as embedded in CAdES and PAdES signatures.
    pub fn from_token_der(bytes: &[u8]) -> Result<Self, TspError> {
        let (bytes, _) = crate::ber::cms_for_reading(bytes).map_err(|e| malformed("not a ContentInfo", e))?;
        let ci = ContentInfo::from_der(&bytes).map_err(|e| malformed("not a DER ContentInfo", e))?;
        Self::from_content_info(ci, bytes)
    }

    /// Parses either form: a `TimeStampResp`, or a bare token.
    pub fn from_any_der(bytes: &[u8]) -> Result<Self, TspError> {
        match Self::from_response_der(bytes) {
            Ok(t) => Ok(t),
            Err(e @ TspError::Rejected { .. }) => Err(e),
            // A ContentInfo (its first part an OBJECT IDENTIFIER): the token's own error says more.
            Err(first) => Self::from_token_der(bytes).map_err(|second| {
                let content_info = crate::ber::parse(bytes)
                    .ok()
                    .and_then(|e| e.children().and_then(|c| c.first().map(|f| f.is(6))))
                    .unwrap_or(false);
                if content_info { second } else { first }
            }),
        }
    }

    fn from_content_info(ci: ContentInfo, der: Vec<u8>) -> Result<Self, TspError> {
        if ci.content_type != oid::SIGNED_DATA {
            return Err(TspError::Malformed(format!("content type {} is not SignedData", ci.content_type)));
        }
        let signed_data: SignedData = ci.content.decode_as().map_err(|e| malformed("SignedData", e))?;
        let encap = &signed_data.encap_content_info;
        if encap.econtent_type != oid::TST_INFO {
            return Err(TspError::Malformed(format!("encapsulated content {} is not a TSTInfo", encap.econtent_type)));
        }
        let econtent = encap.econtent.as_ref().ok_or_else(|| TspError::Malformed("no TSTInfo in the token".into()))?;
        let octets: der::asn1::OctetString = econtent.decode_as().map_err(|e| malformed("TSTInfo wrapper", e))?;
        let tst_der = octets.as_bytes().to_vec();
        let tst_info = TstInfo::from_der(&tst_der).map_err(|e| malformed("TSTInfo", e))?;
        if super::asn1::oid_text(&tst_info.policy).is_none() {
            return Err(TspError::Malformed("the TSA policy is not an OBJECT IDENTIFIER".into()));
        }
        if der::Tagged::tag(&tst_info.gen_time) != der::Tag::GeneralizedTime {
            return Err(TspError::Malformed("genTime is not a GeneralizedTime".into()));
        }
        let gen_time = parse_generalized_time(tst_info.gen_time.value())
            .ok_or_else(|| TspError::Malformed("genTime is not a valid UTC GeneralizedTime".into()))?;
        if signed_data.signer_infos.0.len() != 1 {
            return Err(TspError::Malformed(format!(
                "a time-stamp has exactly one signer, this one has {}",
                signed_data.signer_infos.0.len()
            )));
        }
        // RFC 5652 §5.1: digestAlgorithms lists the signer's; OpenSSL refuses a token where it does not.
        let listed = |oid| signed_data.digest_algorithms.iter().any(|a| a.oid == oid);
        if let Some(signer) = signed_data.signer_infos.0.iter().next()
            && !listed(signer.digest_alg.oid)
        {
            return Err(TspError::Malformed(format!(
                "the signer's digest algorithm {} is not among the SignedData's digestAlgorithms",
                signer.digest_alg.oid
            )));
        }
        // RFC 5652 §5.1 and §5.3: a TSTInfo is not id-data, so SignedData is version 3 (4 or 5
        // with attribute certificates or other revocation formats); a signer named by issuer
        // and serial is version 1, by key identifier version 3.
        if !matches!(signed_data.version, CmsVersion::V3 | CmsVersion::V4 | CmsVersion::V5) {
            return Err(TspError::Malformed(format!(
                "SignedData version {:?}, not 3 or later as for a TSTInfo",
                signed_data.version
            )));
        }
        for signer in signed_data.signer_infos.0.iter() {
            let wanted = match signer.sid {
                cms::signed_data::SignerIdentifier::IssuerAndSerialNumber(_) => CmsVersion::V1,
                cms::signed_data::SignerIdentifier::SubjectKeyIdentifier(_) => CmsVersion::V3,
            };
            if signer.version != wanted {
                return Err(TspError::Malformed(format!(
                    "SignerInfo version {:?} does not match how it names its signer",
                    signer.version
                )));
            }
            // Digest algorithms take no parameters (absent or NULL, RFC 5754).
            let no_parameters = |a: &spki::AlgorithmIdentifierOwned| {
                a.parameters.as_ref().is_none_or(|p| p.tag() == der::Tag::Null && p.value().is_empty())
            };
            if !no_parameters(&signer.digest_alg) || !signed_data.digest_algorithms.iter().all(no_parameters) {
                return Err(TspError::Malformed("a digest algorithm carries parameters".into()));
            }
            // RSA PKCS #1 v1.5 and ECDSA signature algorithms: NULL or no parameters (RFC 4055, RFC 5758).
            if signer.signature_algorithm.oid != RSASSA_PSS && !no_parameters(&signer.signature_algorithm) {
                return Err(TspError::Malformed("the signature algorithm carries unexpected parameters".into()));
            }
        }
        Ok(Self { der, signed_data, tst_info, tst_der, gen_time })
    }

    /// The token's DER (a ContentInfo).
    pub fn to_der(&self) -> &[u8] {
        &self.der
    }

    /// The time the TSA vouches for.
    pub fn gen_time(&self) -> DateTime<Utc> {
        self.gen_time
    }

    /// The serial number, hex.
    pub fn serial_hex(&self) -> String {
        hex::encode(self.tst_info.serial_number.as_bytes())
    }

    /// The TSA policy under which it was issued.
    pub fn policy(&self) -> String {
        super::asn1::oid_text(&self.tst_info.policy).unwrap_or_default()
    }

    /// The nonce, if any.
    pub fn nonce(&self) -> Option<&[u8]> {
        self.tst_info.nonce.as_ref().map(|n| n.as_bytes())
    }

    /// The hash algorithm of the imprint.
    pub fn imprint_algorithm(&self) -> der::asn1::ObjectIdentifier {
        self.tst_info.message_imprint.hash_algorithm.oid
    }

    /// The time-stamped digest.
    pub fn imprint(&self) -> &[u8] {
        self.tst_info.message_imprint.hashed_message.as_bytes()
    }

    /// The accuracy in microseconds, if the TSA stated one.
    pub fn accuracy_micros(&self) -> Option<u64> {
        self.tst_info.accuracy.as_ref().map(|a| {
            a.seconds.unwrap_or(0) * 1_000_000
                + a.millis.unwrap_or(0).max(0) as u64 * 1000
                + a.micros.unwrap_or(0).max(0) as u64
        })
    }

    /// The token's (single) signer.
    pub fn signer_info(&self) -> Option<&SignerInfo> {
        self.signed_data.signer_infos.0.iter().next()
    }

    /// Certificates embedded in the token.
    pub fn certificates(&self) -> Vec<Certificate> {
        embedded(self.signed_data.certificates.as_ref())
    }

    /// When the certificate of the TSA that signed it expires, when the token carries it (or
    /// `extra` does): from then on the token needs a later proof of existence.
    pub fn signer_not_after(&self, extra: &[Certificate]) -> Option<DateTime<Utc>> {
        let signer = self.signer_info()?;
        let mut pool = self.certificates();
        pool.extend(extra.iter().cloned());
        let cert = super::verify::find_signer(&signer.sid, &pool)?;
        Some(DateTime::<Utc>::from(cert.tbs_certificate.validity.not_after.to_system_time()))
    }
}

fn embedded(set: Option<&CertificateSet>) -> Vec<Certificate> {
    let mut out = Vec::new();
    if let Some(set) = set {
        for choice in set.0.iter() {
            if let cms::cert::CertificateChoices::Certificate(c) = choice {
                out.push(c.clone());
            }
        }
    }
    out
}
