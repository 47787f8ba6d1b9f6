"""Server-side rendering of the documents the portal issues (permits' acts, avize's answers):
HTML → PDF with WeasyPrint, QR codes, SVG images as data: URIs. Signing is `gis_portal.signing`.

Nothing here touches the network: the QR is generated locally, fonts are the system's (DejaVu), and
the URL fetcher refuses anything but data: URIs, so a template cannot make the server fetch a URL.
"""
from __future__ import annotations

import base64
import io

from django.template.loader import render_to_string


def data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def qr_svg(url: str) -> str:
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


def _offline_fetcher(url: str, *args, **kwargs):
    if url.startswith("data:"):
        from weasyprint.urls import default_url_fetcher

        return default_url_fetcher(url, *args, **kwargs)
    raise ValueError(f"Remote resources are not allowed in issued documents: {url[:80]}")


def html_to_pdf(template: str, context: dict) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template, context)
    return HTML(string=html, url_fetcher=_offline_fetcher, base_url=None).write_pdf()
