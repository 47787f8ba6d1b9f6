"""PAdES B-LT signatures with pyHanko, using the PKCS#12 bundle configured in settings.

A signature carries an RFC 3161 signature timestamp from the TSA at settings.TSA_URL (a setting,
never taken from a request; empty: no timestamp, which `manage.py check` flags in production) and
the validation data of the signer's and the TSA's chains (certificates and CRLs/OCSP in the
document's DSS), so it can be validated offline and after the certificate expires.

Validation data come from a pyHanko ValidationContext: trust roots are the self-signed certificates
of the PKCS#12 chain plus SIGNING_TRUST_ROOTS (files); revocation data are the CRLs in SIGNING_CRLS
(files) and, only when SIGNING_FETCH_REVOCATION is on, what the certificates' CRL/OCSP URLs answer.

`demo_certificate_create` makes a demo chain for demos and tests: a demo CA, the signer certificate
it issues, and the CA's (empty) CRL beside the bundle (`<bundle>.crl`), so the demo chain validates
offline. Production sets SIGNING_P12_PATH / SIGNING_P12_PASSWORD to the issuer's qualified certificate.
"""
from __future__ import annotations

import datetime as dt
import functools
import io
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import APIException

from gis_portal.storage import write_atomic

DEMO_SUBJECT = "Emitent demo GIS Portal (certificat de test)"
DEMO_CA_SUBJECT = "CA demo GIS Portal (certificat de test)"
TSA_TIMEOUT_SECONDS = 10
MAX_TSA_REPLY_BYTES = 1024 * 1024  # a time-stamp reply is a few kB; read no more than this


class SigningUnavailable(APIException):
    """The time-stamping authority did not answer: nothing is issued, the caller may retry (503)."""

    status_code = 503
    default_code = "signing_unavailable"
    default_detail = _("Documentul nu poate fi semnat acum: serviciul de marcare temporală nu răspunde. "
                       "Nimic nu a fost emis; încercați din nou peste câteva minute.")


def demo_crl_path(p12_path: Path) -> Path:
    return Path(p12_path).with_suffix(".crl")


def _name(common_name: str):
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "RO"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "GIS Portal demo"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def issue_certificate(*, subject: str, key, issuer_name, issuer_key, ca: bool, usage: str = "sign"):
    """A certificate for `key` signed by `issuer_key` (self-signed when they are the same): a CA
    (certificates and CRLs), a document signer ("sign") or a time-stamping authority ("tsa")."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import ExtendedKeyUsageOID

    now = dt.datetime.now(dt.UTC)
    builder = (x509.CertificateBuilder().subject_name(_name(subject)).issuer_name(issuer_name)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=3650))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
                              critical=False)
               .add_extension(x509.KeyUsage(digital_signature=not ca, content_commitment=usage == "sign" and not ca,
                                            key_encipherment=False, data_encipherment=False, key_agreement=False,
                                            key_cert_sign=ca, crl_sign=ca, encipher_only=False, decipher_only=False),
                              critical=True))
    if usage == "tsa":
        builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
    return builder.sign(issuer_key, hashes.SHA256())


def issue_crl(*, ca_cert, ca_key) -> bytes:
    """An empty CRL of the CA (DER), valid for ten years: the demo chain validates offline."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization

    now = dt.datetime.now(dt.UTC)
    crl = (x509.CertificateRevocationListBuilder().issuer_name(ca_cert.subject)
           .last_update(now - dt.timedelta(minutes=5)).next_update(now + dt.timedelta(days=3650))
           .add_extension(x509.CRLNumber(1), critical=False)
           .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
           .sign(ca_key, hashes.SHA256()))
    return crl.public_bytes(serialization.Encoding.DER)


