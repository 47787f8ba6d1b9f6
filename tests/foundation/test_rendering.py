"""Issued documents render offline (gis_portal.rendering, used by permits' acts and avize's answers):
a template naming a remote image or stylesheet makes no request, a data: URI image loads."""
from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

from gis_portal import rendering


def test_html_to_pdf_fetches_nothing_but_data_uris(monkeypatch, caplog):
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        qr = rendering.data_uri(rendering.qr_svg("https://portal.example/verify/X"))
        html = (f'<p>Aviz</p><img src="http://127.0.0.1:{server.server_port}/tracker.png">'
                f'<link rel="stylesheet" href="http://127.0.0.1:{server.server_port}/style.css"><img src="{qr}">')
        monkeypatch.setattr(rendering, "render_to_string", lambda template, context: html)
        pdf = rendering.html_to_pdf("avize/aviz.html", {})
    finally:
        server.shutdown()
        server.server_close()
    assert pdf.startswith(b"%PDF-")
    assert hits == []
    refused = [r.getMessage() for r in caplog.records if "Remote resources are not allowed" in r.getMessage()]
    assert len(refused) == 2 and any("tracker.png" in m for m in refused) and any("style.css" in m for m in refused)
    assert not any("data:image" in r.getMessage() for r in caplog.records)  # the QR (data: URI) loaded
