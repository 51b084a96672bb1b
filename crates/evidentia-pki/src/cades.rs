//! CAdES baseline signatures (ETSI EN 319 122-1): a detached CMS SignedData over a file's digest
//! with the signed attributes content-type, message-digest, signing-time and
//! signing-certificate-v2 (CAdES-B-B), optionally with an RFC 3161 time-stamp over the signature
//! value as the unsigned attribute signature-time-stamp (CAdES-B-T).

use chrono::{DateTime, Utc};
use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use der::asn1::{ObjectIdentifier, OctetString, SetOfVec};
use der::{Any, Decode, Encode};
use spki::AlgorithmIdentifierOwned;
use x509_cert::attr::Attribute;
use x509_cert::ext::pkix::name::GeneralName;

use crate::digest::DigestAlgorithm;
use crate::signer::{Signer, SignerError};
use crate::tsp::asn1::{EssCertIdV2, IssuerSerial, SigningCertificateV2, oid};

/// id-data.
const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
/// id-signingTime.
const SIGNING_TIME: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.5");
/// id-aa-signatureTimeStampToken (RFC 3161 appendix A).
pub const SIGNATURE_TIME_STAMP: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.14");

/// Why a CAdES signature could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CadesError {
    /// The signer cannot sign.
    #[error(transparent)]
    Signer(#[from] SignerError),
    /// Encoding failed (a defect, reported rather than hidden).
    #[error("cannot encode the signature: {0}")]
    Encoding(String),
    /// The bytes are not a CMS signature Evidentia made or can extend.
    #[error("not a CMS SignedData signature: {0}")]
    Malformed(String),
}

fn enc(e: impl std::fmt::Display) -> CadesError {
    CadesError::Encoding(e.to_string())
}

fn attribute(oid: ObjectIdentifier, value: Any) -> Result<Attribute, CadesError> {
    Ok(Attribute { oid, values: SetOfVec::try_from(vec![value]).map_err(enc)? })
}

/// Whether `signer` can make CAdES signatures now: its certificate is valid. (An SM2 key signs
/// with SM3 and SM2-with-SM3, as GM/T 0010 has it.)
pub fn check_signer(signer: &dyn Signer) -> Result<(), CadesError> {
    signer.check_valid_now()?;
    Ok(())
}

/// The digest algorithm a signature by `signer` covers content with.
pub fn content_digest_algorithm(signer: &dyn Signer) -> DigestAlgorithm {
    signer.digest()
}

/// Makes a detached CAdES-B-B signature (DER ContentInfo) over content whose digest, with
/// [`content_digest_algorithm`], is `content_digest`.
pub fn sign_detached(
    signer: &dyn Signer,
    content_digest: &[u8],
    signing_time: DateTime<Utc>,
) -> Result<Vec<u8>, CadesError> {
    sign_detached_with(signer, content_digest, Some(signing_time))
}

/// Makes the CMS of a PAdES signature: as [`sign_detached`] but without the signing-time
/// attribute (PAdES keeps the claimed time in the signature dictionary's /M).
pub fn sign_detached_pades(signer: &dyn Signer, content_digest: &[u8]) -> Result<Vec<u8>, CadesError> {
    sign_detached_with(signer, content_digest, None)
}

fn sign_detached_with(
    signer: &dyn Signer,
    content_digest: &[u8],
    signing_time: Option<DateTime<Utc>>,
) -> Result<Vec<u8>, CadesError> {
    check_signer(signer)?;
    let chain = signer.chain();
    let cert = chain.first().ok_or_else(|| CadesError::Encoding("the signer has no certificate".into()))?;
    let digest = signer.digest();
    let digest_alg = AlgorithmIdentifierOwned { oid: crate::tsp::digest_oid(digest), parameters: None };
    let cert_der = cert.to_der().map_err(enc)?;

    let issuer_names = vec![GeneralName::DirectoryName(cert.tbs_certificate.issuer.clone())];
    let ess = SigningCertificateV2 {
        certs: vec![EssCertIdV2 {
            hash_algorithm: None, // DEFAULT sha256
            cert_hash: OctetString::new(DigestAlgorithm::Sha256.digest(&cert_der).as_bytes().to_vec()).map_err(enc)?,
            issuer_serial: Some(IssuerSerial {
                issuer: Any::from_der(&issuer_names.to_der().map_err(enc)?).map_err(enc)?,
                serial_number: cert.tbs_certificate.serial_number.clone(),
            }),
        }],
        policies: None,
    };
    let mut attrs = vec![attribute(oid::CONTENT_TYPE, Any::encode_from(&ID_DATA).map_err(enc)?)?];
    if let Some(at) = signing_time {
        let time = x509_cert::time::Time::try_from(std::time::SystemTime::from(at)).map_err(enc)?;
        attrs.push(attribute(SIGNING_TIME, Any::encode_from(&time).map_err(enc)?)?);
    }
    attrs.extend([
        attribute(
            oid::MESSAGE_DIGEST,
            Any::encode_from(&OctetString::new(content_digest.to_vec()).map_err(enc)?).map_err(enc)?,
        )?,
        attribute(oid::SIGNING_CERTIFICATE_V2, Any::encode_from(&ess).map_err(enc)?)?,
    ]);
    let signed_attrs = SetOfVec::try_from(attrs).map_err(enc)?;
    let signature = signer.sign(&signed_attrs.to_der().map_err(enc)?)?;

    let signer_info = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: cert.tbs_certificate.issuer.clone(),
            serial_number: cert.tbs_certificate.serial_number.clone(),
        }),
        digest_alg: digest_alg.clone(),
        signed_attrs: Some(signed_attrs),
        signature_algorithm: signer.signature_algorithm(),
        signature: OctetString::new(signature).map_err(enc)?,
        unsigned_attrs: None,
    };
    let certs: Vec<CertificateChoices> = chain.iter().cloned().map(CertificateChoices::Certificate).collect();
    let signed_data = SignedData {
        version: CmsVersion::V1,
        digest_algorithms: SetOfVec::try_from(vec![digest_alg]).map_err(enc)?,
        encap_content_info: EncapsulatedContentInfo { econtent_type: ID_DATA, econtent: None },
        certificates: Some(CertificateSet(SetOfVec::try_from(certs).map_err(enc)?)),
        crls: None,
        signer_infos: SignerInfos(SetOfVec::try_from(vec![signer_info]).map_err(enc)?),
    };
    ContentInfo { content_type: oid::SIGNED_DATA, content: Any::encode_from(&signed_data).map_err(enc)? }
        .to_der()
        .map_err(enc)
}

