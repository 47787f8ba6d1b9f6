"""Shared test fixtures: a small territory and a named cast, one person per role.

The cast (who may see what):
- alice, bob: investors; each sees only their own applications.
- carol: clerk of the Bacău mayor (issuer_a); dave: clerk of the Hemeiuș mayor (issuer_b).
- erin: chief architect of issuer_a.
- frank: reviewer for the culture institution; grace: reviewer for the electricity operator.
- root: portal admin.
"""
from __future__ import annotations

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import User
from institutions.models import Institution
from parcels.models import UAT, Issuer, Parcel


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the site's default language: a request served by the test client in the
    same thread leaves its language active, and lazy messages of a later test would follow it."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


# Centre of Bacău in Stereo 70 (EPSG:3844), easting/northing in metres.
BACAU_E, BACAU_N = 646_868.0, 564_814.0


def square(e: float, n: float, size: float) -> MultiPolygon:
    """An axis-aligned square in EPSG:3844 with its south-west corner at (e, n)."""
    return MultiPolygon(Polygon.from_bbox((e, n, e + size, n + size)), srid=3844)


@pytest.fixture
def territory(db):
    """Two UATs side by side: a municipiu (urban) and, west of it, a comună (rural)."""
    uat_a = UAT.objects.create(siruta=20297, name="Bacău", county="Bacău", county_code="BC",
                               kind=UAT.Kind.MUNICIPIU, boundary=square(BACAU_E - 2000, BACAU_N - 2000, 4000))
    uat_b = UAT.objects.create(siruta=22936, name="Hemeiuș", county="Bacău", county_code="BC",
                               kind=UAT.Kind.COMUNA, boundary=square(BACAU_E - 6000, BACAU_N - 2000, 4000))
    issuer_a = Issuer.objects.create(name="Primarul municipiului Bacău", kind=Issuer.Kind.PRIMAR, uat=uat_a, county="Bacău")
    issuer_b = Issuer.objects.create(name="Primarul comunei Hemeiuș", kind=Issuer.Kind.PRIMAR, uat=uat_b, county="Bacău")
    return {"uat_a": uat_a, "uat_b": uat_b, "issuer_a": issuer_a, "issuer_b": issuer_b}


@pytest.fixture
def parcel_factory(territory):
    counter = {"n": 60000}

    def make(*, uat=None, e=BACAU_E, n=BACAU_N, size=20.0, **kw) -> Parcel:
        counter["n"] += 1
        geom = square(e, n, size)
        return Parcel.objects.create(uat=uat or territory["uat_a"], cadastral_number=kw.pop("cadastral_number", str(counter["n"])),
                                     geom=geom, measured_area_m2=geom.area, **kw)

    return make


@pytest.fixture
def cast(territory):
    culture = Institution.objects.create(code="djc-bacau", name="Direcția Județeană pentru Cultură Bacău",
                                         kind=Institution.Kind.CULTURE, county="Bacău")
    electricity = Institution.objects.create(code="delgaz-grid-bacau", name="Delgaz Grid — Bacău",
                                             kind=Institution.Kind.ELECTRICITY, county="Bacău")

    def user(name: str, role: str, **kw) -> User:
        return User.objects.create_user(username=name, password=f"{name}-secret-pass", email=f"{name}@example.ro",
                                        role=role, **kw)

    people = {
        "alice": user("alice", User.Role.INVESTOR),
        "bob": user("bob", User.Role.INVESTOR),
        "carol": user("carol", User.Role.CLERK, issuer=territory["issuer_a"]),
        "dave": user("dave", User.Role.CLERK, issuer=territory["issuer_b"]),
        "erin": user("erin", User.Role.CHIEF_ARCHITECT, issuer=territory["issuer_a"]),
        "frank": user("frank", User.Role.REVIEWER, institution=culture),
        "grace": user("grace", User.Role.REVIEWER, institution=electricity),
        "root": user("root", User.Role.ADMIN, is_staff=True, is_superuser=True),
    }
    return {**territory, **people, "culture": culture, "electricity": electricity}


@pytest.fixture
def api():
    """Return an API client, optionally authenticated as a user with a token."""

    def make(user: User | None = None) -> APIClient:
        client = APIClient()
        if user is not None:
            token, _ = Token.objects.get_or_create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


@pytest.fixture(scope="session")
def _signing_p12(tmp_path_factory):
    """One demo signing certificate for the whole run: generating a key pair is the slow part."""
    from gis_portal.signing import demo_certificate_create

    path = tmp_path_factory.mktemp("signing") / "test.p12"
    demo_certificate_create(path, "test-signing")
    return path


@pytest.fixture(scope="session")
def tsa(tmp_path_factory):
    """An RFC 3161 time-stamping authority on loopback (tests/tsa.py), one for the whole run."""
    from tests.tsa import start_tsa

    server = start_tsa(tmp_path_factory.mktemp("tsa"))
    yield server
    server.stop()


@pytest.fixture
def signing(settings, tmp_path, _signing_p12, tsa):
    """A signing certificate, the loopback TSA and private media for issuing acts (a live server runs
    in this process too): issued documents are signed at PAdES B-LT as in production."""
    from gis_portal.signing import demo_crl_path

    settings.SIGNING_P12_PATH = _signing_p12
    settings.SIGNING_P12_PASSWORD = "test-signing"
    settings.TSA_URL = tsa.url
    settings.OUTBOUND_ALLOWED_HOSTS = [*settings.OUTBOUND_ALLOWED_HOSTS, "127.0.0.1"]  # the loopback TSA
    settings.SIGNING_TRUST_ROOTS = [tsa.root_path]
    settings.SIGNING_CRLS = [demo_crl_path(_signing_p12), tsa.crl_path]
    settings.MEDIA_ROOT = tmp_path / "media"