def demo_certificate_create(path: Path, password: str, *, force: bool = False) -> bool:
    """Write a demo CA, the signer certificate it issues and its key as PKCS#12 (with the CA in the
    chain), and the CA's CRL beside it; return False if a bundle exists."""
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12

    path = Path(path)
    if path.exists() and not force:
        return False
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_cert = issue_certificate(subject=DEMO_CA_SUBJECT, key=ca_key, issuer_name=_name(DEMO_CA_SUBJECT),
                                issuer_key=ca_key, ca=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = issue_certificate(subject=DEMO_SUBJECT, key=key, issuer_name=ca_cert.subject, issuer_key=ca_key, ca=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = pkcs12.serialize_key_and_certificates(b"demo-signer", key, cert, [ca_cert],
                                                 BestAvailableEncryption(password.encode()))
    write_atomic(path, data, mode=0o600)
    write_atomic(demo_crl_path(path), issue_crl(ca_cert=ca_cert, ca_key=ca_key), mode=0o644)
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


def _load_der_or_pem(path: Path) -> bytes:
    from asn1crypto import pem

    data = Path(path).read_bytes()
    return pem.unarmor(data)[2] if pem.detect(data) else data


def validation_context():
    """Trust roots and revocation data for embedding (and checking) validation data; see the module doc."""
    from asn1crypto import crl, x509
    from pyhanko_certvalidator import ValidationContext

    chain = signing_certificate_chain()
    roots = [c for c in chain if c.self_signed]
    roots += [x509.Certificate.load(_load_der_or_pem(p)) for p in settings.SIGNING_TRUST_ROOTS]
    crl_files = list(settings.SIGNING_CRLS)
    demo_crl = demo_crl_path(settings.SIGNING_P12_PATH)
    if not crl_files and demo_crl.exists():
        crl_files = [demo_crl]
    crls = [crl.CertificateList.load(_load_der_or_pem(p)) for p in crl_files]
    return ValidationContext(trust_roots=roots, other_certs=chain, crls=crls,
                             allow_fetching=settings.SIGNING_FETCH_REVOCATION, revocation_mode="hard-fail")


def _tsa_post(url: str, body: bytes) -> tuple[str, bytes]:
    """POST a time-stamp query to the configured TSA through the outbound guard: (content type, body).
    The URL comes from settings.TSA_URL only, never from a request."""
    import http.client
    import urllib.parse

    from pyhanko.sign.timestamps.common_utils import TimestampRequestError

    from gis_portal import outbound

    parts = urllib.parse.urlsplit(url)
    try:
        conn = outbound.connection(url, timeout=TSA_TIMEOUT_SECONDS)
        try:
            target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            conn.request("POST", target, body=body,
                         headers={"Content-Type": "application/timestamp-query"})
            response = conn.getresponse()
            reply = response.read(MAX_TSA_REPLY_BYTES + 1)
        finally:
            conn.close()
    except (outbound.OutboundRefused, OSError, http.client.HTTPException) as exc:
        raise TimestampRequestError(f"The time-stamping authority did not answer: {exc}") from exc
    if response.status != 200 or len(reply) > MAX_TSA_REPLY_BYTES:
        raise TimestampRequestError(f"The time-stamping authority answered {response.status}.")
    return response.getheader("Content-Type", ""), reply


def _timestamper():
    """An RFC 3161 client for settings.TSA_URL, or None when no TSA is configured."""
    from asn1crypto import tsp
    from pyhanko.sign.timestamps import TimeStamper
    from pyhanko.sign.timestamps.common_utils import TimestampRequestError

    url = settings.TSA_URL
    if not url:
        return None

    class ConfiguredTimeStamper(TimeStamper):
        async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
            import asyncio

            content_type, body = await asyncio.to_thread(_tsa_post, url, req.dump())
            if content_type.split(";")[0].strip() != "application/timestamp-reply":
                raise TimestampRequestError("The time-stamping authority's answer is not a timestamp reply.")
            return tsp.TimeStampResp.load(body)

    return ConfiguredTimeStamper()


def sign_pdf(pdf: bytes, *, reason: str, location: str) -> bytes:
    """Sign at PAdES B-LT (B-B with validation data when no TSA is configured)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    meta = signers.PdfSignatureMetadata(field_name="Semnatura", reason=reason, location=location,
                                        subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256",
                                        embed_validation_info=True, validation_context=validation_context(),
                                        use_pades_lta=False)
    from pyhanko.sign.timestamps.common_utils import TimestampRequestError

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    pdf_signer = signers.PdfSigner(meta, signer=_signer(), timestamper=_timestamper())
    try:
        out = _outside_event_loop(lambda: pdf_signer.sign_pdf(writer))
    except TimestampRequestError as exc:
        raise SigningUnavailable() from exc
    return out.getvalue()


def _outside_event_loop(work):
    """pyHanko's synchronous API runs asyncio.run(), which refuses to start inside a running event
    loop (an async caller, or Playwright's in the test process): run it on a thread of its own then."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return work()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(work).result()


def signing_certificate():
    return _signer().signing_cert


def signing_certificate_chain() -> list:
    """The signer's certificate and the chain in its bundle (asn1crypto certificates)."""
    return list(_signer().cert_registry)