/// The signature value of a CMS signature's single signer (what a signature time-stamp covers).
pub fn signature_value(p7s: &[u8]) -> Result<Vec<u8>, CadesError> {
    let (_, sd) = parse(p7s)?;
    let signer = sd.signer_infos.0.iter().next().ok_or_else(|| CadesError::Malformed("no signer".into()))?;
    Ok(signer.signature.as_bytes().to_vec())
}

/// What a CMS signature's single signer signed: the content digest algorithm, the
/// message-digest attribute, and the signature value.
pub fn signed_digest(p7s: &[u8]) -> Result<(DigestAlgorithm, Vec<u8>, Vec<u8>), CadesError> {
    let (_, sd) = parse(p7s)?;
    let signer = sd.signer_infos.0.iter().next().ok_or_else(|| CadesError::Malformed("no signer".into()))?;
    let algo = crate::tsp::digest_from_oid(&signer.digest_alg.oid)
        .ok_or_else(|| CadesError::Malformed(format!("digest algorithm {}", signer.digest_alg.oid)))?;
    let digest = signer
        .signed_attrs
        .iter()
        .flat_map(|a| a.iter())
        .find(|a| a.oid == oid::MESSAGE_DIGEST)
        .and_then(|a| a.values.iter().next())
        .and_then(|v| v.decode_as::<OctetString>().ok())
        .ok_or_else(|| CadesError::Malformed("no message-digest attribute".into()))?;
    Ok((algo, digest.as_bytes().to_vec(), signer.signature.as_bytes().to_vec()))
}

/// Adds an RFC 3161 token (a bare token, DER ContentInfo) over the signature value as the
/// signature-time-stamp unsigned attribute: CAdES-B-B becomes CAdES-B-T.
pub fn add_signature_timestamp(p7s: &[u8], token: &[u8]) -> Result<Vec<u8>, CadesError> {
    let (ci, mut sd) = parse(p7s)?;
    let mut signers: Vec<SignerInfo> = sd.signer_infos.0.into_vec();
    let signer = signers.first_mut().ok_or_else(|| CadesError::Malformed("no signer".into()))?;
    let attr = attribute(SIGNATURE_TIME_STAMP, Any::from_der(token).map_err(enc)?)?;
    let mut unsigned: Vec<Attribute> = signer.unsigned_attrs.take().map(|a| a.into_vec()).unwrap_or_default();
    unsigned.push(attr);
    signer.unsigned_attrs = Some(SetOfVec::try_from(unsigned).map_err(enc)?);
    sd.signer_infos = SignerInfos(SetOfVec::try_from(signers).map_err(enc)?);
    ContentInfo { content_type: ci.content_type, content: Any::encode_from(&sd).map_err(enc)? }.to_der().map_err(enc)
}

fn parse(p7s: &[u8]) -> Result<(ContentInfo, SignedData), CadesError> {
    let (p7s, _) = crate::ber::cms_for_reading(p7s).map_err(|e| CadesError::Malformed(e.to_string()))?;
    let ci = ContentInfo::from_der(&p7s).map_err(|e| CadesError::Malformed(e.to_string()))?;
    if ci.content_type != oid::SIGNED_DATA {
        return Err(CadesError::Malformed(format!("content type {}", ci.content_type)));
    }
    let sd: SignedData = ci.content.decode_as().map_err(|e| CadesError::Malformed(e.to_string()))?;
    Ok((ci, sd))
}

/// The RFC 3161 token (DER ContentInfo) in a signature's signature-time-stamp attribute, if any.
pub fn signature_timestamp_token(p7s: &[u8]) -> Result<Option<Vec<u8>>, CadesError> {
    let (_, sd) = parse(p7s)?;
    let signer = sd.signer_infos.0.iter().next().ok_or_else(|| CadesError::Malformed("no signer".into()))?;
    let token = signer
        .unsigned_attrs
        .iter()
        .flat_map(|attrs| attrs.iter())
        .find(|a| a.oid == SIGNATURE_TIME_STAMP)
        .and_then(|a| a.values.iter().next())
        .map(|v| v.to_der())
        .transpose()
        .map_err(enc)?;
    Ok(token)
}
