//! ASN.1 structures of RFC 3161 and RFC 5035 that Evidentia reads itself.
//!
//! `TSTInfo` is defined here rather than taken from `x509-tsp`, whose 0.1.0 release cannot read a
//! `genTime` with fractional seconds: the time is kept as raw GeneralizedTime bytes and parsed by
//! [`super::parse_generalized_time`].

#![allow(missing_docs)] // the fields are RFC 3161's and RFC 5035's ASN.1 names, documented there

use der::asn1::{Int, OctetString};
use der::{Any, Sequence};
use spki::AlgorithmIdentifierOwned;
use x509_cert::ext::Extensions;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::serial_number::SerialNumber;
use x509_tsp::{Accuracy, MessageImprint, TspVersion};

/// RFC 3161 §2.4.2:
///
/// ```text
/// TSTInfo ::= SEQUENCE  {
///    version        INTEGER  { v1(1) },
///    policy         TSAPolicyId,
///    messageImprint MessageImprint,
///    serialNumber   INTEGER,
///    genTime        GeneralizedTime,
///    accuracy       Accuracy                 OPTIONAL,
///    ordering       BOOLEAN             DEFAULT FALSE,
///    nonce          INTEGER                  OPTIONAL,
///    tsa            [0] GeneralName          OPTIONAL,
///    extensions     [1] IMPLICIT Extensions  OPTIONAL  }
/// ```
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct TstInfo {
    pub version: TspVersion,
    /// Kept raw: `der`'s identifier type refuses short ones real TSAs use (`1.1.1`); read with
    /// [`oid_text`].
    pub policy: Any,
    pub message_imprint: MessageImprint,
    pub serial_number: Int,
    /// GeneralizedTime, possibly with fractional seconds; see [`super::time::parse_generalized_time`].
    pub gen_time: Any,
    #[asn1(optional = "true")]
    pub accuracy: Option<Accuracy>,
    #[asn1(default = "Default::default")]
    pub ordering: bool,
    #[asn1(optional = "true")]
    pub nonce: Option<Int>,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub tsa: Option<GeneralName>,
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    pub extensions: Option<Extensions>,
}

/// RFC 3161 §2.4.2, with PKIStatusInfo (RFC 4210 §5.2.3) read leniently: the failure bits are
/// kept as a raw BIT STRING so that any combination a TSA sends can be reported.
///
/// ```text
/// TimeStampResp ::= SEQUENCE  {
///    status                  PKIStatusInfo,
///    timeStampToken          TimeStampToken     OPTIONAL  }
/// PKIStatusInfo ::= SEQUENCE {
///    status        PKIStatus,
///    statusString  PKIFreeText     OPTIONAL,
///    failInfo      PKIFailureInfo  OPTIONAL  }
/// ```
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct TimeStampResp {
    pub status: StatusInfo,
    #[asn1(optional = "true")]
    pub time_stamp_token: Option<cms::content_info::ContentInfo>,
}

/// See [`TimeStampResp`].
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct StatusInfo {
    pub status: u32,
    #[asn1(optional = "true")]
    pub status_string: Option<Vec<String>>,
    #[asn1(optional = "true")]
    pub fail_info: Option<der::asn1::BitString>,
}

/// Names of the PKIFailureInfo bits a TSA may set (RFC 3161 §2.4.2).
pub const FAILURE_BITS: [(usize, &str); 8] = [
    (0, "badAlg"),
    (2, "badRequest"),
    (5, "badDataFormat"),
    (14, "timeNotAvailable"),
    (15, "unacceptedPolicy"),
    (16, "unacceptedExtension"),
    (17, "addInfoNotAvailable"),
    (25, "systemFailure"),
];

/// RFC 5035 §4:
///
/// ```text
/// IssuerSerial ::= SEQUENCE {
///     issuer                   GeneralNames,
///     serialNumber             CertificateSerialNumber }
/// ```
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct IssuerSerial {
    pub issuer: Any,
    pub serial_number: SerialNumber,
}

