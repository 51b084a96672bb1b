#!/usr/bin/env python3
"""Make and check detached CMS SignedData with SM2/SM3 (GM/T 0010) independently of Evidentia.

Usage: sm2_cms.py sign KEY.pem CERT.pem FILE OUT.p7s [--gmt-oids] [--signature-oid OID]
       sm2_cms.py verify SIGNATURE.p7s FILE
       sm2_cms.py verify-pdf SIGNED.pdf

The SM2 mathematics is GmSSL's pure-Python `gmssl` (pip install gmssl), the CMS structure
asn1crypto's (pip install asn1crypto); neither shares code with Evidentia. `sign` writes a
detached SignedData over FILE: signed attributes contentType, messageDigest (SM3) and signingTime,
digest algorithm SM3 (1.2.156.10197.1.401), signature algorithm SM2-with-SM3 (1.2.156.10197.1.501)
computed with the GM/T 0009 default distinguishing ID 1234567812345678; with --gmt-oids, the
content types are GM/T 0010's (data 1.2.156.10197.6.1.4.2.1, signedData 1.2.156.10197.6.1.4.2.2)
and the signature algorithm is the SM2 key's identifier (1.2.156.10197.1.301), as some producers
write them; --signature-oid names another signature algorithm identifier (for example sm2sign,
1.2.156.10197.1.301.1, as Chinese CAs' signing services write it). `verify` checks the message digest over FILE and the SM2 signature over the signed
attributes with the signer certificate's key (default distinguishing ID). `verify-pdf` does the same
for the last signature of a PDF (PAdES): the CMS in its /Contents over the bytes its /ByteRange
names. Exit status 0 when the signature holds, 1 otherwise.
"""
import base64
import datetime
import sys

from asn1crypto import algos, cms, core, keys, x509
from gmssl import sm2, sm3, func

SM3 = "1.2.156.10197.1.401"
SM2_WITH_SM3 = "1.2.156.10197.1.501"
SM2_KEY = "1.2.156.10197.1.301"
GMT_DATA = "1.2.156.10197.6.1.4.2.1"
GMT_SIGNED_DATA = "1.2.156.10197.6.1.4.2.2"


def sm3_digest(data):
    return bytes.fromhex(sm3.sm3_hash(func.bytes_to_list(data)))


def pem_body(path):
    lines = open(path, "rb").read().splitlines()
    return base64.b64decode(b"".join(l for l in lines if not l.startswith(b"-----")))


def public_hex(cert):
    point = cert.public_key["public_key"].native  # 04 || X || Y
    return point[1:].hex()


def sign(key_path, cert_path, data_path, out_path, gmt, signature_oid=None):
    info = keys.PrivateKeyInfo.load(pem_body(key_path))
    secret = info["private_key"].parsed["private_key"].native
    cert = x509.Certificate.load(pem_body(cert_path))
    data = open(data_path, "rb").read()
    data_type = GMT_DATA if gmt else "data"
    attrs = cms.CMSAttributes([
        cms.CMSAttribute({"type": "content_type", "values": [data_type]}),
        cms.CMSAttribute({"type": "message_digest", "values": [sm3_digest(data)]}),
        cms.CMSAttribute({"type": "signing_time",
                          "values": [cms.Time({"utc_time": datetime.datetime.now(datetime.timezone.utc)})]}),
    ])
    signer = sm2.CryptSM2(private_key="%064x" % secret, public_key=public_hex(cert), asn1=True)
    signature = bytes.fromhex(signer.sign_with_sm3(attrs.dump()))
    signer_info = cms.SignerInfo({
        "version": "v1",
        "sid": cms.SignerIdentifier({"issuer_and_serial_number": cms.IssuerAndSerialNumber(
            {"issuer": cert.issuer, "serial_number": cert.serial_number})}),
        "digest_algorithm": algos.DigestAlgorithm({"algorithm": SM3}),
        "signed_attrs": attrs,
        "signature_algorithm": algos.SignedDigestAlgorithm(
            {"algorithm": signature_oid or (SM2_KEY if gmt else SM2_WITH_SM3)}),
        "signature": signature,
    })
    signed_data = cms.SignedData({
        "version": "v1",
        "digest_algorithms": [algos.DigestAlgorithm({"algorithm": SM3})],
        "encap_content_info": {"content_type": data_type},
        "certificates": [cert],
        "signer_infos": [signer_info],
    })
    if gmt:
        out = rewrap(signed_data)  # asn1crypto writes only PKCS #7's signedData content type
    else:
        out = cms.ContentInfo({"content_type": "signed_data", "content": signed_data}).dump()
    open(out_path, "wb").write(out)
    return 0


