"""Issued documents: Romanian diacritics survive into the PDF text (local DejaVu fonts), and the map
extract in the rendered HTML shows the parcel, the zoning and the constraints."""
from __future__ import annotations

import base64
import io
import re
import xml.etree.ElementTree as ET

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon

from gis_portal import rendering
from layers.models import Feature, Layer
from layers.services import layer_version_publish, layer_version_start
from permits.issuance import act_issue
from permits.models import Application
from tests.conftest import BACAU_E, BACAU_N

pytestmark = pytest.mark.django_db
SVG = "{http://www.w3.org/2000/svg}"
NAME = "Ștefan Țăranu-Îndrieș"
ADDRESS = "Str. Mănăstirii nr. 5, Bârlad"


def _layer(slug: str, name: str, kind: str, feature_name: str, box: tuple[float, float, float, float]) -> Layer:
    layer = Layer.objects.create(slug=slug, name=name, kind=kind, theme=slug)
    version = layer_version_start(layer=layer)
    polygon = Polygon.from_bbox(box)
    polygon.srid = 3844
    Feature.objects.create(version=version, source_id=f"{slug}-1", name=feature_name, attrs={},
                           geom=MultiPolygon(polygon, srid=3844))
    layer_version_publish(version=version)
    return layer


@pytest.fixture
def issued(submitted_cu, cast, monkeypatch):
    """A CU issued for an applicant with diacritics next to a zoning unit and a protected zone: (html, pdf)."""
    e, n = BACAU_E + 100, BACAU_N + 100  # the parcel of cu_draft: a 20 m square around (e, n)
    _layer("utr-test", "Zonificare PUG (UTR)", Layer.Kind.ZONING, "UTR L1a – locuințe individuale",
           (e - 60, n - 60, e + 5, n + 60))
    _layer("zp-test", "Zonă de protecție a monumentelor", Layer.Kind.CONSTRAINT, "Zona protejată Șipote",
           (e + 5, n - 60, e + 60, n + 60))
    _, pk = submitted_cu(applicant_name=NAME, applicant_address=ADDRESS)
    rendered: list[str] = []
    original = rendering.render_to_string

    def spy(template, context):
        html = original(template, context)
        rendered.append(html)
        return html

    monkeypatch.setattr(rendering, "render_to_string", spy)
    act = act_issue(application=Application.objects.get(pk=pk), by=cast["erin"], validity_months=12)
    with act.pdf.open("rb") as f:
        return rendered[0], f.read(), Application.objects.get(pk=pk)


def test_the_issued_pdf_keeps_romanian_diacritics_with_comma_below_in_dejavu_fonts(issued):
    from pypdf import PdfReader

    _, pdf, _ = issued
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())  # lines wrap anywhere
    for phrase in (NAME, ADDRESS, "ROMÂNIA", "Județul Bacău", "în scopul: Autorizarea executării lucrărilor",
                   "3. Regimul tehnic", "Se aplică Regulamentul General de Urbanism", "semnătură electronică",
                   "Certificatul de urbanism nu ține loc de autorizație de construire/desființare și nu conferă dreptul"):
        assert phrase in text, phrase
    assert set("șțăîâȘȚÎÂ") <= set(text)
    assert not set("şţŞŢ") & set(text)  # comma-below letters, never the cedilla look-alikes
    fonts = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert fonts and all("DejaVu" in f for f in fonts), fonts


def test_the_map_extract_draws_the_parcel_over_the_zoning_unit_and_the_protected_zone(issued):
    html, _, app = issued
    uri = re.search(r'<div class="map"><img src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', html)
    assert uri, "the map extract is embedded as an SVG data URI"
    svg = ET.fromstring(base64.b64decode(uri.group(1)))
    titled = {p.findtext(f"{SVG}title"): p for p in svg.iter(f"{SVG}path") if p.find(f"{SVG}title") is not None}
    assert titled["UTR L1a – locuințe individuale"].get("fill") == "#fde9b6"  # zoning style
    assert titled["Zona protejată Șipote"].get("fill") == "#f7b6b6"  # constraint style
    parcel_paths = [p for p in svg.iter(f"{SVG}path") if p.get("stroke") == "#1f3a93" and p.get("fill") == "none"]
    assert len(parcel_paths) == 1
    labels = [t.text for t in svg.iter(f"{SVG}text")]
    assert app.parcels.get().cadastral_number in labels
    # The parcel sits between the two areas: zoning to its west, the protected zone to its east.
    xs = {name: [float(v) for v in re.findall(r"([\d.]+),[\d.]+", p.get("d"))] for name, p in titled.items()}
    parcel_x = [float(v) for v in re.findall(r"([\d.]+),[\d.]+", parcel_paths[0].get("d"))]
    assert min(xs["UTR L1a – locuințe individuale"]) < min(parcel_x) < max(xs["Zona protejată Șipote"])
    assert min(xs["Zona protejată Șipote"]) > min(parcel_x)
    for layer_name in ("Zonificare PUG (UTR)", "Zonă de protecție a monumentelor"):
        assert layer_name in html  # the legend names both layers