/// RFC 2634 §5.4 (the SHA-1 form, in the `signingCertificate` attribute):
///
/// ```text
/// ESSCertID ::=  SEQUENCE {
///      certHash                 Hash,
///      issuerSerial             IssuerSerial OPTIONAL }
/// SigningCertificate ::=  SEQUENCE {
///     certs        SEQUENCE OF ESSCertID,
///     policies     SEQUENCE OF PolicyInformation OPTIONAL }
/// ```
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct EssCertId {
    pub cert_hash: OctetString,
    #[asn1(optional = "true")]
    pub issuer_serial: Option<IssuerSerial>,
}

/// See [`EssCertId`].
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct SigningCertificate {
    pub certs: Vec<EssCertId>,
    #[asn1(optional = "true")]
    pub policies: Option<Any>,
}

/// RFC 5035 §3 (the `signingCertificateV2` attribute, as RFC 5816 allows in time-stamps):
///
/// ```text
/// ESSCertIDv2 ::=  SEQUENCE {
///     hashAlgorithm           AlgorithmIdentifier
///                    DEFAULT {algorithm id-sha256},
///     certHash                 Hash,
///     issuerSerial             IssuerSerial OPTIONAL }
/// SigningCertificateV2 ::=  SEQUENCE {
///     certs        SEQUENCE OF ESSCertIDv2,
///     policies     SEQUENCE OF PolicyInformation OPTIONAL }
/// ```
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct EssCertIdV2 {
    #[asn1(optional = "true")]
    pub hash_algorithm: Option<AlgorithmIdentifierOwned>,
    pub cert_hash: OctetString,
    #[asn1(optional = "true")]
    pub issuer_serial: Option<IssuerSerial>,
}

/// See [`EssCertIdV2`].
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct SigningCertificateV2 {
    pub certs: Vec<EssCertIdV2>,
    #[asn1(optional = "true")]
    pub policies: Option<Any>,
}

/// Object identifiers used by time-stamps.
pub mod oid {
    use der::asn1::ObjectIdentifier as Oid;

    /// id-ct-TSTInfo (RFC 3161).
    pub const TST_INFO: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.1.4");
    /// id-signedData (RFC 5652).
    pub const SIGNED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.2");
    /// signedData as GM/T 0010 names it (Chinese SM2 producers).
    pub const GMT_SIGNED_DATA: Oid = Oid::new_unwrap("1.2.156.10197.6.1.4.2.2");
    /// id-contentType attribute.
    pub const CONTENT_TYPE: Oid = Oid::new_unwrap("1.2.840.113549.1.9.3");
    /// id-messageDigest attribute.
    pub const MESSAGE_DIGEST: Oid = Oid::new_unwrap("1.2.840.113549.1.9.4");
    /// id-aa-signingCertificate (RFC 2634).
    pub const SIGNING_CERTIFICATE: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.2.12");
    /// id-aa-signingCertificateV2 (RFC 5035).
    pub const SIGNING_CERTIFICATE_V2: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.2.47");
    /// id-kp-timeStamping.
    pub const KP_TIME_STAMPING: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.3.8");
    /// id-ce-extKeyUsage.
    pub const EXT_KEY_USAGE: Oid = Oid::new_unwrap("2.5.29.37");
    /// SHA-1 (for legacy ESSCertID only).
    pub const SHA1: Oid = Oid::new_unwrap("1.3.14.3.2.26");
    /// SHA-256.
    pub const SHA256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.1");
    /// SHA-384.
    pub const SHA384: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.2");
    /// SHA-512.
    pub const SHA512: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.3");
    /// SM3 (GM/T 0004).
    pub const SM3: Oid = Oid::new_unwrap("1.2.156.10197.1.401");
    /// rsaEncryption.
    pub const RSA_ENCRYPTION: Oid = Oid::new_unwrap("1.2.840.113549.1.1.1");
    /// sha1WithRSAEncryption.
    pub const SHA1_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.5");
    /// sha256WithRSAEncryption.
    pub const SHA256_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.11");
    /// sha384WithRSAEncryption.
    pub const SHA384_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.12");
    /// sha512WithRSAEncryption.
    pub const SHA512_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.13");
    /// RSASSA-PSS.
    pub const RSA_PSS: Oid = Oid::new_unwrap("1.2.840.113549.1.1.10");
    /// id-ecPublicKey.
    pub const EC_PUBLIC_KEY: Oid = Oid::new_unwrap("1.2.840.10045.2.1");
    /// ecdsa-with-SHA256.
    pub const ECDSA_SHA256: Oid = Oid::new_unwrap("1.2.840.10045.4.3.2");
    /// ecdsa-with-SHA384.
    pub const ECDSA_SHA384: Oid = Oid::new_unwrap("1.2.840.10045.4.3.3");
    /// NIST P-256.
    pub const P256: Oid = Oid::new_unwrap("1.2.840.10045.3.1.7");
    /// NIST P-384.
    pub const P384: Oid = Oid::new_unwrap("1.3.132.0.34");
    /// Ed25519.
    pub const ED25519: Oid = Oid::new_unwrap("1.3.101.112");
}

