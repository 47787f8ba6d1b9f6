"""PAdES signatures with pyHanko, using the PKCS#12 bundle configured in settings.

`demo_certificate_create` makes a self-signed certificate for demos and tests; production sets
SIGNING_P12_PATH / SIGNING_P12_PASSWORD to the issuer's qualified certificate.
"""
from __future__ import annotations

import datetime as dt
import functools
import io
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from gis_portal.storage import write_atomic

DEMO_SUBJECT = "Emitent demo GIS Portal (certificat de test)"


def demo_certificate_create(path: Path, password: str, *, force: bool = False) -> bool:
    """Write a self-signed RSA certificate and key as PKCS#12; return False if one exists."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12
    from cryptography.x509.oid import NameOID

    path = Path(path)
    if path.exists() and not force:
        return False
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "RO"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "GIS Portal demo"),
                      x509.NameAttribute(NameOID.COMMON_NAME, DEMO_SUBJECT)])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .sign(key, hashes.SHA256()))
    path.parent.mkdir(parents=True, exist_ok=True)
    data = pkcs12.serialize_key_and_certificates(b"demo-signer", key, cert, None,
                                                 BestAvailableEncryption(password.encode()))
    write_atomic(path, data, mode=0o600)
    return True


def _signer():
    path = Path(settings.SIGNING_P12_PATH)
    if not path.exists():
        if settings.DEBUG or getattr(settings, "TESTING", False):
            demo_certificate_create(path, settings.SIGNING_P12_PASSWORD)
        else:
            raise ImproperlyConfigured(f"No signing certificate at {path} (SIGNING_P12_PATH).")
    stat = path.stat()
    return _load_signer(str(path), stat.st_mtime_ns, stat.st_size, settings.SIGNING_P12_PASSWORD)


@functools.lru_cache(maxsize=4)
def _load_signer(path: str, mtime_ns: int, size: int, password: str):
    """Decrypting the PKCS#12 bundle costs ~0.5 s (key derivation): do it once per process and file
    version (mtime and size in the key, so a replaced certificate is picked up without a restart)."""
    from pyhanko.sign import signers

    signer = signers.SimpleSigner.load_pkcs12(pfx_file=path, passphrase=password.encode())
    if signer is None:
        raise ImproperlyConfigured(f"Cannot read the signing certificate {path} (wrong password?).")
    return signer


def sign_pdf(pdf: bytes, *, reason: str, location: str) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    meta = signers.PdfSignatureMetadata(field_name="Semnatura", reason=reason, location=location,
                                        subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256")
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    out = signers.sign_pdf(writer, meta, signer=_signer())
    return out.getvalue()


def signing_certificate():
    return _signer().signing_cert
