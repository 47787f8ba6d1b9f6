"""Signatures at PAdES B-LT: an RFC 3161 signature timestamp from the configured TSA (a real HTTP
TSA on loopback) and the validation data (certificates, CRLs) in the document's DSS, checked by
pyHanko's PAdES validation and by poppler's pdfsig."""
from __future__ import annotations

import io
import subprocess

import pytest
from asn1crypto import cms as asn1_cms
from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import RevocationInfoValidationType, validate_pdf_ltv_signature

from gis_portal.signing import sign_pdf, signing_certificate_chain


def _in_thread(work):
    """pyHanko's synchronous API calls asyncio.run(): on a thread of its own, so that Playwright's event
    loop (browser tests in the same process) cannot be running in it."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(work).result()


def _blank_pdf() -> bytes:
    from pyhanko.pdf_utils import generic, writer

    w = writer.PdfFileWriter()
    page = generic.DictionaryObject({generic.NameObject("/Type"): generic.NameObject("/Page"),
                                     generic.NameObject("/MediaBox"): generic.ArrayObject(
                                         [generic.NumberObject(n) for n in (0, 0, 595, 842)])})
    w.insert_page(page)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


@pytest.fixture
def signed(signing, tsa):
    before = len(tsa.requests)
    pdf = sign_pdf(_blank_pdf(), reason="Emitere act", location="Bacău")
    assert len(tsa.requests) > before  # time-stamp queries to the configured TSA (pyHanko sizes with one first)
    return pdf


def test_pyhanko_validates_a_timestamped_signature_with_embedded_validation_data(signed, tsa):
    sig = PdfFileReader(io.BytesIO(signed)).embedded_signatures[0]
    assert sig.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    dss = PdfFileReader(io.BytesIO(signed)).root["/DSS"]
    assert len(dss["/Certs"]) >= 3 and len(dss["/CRLs"]) == 2  # signer, demo CA, TSA (+ root); both CRLs
    # Offline. pyHanko checks the signature timestamp first with current revocation data of the TSA
    # (given here: its CRL file), then the signer's chain at the time of the timestamp with the
    # certificates and CRLs embedded in the document's DSS only.
    roots = [c for c in signing_certificate_chain() if c.self_signed]
    roots.append(asn1_x509.Certificate.load(tsa.root_path.read_bytes()))
    tsa_crl = asn1_crl.CertificateList.load(tsa.crl_path.read_bytes())
    status = _in_thread(lambda: validate_pdf_ltv_signature(sig, RevocationInfoValidationType.PADES_LT,
                                        validation_context_kwargs={"trust_roots": roots, "allow_fetching": False,
                                                                   "revocation_mode": "require",
                                                                   "crls": [tsa_crl], "ocsps": []}))
    assert status.bottom_line, status.pretty_print_details()
    assert status.timestamp_validity is not None and status.timestamp_validity.valid
    assert status.timestamp_validity.trusted
    assert status.modification_level is not None


def test_pdfsig_validates_the_signature_and_its_chain_and_extracts_the_timestamp(signed, tsa, tmp_path):
    """poppler's pdfsig (22.12) checks the signature and, with the demo CA and the TSA root in an NSS
    database, the chain; it prints no timestamp line, so the CMS it dumps is read for the token."""
    path = tmp_path / "signed.pdf"
    path.write_bytes(signed)
    nss = tmp_path / "nss"
    nss.mkdir()
    subprocess.run(["certutil", "-N", "-d", f"sql:{nss}", "--empty-password"], check=True, timeout=60)
    ca = next(c for c in signing_certificate_chain() if c.self_signed)
    (tmp_path / "ca.der").write_bytes(ca.dump())
    for name, cert in (("demo-ca", tmp_path / "ca.der"), ("tsa-root", tsa.root_path)):
        subprocess.run(["certutil", "-A", "-d", f"sql:{nss}", "-n", name, "-t", "C,C,C", "-i", str(cert)],
                       check=True, timeout=60)
    # No -no-ocsp: poppler 22.12 then reports "Unknown issue" for any chain; the certificates name
    # no OCSP responder, so nothing is fetched.
    run = subprocess.run(["pdfsig", "-nssdir", f"sql:{nss}", str(path)], capture_output=True,
                         text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert "Signature Validation: Signature is Valid." in run.stdout, run.stdout
    assert "Certificate Validation: Certificate is Trusted." in run.stdout, run.stdout
    assert "Signature Type: ETSI.CAdES.detached" in run.stdout
    subprocess.run(["pdfsig", "-dump", str(path)], check=True, capture_output=True, timeout=60, cwd=tmp_path)
    cms = asn1_cms.ContentInfo.load((tmp_path / "signed.pdf.sig0").read_bytes())
    unsigned = cms["content"]["signer_infos"][0]["unsigned_attrs"]
    token = next(a for a in unsigned if a["type"].native == "signature_time_stamp_token")
    tst = token["values"][0]["content"]["encap_content_info"]["content"].parsed
    assert tst["gen_time"].native is not None


def test_a_silent_tsa_is_a_503_and_nothing_is_issued(signing, settings, submitted_cu, api, cast):
    import socket

    from permits.models import Application, IssuedAct

    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings.TSA_URL = f"http://127.0.0.1:{port}/tsa"  # nothing listens there
    _, pk = submitted_cu()
    carol = api(cast["carol"])
    url = f"/api/v1/applications/{pk}/transitions/"
    assert carol.post(url, {"action": "accept"}, format="json").status_code == 200
    assert carol.post(f"/api/v1/applications/{pk}/payments/", {"amount_ron": "9.00", "reference": "TSA-1"},
                      format="json").status_code == 201
    before = Application.objects.get(pk=pk).status
    response = api(cast["erin"]).post(url, {"action": "issue", "validity_months": 12}, format="json")  # the chief architect issues
    assert response.status_code == 503
    assert "marcare temporală" in response.json()["detail"]
    assert Application.objects.get(pk=pk).status == before and not IssuedAct.objects.filter(application_id=pk).exists()


def test_signing_works_inside_a_running_event_loop(signing):
    """pyHanko's synchronous API starts its own loop; an async caller (or Playwright's loop in the
    same test process) must not make issuing fail."""
    import asyncio

    async def inside():
        return sign_pdf(_blank_pdf(), reason="Emitere act", location="Bacău")

    assert _in_thread(lambda: asyncio.run(inside())).startswith(b"%PDF")


def test_the_tsa_call_goes_through_the_outbound_guard(signing, settings, tsa):
    from gis_portal.signing import SigningUnavailable

    settings.OUTBOUND_ALLOWED_HOSTS = []  # 127.0.0.1 is not a public address: refused before connecting
    before = len(tsa.requests)
    with pytest.raises(SigningUnavailable):
        sign_pdf(_blank_pdf(), reason="Emitere act", location="Bacău")
    assert len(tsa.requests) == before