/// The dotted text of an OBJECT IDENTIFIER element (any length, as BER allows); `None` when it
/// is not one or its arcs are malformed.
pub fn oid_text(element: &Any) -> Option<String> {
    if der::Tagged::tag(element) != der::Tag::ObjectIdentifier {
        return None;
    }
    let bytes = element.value();
    let (&first, rest) = bytes.split_first()?;
    let mut arcs: Vec<u128> = Vec::new();
    let mut value: u128 = u128::from(first & 0x7f);
    let mut pending = first & 0x80 != 0;
    let mut first_done = !pending;
    if first_done {
        arcs.extend(split_first_arc(value));
        value = 0;
    }
    for &b in rest {
        value = value.checked_mul(128)?.checked_add(u128::from(b & 0x7f))?;
        pending = b & 0x80 != 0;
        if !pending {
            if first_done {
                arcs.push(value);
            } else {
                arcs.extend(split_first_arc(value));
                first_done = true;
            }
            value = 0;
        }
    }
    if pending {
        return None;
    }
    Some(arcs.iter().map(u128::to_string).collect::<Vec<_>>().join("."))
}

/// X.690 §8.19.4: the first subidentifier holds the first two arcs.
fn split_first_arc(v: u128) -> [u128; 2] {
    match v {
        0..=39 => [0, v],
        40..=79 => [1, v - 40],
        _ => [2, v - 80],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn oid(content: &[u8]) -> Option<String> {
        oid_text(&Any::new(der::Tag::ObjectIdentifier, content.to_vec()).unwrap())
    }

    /// Short identifiers a TSA may use (BSI's TR-ESOR sample writes policy 1.1.1), long arcs,
    /// and the three first-arc ranges; a truncated arc is no identifier.
    #[test]
    fn object_identifiers_of_any_length_read_as_dotted_text() {
        assert_eq!(oid(&[0x29, 0x01]).as_deref(), Some("1.1.1"));
        assert_eq!(
            oid(&[0x2b, 0x06, 0x01, 0x04, 0x01, 0x86, 0x8d, 0x1f, 0x01, 0x01]).as_deref(),
            Some("1.3.6.1.4.1.99999.1.1")
        );
        assert_eq!(oid(&[0x05]).as_deref(), Some("0.5"));
        assert_eq!(oid(&[0x88, 0x37]).as_deref(), Some("2.999"));
        assert_eq!(oid(&[0x2b, 0x86]), None);
        assert_eq!(oid(&[]), None);
    }
}
