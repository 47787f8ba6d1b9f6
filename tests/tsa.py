"""A real RFC 3161 time-stamping authority over HTTP on loopback, for tests only.

pyHanko's DummyTimeStamper signs the time-stamp tokens with a TSA certificate issued by a test
root; the root certificate and its CRL are written as files for SIGNING_TRUST_ROOTS / SIGNING_CRLS.
It lives under tests/ and listens on 127.0.0.1 on a free port: nothing outside the test run uses it.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from asn1crypto import keys, tsp
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

from gis_portal.signing import _name, issue_certificate, issue_crl


@dataclass
class LoopbackTSA:
    url: str
    root_path: Path
    crl_path: Path
    requests: list[bytes]
    server: ThreadingHTTPServer

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def start_tsa(directory: Path) -> LoopbackTSA:
    root_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    root = issue_certificate(subject="TSA root (test)", key=root_key, issuer_name=_name("TSA root (test)"),
                             issuer_key=root_key, ca=True)
    tsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    tsa_cert = issue_certificate(subject="TSA (test)", key=tsa_key, issuer_name=root.subject, issuer_key=root_key,
                                 ca=False, usage="tsa")
    root_path, crl_path = directory / "tsa-root.der", directory / "tsa-root.crl"
    root_path.write_bytes(root.public_bytes(serialization.Encoding.DER))
    crl_path.write_bytes(issue_crl(ca_cert=root, ca_key=root_key))
    stamper = DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(tsa_cert.public_bytes(serialization.Encoding.DER)),
        tsa_key=keys.PrivateKeyInfo.load(tsa_key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())),
        certs_to_embed=[asn1_x509.Certificate.load(root.public_bytes(serialization.Encoding.DER))])
    seen: list[bytes] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's naming)
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            seen.append(body)
            if self.headers.get("Content-Type") != "application/timestamp-query":
                self.send_error(415)
                return
            reply = stamper.request_tsa_response(tsp.TimeStampReq.load(body)).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return LoopbackTSA(url=f"http://127.0.0.1:{server.server_address[1]}/tsa", root_path=root_path,
                       crl_path=crl_path, requests=seen, server=server)