def rewrap(signed_data):
    """ContentInfo { GM/T signedData, [0] EXPLICIT SignedData } written by hand."""
    oid = core.ObjectIdentifier(GMT_SIGNED_DATA).dump()
    inner = signed_data.dump()
    explicit = bytes([0xA0]) + der_length(len(inner)) + inner
    body = oid + explicit
    return bytes([0x30]) + der_length(len(body)) + body


def der_length(n):
    if n < 0x80:
        return bytes([n])
    size = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(size)]) + size


def verify(sig_path, data_path):
    return verify_bytes(open(sig_path, "rb").read(), open(data_path, "rb").read(), data_path)


def verify_pdf(pdf_path):
    import re
    pdf = open(pdf_path, "rb").read()
    ranges = list(re.finditer(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", pdf))
    if not ranges:
        print("FAILED: no signature (/ByteRange) in the PDF")
        return 1
    a, b, c, d = (int(x) for x in ranges[-1].groups())
    signed = pdf[a:a + b] + pdf[c:c + d]
    contents = pdf[a + b:c].strip()
    cms_der = bytes.fromhex(contents[1:-1].decode())  # <hex>, zero padding after the CMS
    return verify_bytes(first_element(cms_der), signed, pdf_path)


def first_element(der):
    """The first DER element of `der` (a PDF pads /Contents with zeros after it)."""
    n = der[1]
    if n < 0x80:
        return der[:2 + n]
    size = n & 0x7F
    return der[:2 + size + int.from_bytes(der[2:2 + size], "big")]


def verify_bytes(raw, data, data_name):
    # A GM/T signedData content type is read as PKCS #7's.
    gmt = core.ObjectIdentifier(GMT_SIGNED_DATA).dump()
    at = raw.find(gmt)
    if 0 <= at < 8:
        inner_start = at + len(gmt)
        raw = rewrap_pkcs7(raw[inner_start:])
    info = cms.ContentInfo.load(raw)
    signed_data = info["content"]
    for si in signed_data["signer_infos"]:
        sid = si["sid"].chosen
        cert = next(c.chosen for c in signed_data["certificates"]
                    if c.chosen.serial_number == sid["serial_number"].native and c.chosen.issuer == sid["issuer"])
        attrs = si["signed_attrs"]
        digest = next(a["values"][0].native for a in attrs if a["type"].native == "message_digest")
        if digest != sm3_digest(data):
            print("FAILED: the message digest is not the file's SM3")
            return 1
        to_sign = bytearray(attrs.dump())
        to_sign[0] = 0x31
        checker = sm2.CryptSM2(private_key=None, public_key=public_hex(cert), asn1=True)
        if not checker.verify_with_sm3(si["signature"].native.hex(), bytes(to_sign)):
            print("FAILED: the SM2 signature does not verify (default distinguishing ID)")
            return 1
        print(f"OK: SM2 signature of {cert.subject.human_friendly} over {data_name}")
    return 0


def rewrap_pkcs7(explicit):
    pkcs7 = core.ObjectIdentifier("1.2.840.113549.1.7.2").dump()
    body = pkcs7 + explicit
    return bytes([0x30]) + der_length(len(body)) + body


def main(argv):
    if len(argv) >= 5 and argv[0] == "sign":
        oid = argv[argv.index("--signature-oid") + 1] if "--signature-oid" in argv[:-1] else None
        return sign(argv[1], argv[2], argv[3], argv[4], "--gmt-oids" in argv, oid)
    if len(argv) == 3 and argv[0] == "verify":
        return verify(argv[1], argv[2])
    if len(argv) == 2 and argv[0] == "verify-pdf":
        return verify_pdf(argv[1])
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
