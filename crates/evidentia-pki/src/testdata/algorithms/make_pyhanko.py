"""Makes the algorithm vectors OpenSSL 3.0's CMS cannot: detached CMS signatures over
../contract.txt by pyHanko's signer (Ed25519, Ed448, ECDSA with SHA-3), each key with its own
self-signed certificate made by `cryptography` (keys are not kept)."""
import asyncio
import datetime
import pathlib
import tempfile

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519
from cryptography.x509.oid import NameOID
from pyhanko.sign import signers
from pyhanko.sign.validation import async_validate_detached_cms
from asn1crypto import x509 as asn1_x509
from pyhanko_certvalidator import ValidationContext

HERE = pathlib.Path(__file__).parent
CONTENT = (HERE.parent / "contract.txt").read_bytes()


def certificate(name, key, cert_hash):
    subject = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Evidentia Test"),
                         x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=3650))
            .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True)
            .sign(key, cert_hash))


async def make(name, key, digest, cert_hash=None):
    cert = certificate(name, key, cert_hash)
    pem = cert.public_bytes(serialization.Encoding.PEM)
    (HERE / f"{name}.pem").write_bytes(pem)
    with tempfile.TemporaryDirectory() as tmp:
        key_path, cert_path = pathlib.Path(tmp, "k.pem"), pathlib.Path(tmp, "c.pem")
        key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
        cert_path.write_bytes(pem)
        signer = signers.SimpleSigner.load(str(key_path), str(cert_path))
        signed = await signer.async_sign_general_data(CONTENT, digest, detached=True)
    (HERE / f"{name}.p7s").write_bytes(signed.dump())
    context = ValidationContext(trust_roots=[asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))])
    status = await async_validate_detached_cms(CONTENT, signed["content"], signer_validation_context=context)
    print(name, "intact" if status.intact else "BROKEN", "valid" if status.valid else "INVALID", signed["content"]["signer_infos"][0]["signature_algorithm"]["algorithm"].native,
          signed["content"]["signer_infos"][0]["digest_algorithm"]["algorithm"].native)


async def main():
    await make("ed25519", ed25519.Ed25519PrivateKey.generate(), "sha512")
    await make("ed448", ed448.Ed448PrivateKey.generate(), "shake256")
    await make("p256-sha3", ec.generate_private_key(ec.SECP256R1()), "sha3_256", hashes.SHA256())


asyncio.run(main())
