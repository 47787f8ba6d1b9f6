"""Access matrix: every API endpoint × the whole cast, on objects that belong to alice.

The endpoints come from the URL configuration and from the OpenAPI schema, so a new endpoint fails
`test_every_endpoint_has_an_expectation_in_the_matrix` until someone writes down who may call it.

Who may see alice's objects (built by the real services in `world`):
- her AC (in the avize stage, culture and electricity consulted): alice, the clerk and chief architect
  of issuer_a (carol, erin), the culture and electricity reviewers (frank, grace) and the admin;
- her issued CU: the same minus frank and grace (no institution was consulted on the CU);
- the aviz request to culture (answered): alice, carol, erin, frank, admin — not grace, whose
  institution is consulted on the same AC but never sees another institution's answer;
- her analysis: alice, issuer_a staff, admin; her in-app notifications: alice only.
Everyone else gets 404 (no existence leak) or 403; anonymous callers 401/403 on private data.
Writes are sent with an invalid body: a 400 proves the caller got past the scope check, a 404 that
they did not, and nothing is written either way.
"""
from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.generators import SchemaGenerator

from tests.hardening.conftest import SECRETS

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "alice", "bob", "carol", "dave", "erin", "frank", "grace", "root")
ANON = frozenset({401, 403})
AUTHENTICATED = frozenset(ROLES) - {"anonymous"}
# A write that passed the scope check: refused for its body (400), its state (409) or the role (403).
WRITE_OK = frozenset({200, 201, 202, 400, 403, 409})

AC_SEE = {"alice", "carol", "erin", "frank", "grace", "root"}
CU_SEE = {"alice", "carol", "erin", "root"}
AVIZ_SEE = AC_SEE - {"grace"}
ANALYSIS_SEE = {"alice", "carol", "erin", "root"}

# URL routes that are web pages (tested by tests/web) or framework plumbing, not API endpoints.
NOT_API_MODULES = ("web.views", "django.contrib.auth.views", "django.views.i18n")


@dataclass
class Case:
    url: Callable[[dict], str]
    expect: dict[str, frozenset[int]]
    body: Callable[[dict], dict] | None = None
    fmt: str = "json"
    # Roles allowed to read alice's personal data in this response (the others are checked for leaks).
    sees: set[str] = field(default_factory=set)
    # Expensive public endpoints (the schema is generated per request) are called by fewer roles.
    roles: tuple[str, ...] = ROLES


def public(status=(200,)) -> dict[str, frozenset[int]]:
    return {role: frozenset(status) for role in ROLES}


def authenticated(status=(200,)) -> dict[str, frozenset[int]]:
    return {role: (ANON if role == "anonymous" else frozenset(status)) for role in ROLES}


def scoped(seen: set[str], ok=(200,), *, denied=(404,), anonymous=ANON) -> dict[str, frozenset[int]]:
    out = {}
    for role in ROLES:
        if role == "anonymous":
            out[role] = frozenset(anonymous)
        else:
            out[role] = frozenset(ok) if role in seen else frozenset(denied)
    return out


def _tile(z: int, lon: float, lat: float) -> str:
    n = 2 ** z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return f"{z}/{x}/{y}"


BACAU_BBOX = "26.85,46.52,26.98,46.62"

MATRIX: dict[tuple[str, str], Case] = {
    ("GET", "/healthz"): Case(lambda w: "/healthz", public()),
    ("GET", "/api/v1/schema/"): Case(lambda w: "/api/v1/schema/", public(), roles=("anonymous", "bob")),
    ("GET", "/api/v1/docs/"): Case(lambda w: "/api/v1/docs/", public(), roles=("anonymous", "bob")),
    ("POST", "/api/v1/auth/token/"): Case(lambda w: "/api/v1/auth/token/", public((400,)), body=lambda w: {}),
    # Public geography.
    ("GET", "/api/v1/parcels/"): Case(lambda w: f"/api/v1/parcels/?bbox={BACAU_BBOX}", public()),
    ("GET", "/api/v1/parcels/at/"): Case(lambda w: "/api/v1/parcels/at/?lon=26.91&lat=46.57", public((200, 404))),
    ("GET", "/api/v1/parcels/{pk}/"): Case(lambda w: f"/api/v1/parcels/{w['parcel'].pk}/", public()),
    ("GET", "/api/v1/parcels/{pk}/address/"): Case(lambda w: f"/api/v1/parcels/{w['parcel'].pk}/address/", public()),
    ("GET", "/api/v1/uats/"): Case(lambda w: "/api/v1/uats/", public()),
    ("GET", "/api/v1/uats/{siruta}/"): Case(lambda w: "/api/v1/uats/20297/", public()),
    ("GET", "/api/v1/layers/"): Case(lambda w: "/api/v1/layers/", public()),
    ("GET", "/api/v1/layers/{slug}/features/"): Case(lambda w: f"/api/v1/layers/lmi/features/?bbox={BACAU_BBOX}",
                                                     public()),
    ("GET", "/tiles/{layer}/{z}/{x}/{y}.pbf"): Case(lambda w: f"/tiles/lmi/{_tile(14, 26.913, 46.568)}.pbf",
                                                   public((200, 204))),
    ("GET", "/ogc/?"): Case(lambda w: "/ogc/", public()),
    ("GET", "/ogc/conformance"): Case(lambda w: "/ogc/conformance", public()),
    ("GET", "/ogc/api"): Case(lambda w: "/ogc/api", public()),
    ("GET", "/ogc/collections"): Case(lambda w: "/ogc/collections", public()),
    ("GET", "/ogc/collections/{collection_id}"): Case(lambda w: "/ogc/collections/lmi", public()),
    ("GET", "/ogc/collections/{collection_id}/items"): Case(lambda w: "/ogc/collections/lmi/items", public()),
    ("GET", "/ogc/collections/{collection_id}/queryables"): Case(lambda w: "/ogc/collections/lmi/queryables", public()),
    ("GET", "/ogc/collections/{collection_id}/items/{fid}"): Case(
        lambda w: f"/ogc/collections/lmi/items/{w['feature'].pk}", public()),
    ("GET", "/api/v1/institutions/"): Case(lambda w: "/api/v1/institutions/", public()),
    ("GET", "/api/v1/rules/"): Case(lambda w: "/api/v1/rules/", public()),
    ("GET", "/api/v1/parcels/search/"): Case(lambda w: "/api/v1/parcels/search/?q=60001", public()),
    ("POST", "/api/v1/parcels/footprint-clip/"): Case(lambda w: "/api/v1/parcels/footprint-clip/", public((400,)),
                                               body=lambda w: {}),
    # Analyses: anyone runs one; a stored one is read by its creator, the issuer's staff and admins.
    ("POST", "/api/v1/analyses/"): Case(lambda w: "/api/v1/analyses/", public((400,)), body=lambda w: {}),
    ("GET", "/api/v1/analyses/{analysis_id}/"): Case(
        lambda w: f"/api/v1/analyses/{w['analysis'].pk}/", scoped(ANALYSIS_SEE, anonymous=(404,)),
        sees=ANALYSIS_SEE),
    ("GET", "/api/v1/analyses/{analysis_id}/hit-marks/"): Case(
        lambda w: f"/api/v1/analyses/{w['analysis'].pk}/hit-marks/", scoped(ANALYSIS_SEE, anonymous=(404,)),
        sees=ANALYSIS_SEE),
    # Applications.
    ("GET", "/api/v1/applications/"): Case(lambda w: "/api/v1/applications/", authenticated(), sees=AC_SEE),
    ("POST", "/api/v1/applications/"): Case(lambda w: "/api/v1/applications/", authenticated((400,)),
                                            body=lambda w: {}),
    ("GET", "/api/v1/applications/{pk}/"): Case(lambda w: f"/api/v1/applications/{w['ac'].pk}/", scoped(AC_SEE),
                                                sees=AC_SEE),
    ("PATCH", "/api/v1/applications/{pk}/"): Case(lambda w: f"/api/v1/applications/{w['ac'].pk}/",
                                                  scoped(AC_SEE, WRITE_OK), body=lambda w: {"kind": "nonsense"},
                                                  sees=AC_SEE),
    ("POST", "/api/v1/applications/{pk}/submit/"): Case(lambda w: f"/api/v1/applications/{w['ac'].pk}/submit/",
                                                       scoped(AC_SEE, WRITE_OK), body=lambda w: {}, sees=AC_SEE),
    ("POST", "/api/v1/applications/{pk}/transitions/"): Case(
        lambda w: f"/api/v1/applications/{w['ac'].pk}/transitions/", scoped(AC_SEE, (400,)),
        body=lambda w: {"action": "nonsense"}, sees=AC_SEE),
    ("GET", "/api/v1/applications/{pk}/timeline/"): Case(lambda w: f"/api/v1/applications/{w['ac'].pk}/timeline/",
                                                        scoped(AC_SEE), sees=AC_SEE),
    ("POST", "/api/v1/applications/{pk}/documents/"): Case(
        lambda w: f"/api/v1/applications/{w['ac'].pk}/documents/", scoped(AC_SEE, (400,)),
        body=lambda w: {"doc_type": "nonsense"}, fmt="multipart", sees=AC_SEE),
    ("POST", "/api/v1/applications/{pk}/payments/"): Case(
        lambda w: f"/api/v1/applications/{w['ac'].pk}/payments/", scoped(AC_SEE, WRITE_OK),
        body=lambda w: {"provider": "nonsense"}, sees=AC_SEE),
    ("GET", "/api/v1/applications/{pk}/act.pdf"): Case(lambda w: f"/api/v1/applications/{w['cu'].pk}/act.pdf",
                                                      scoped(CU_SEE), sees=CU_SEE),
    # Issue 18: the site panel of an issued AC/AD (the world's AC is not issued: 400 to those who see it).
    ("GET", "/api/v1/applications/{pk}/site-panel.pdf"): Case(
        lambda w: f"/api/v1/applications/{w['ac'].pk}/site-panel.pdf", scoped(AC_SEE, (400,)), sees=AC_SEE),
    ("GET", "/api/v1/works/in-progress/"): Case(lambda w: "/api/v1/works/in-progress/", public()),
    ("GET", "/api/v1/documents/{pk}/download/"): Case(lambda w: f"/api/v1/documents/{w['document'].pk}/download/",
                                                     scoped(AC_SEE), sees=AC_SEE),
    ("POST", "/api/v1/payments/callback/{provider}/"): Case(lambda w: "/api/v1/payments/callback/loopback/",
                                                           public((400, 403)), body=lambda w: {}),
    ("POST", "/api/v1/payments/loopback/{reference}/pay/"): Case(
        lambda w: "/api/v1/payments/loopback/no-such-reference/pay/", authenticated((404,)), body=lambda w: {}),
    # Public calculators and registers (the law makes registers public; personal data stays out).
    ("GET", "/api/v1/calendar/deadline/"): Case(lambda w: "/api/v1/calendar/deadline/?from=2026-03-02&rule=cu_issue",
                                               public()),
    ("POST", "/api/v1/fees/quote/"): Case(lambda w: "/api/v1/fees/quote/", public(),
                                          body=lambda w: {"kind": "cu", "uat": 20297, "area_m2": 400}),
    ("GET", "/api/v1/registers/{siruta}/"): Case(lambda w: "/api/v1/registers/20297/", public()),
    # Excavations (issue 18): the public layer (legally public fields only) and the signed-in live check.
    ("GET", "/api/v1/public/excavations/"): Case(lambda w: "/api/v1/public/excavations/", public()),
    ("POST", "/api/v1/excavations/check/"): Case(lambda w: "/api/v1/excavations/check/", authenticated((400,)),
                                                 body=lambda w: {}),
    ("GET", "/verify/{code}"): Case(lambda w: f"/verify/{w['act'].verify_code}", public()),
    # Avize.
    ("GET", "/api/v1/avize/"): Case(lambda w: "/api/v1/avize/", authenticated(), sees=AVIZ_SEE),
    ("GET", "/api/v1/avize/{pk}/"): Case(lambda w: f"/api/v1/avize/{w['aviz'].pk}/", scoped(AVIZ_SEE),
                                         sees=AVIZ_SEE),
    ("POST", "/api/v1/avize/{pk}/answer/"): Case(lambda w: f"/api/v1/avize/{w['aviz'].pk}/answer/",
                                                 scoped(AVIZ_SEE, (400,)), body=lambda w: {"outcome": "nonsense"},
                                                 sees=AVIZ_SEE),
    ("POST", "/api/v1/avize/{pk}/completion-request/"): Case(
        lambda w: f"/api/v1/avize/{w['aviz'].pk}/completion-request/", scoped(AVIZ_SEE, WRITE_OK),
        body=lambda w: {}, sees=AVIZ_SEE),
    ("POST", "/api/v1/avize/{pk}/resubmit/"): Case(lambda w: f"/api/v1/avize/{w['aviz'].pk}/resubmit/",
                                                   scoped(AVIZ_SEE, WRITE_OK), body=lambda w: {}, sees=AVIZ_SEE),
    ("POST", "/api/v1/avize/{pk}/documents/"): Case(lambda w: f"/api/v1/avize/{w['aviz'].pk}/documents/",
                                                    scoped(AVIZ_SEE, WRITE_OK), body=lambda w: {},
                                                    fmt="multipart", sees=AVIZ_SEE),
    ("POST", "/api/v1/avize/{pk}/withdraw/"): Case(lambda w: f"/api/v1/avize/{w['aviz'].pk}/withdraw/",
                                                   scoped(AVIZ_SEE, WRITE_OK), body=lambda w: {}, sees=AVIZ_SEE),
    ("GET", "/api/v1/avize/{pk}/pdf/"): Case(lambda w: f"/api/v1/avize/{w['aviz'].pk}/pdf/", scoped(AVIZ_SEE),
                                             sees=AVIZ_SEE),
    ("GET", "/api/v1/avize/{pk}/documents/{doc_id}/"): Case(
        lambda w: f"/api/v1/avize/{w['aviz'].pk}/documents/{w['document'].pk}/", scoped(AVIZ_SEE), sees=AVIZ_SEE),
    ("GET", "/api/v1/avize/applications/{application_id}/"): Case(
        lambda w: f"/api/v1/avize/applications/{w['ac'].pk}/", scoped(AC_SEE), sees=AC_SEE),
    ("POST", "/api/v1/avize/applications/{application_id}/reconsult/"): Case(
        lambda w: f"/api/v1/avize/applications/{w['ac'].pk}/reconsult/", scoped(AC_SEE, (400,)),
        body=lambda w: {"reason": ""}, sees=AC_SEE),
    # Notifications: one's own inbox; the delivery log for admins only.
    ("GET", "/api/v1/notifications/"): Case(lambda w: "/api/v1/notifications/", authenticated(), sees={"alice"}),
    ("POST", "/api/v1/notifications/read-all/"): Case(lambda w: "/api/v1/notifications/read-all/", authenticated()),
    ("POST", "/api/v1/notifications/{pk}/read/"): Case(
        lambda w: f"/api/v1/notifications/{w['notification'].pk}/read/", scoped({"alice"}), sees={"alice"}),
    ("GET", "/api/v1/admin/notifications/"): Case(lambda w: "/api/v1/admin/notifications/",
                                                  scoped({"root"}, denied=(403,)), sees={"root"}),
    ("POST", "/api/v1/admin/notifications/{pk}/retry/"): Case(
        lambda w: f"/api/v1/admin/notifications/{w['notification'].pk}/retry/",
        scoped({"root"}, (202, 409), denied=(403, 404)), sees={"root"}),
    # The archive (issue 19): a parcel's history is public (its public part); the scans are issuer_a's staff's.
    ("GET", "/api/v1/parcels/{pk}/acts/"): Case(lambda w: f"/api/v1/parcels/{w['parcel'].pk}/acts/", public()),
    ("GET", "/api/v1/archive/files/{pk}/"): Case(
        lambda w: f"/api/v1/archive/files/{w['archive_file'].pk}/", scoped({"carol", "erin", "root"})),
}

# Reads first, then writes (each write is refused, but keep the world as built while reading).
ORDER = sorted(MATRIX, key=lambda key: (key[0] != "GET", key))


def _route(pattern) -> str:
    text = str(pattern)
    out, i = "", 0
    while i < len(text):
        if text[i] == "<":
            j = text.index(">", i)
            out += "{" + text[i + 1:j].split(":")[-1] + "}"
            i = j + 1
        else:
            out += text[i]
            i += 1
    return out


def url_routes() -> set[str]:
    """Every route of the URL configuration that is an API endpoint (not the admin, not a web page)."""
    routes = set()

    def walk(patterns, prefix: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                if str(p.pattern).startswith("admin/"):
                    continue
                walk(p.url_patterns, prefix + _route(p.pattern))
            elif isinstance(p, URLPattern):
                module = getattr(p.callback, "__module__", "")
                if module.startswith(NOT_API_MODULES):
                    continue
                routes.add("/" + (prefix + _route(p.pattern)).lstrip("^").rstrip("$"))

    walk(get_resolver().url_patterns, "")
    return routes


def schema_operations() -> set[tuple[str, str]]:
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    # drf-spectacular names a `pk` path parameter `id` (SCHEMA_COERCE_PATH_PK); the URL conf says pk.
    return {(method.upper(), path.replace("{id}", "{pk}")) for path, ops in paths.items() for method in ops
            if method in ("get", "post", "put", "patch", "delete")}


def test_every_endpoint_has_an_expectation_in_the_matrix():
    covered_routes = {path for _, path in MATRIX}
    assert url_routes() - covered_routes == set(), "URL routes with no expectation in the access matrix"
    assert schema_operations() - set(MATRIX) == set(), "OpenAPI operations with no expectation in the access matrix"
    assert set(MATRIX) - schema_operations() - {(m, p) for m, p in MATRIX if p in url_routes()} == set(), \
        "matrix entries for endpoints that no longer exist"


def _client(api, world, role):
    return api(None if role == "anonymous" else world[role])


def _snapshot(world) -> tuple:
    """What a refused request must not change: states, counts of the rows writes would create."""
    from avize.models import AvizRequest
    from notifications.models import Notification
    from permits.models import Application, Document, Payment, TransitionEvent

    ac, aviz = Application.objects.get(pk=world["ac"].pk), AvizRequest.objects.get(pk=world["aviz"].pk)
    return (ac.status, ac.updated_at if hasattr(ac, "updated_at") else None, aviz.state,
            Application.objects.count(), Document.objects.count(), Payment.objects.count(),
            TransitionEvent.objects.count(), AvizRequest.objects.count(),
            Notification.objects.filter(read_at__isnull=False).count())


@pytest.fixture
def matrix_world(world):
    from django.core.files.base import ContentFile

    from archive.models import ArchiveAct, ArchiveFile
    from layers.models import Feature

    act = ArchiveAct.objects.create(issuer=world["parcel"].uat.issuer, kind="ac", number="3", year=1979,
                                    parcel=world["parcel"], matched_by="cadastral", holder="Ion Vasilescu")
    scan = ArchiveFile(act=act, original_name="ac-3-1979.pdf", content_type="application/pdf", size=9, pages=1,
                       sha256="0" * 64)
    scan.file.save("archive/test/ac-3-1979.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    scan.save()
    return {**world, "feature": Feature.objects.get(version__layer__slug="lmi"), "archive_file": scan}


def test_every_endpoint_answers_each_member_of_the_cast_as_the_matrix_says(matrix_world, api):
    world = matrix_world
    failures = []
    for key in ORDER:
        method, _ = key
        case = MATRIX[key]
        url = case.url(world)
        # Roles denied first: their refused writes must leave the world exactly as the others see it.
        for role in sorted(case.roles, key=lambda r: case.expect[r] <= {401, 403, 404}, reverse=True):
            client = _client(api, world, role)
            before = _snapshot(world) if method != "GET" else None
            kwargs = {"format": case.fmt} if case.body is not None else {}
            body = case.body(world) if case.body is not None else None
            response = getattr(client, method.lower())(url, body, **kwargs) if body is not None else \
                getattr(client, method.lower())(url)
            if response.status_code not in case.expect[role]:
                failures.append(f"{method} {url} as {role}: {response.status_code}, expected "
                                f"{sorted(case.expect[role])}")
            if response.status_code >= 400 and method != "GET" and _snapshot(world) != before:
                failures.append(f"{method} {url} as {role}: refused ({response.status_code}) but wrote")
            if role not in case.sees and role not in ("root",):
                text = b"".join(response.streaming_content) if response.streaming else response.content
                leaked = [s for s in SECRETS if s.encode() in text]
                if leaked:
                    failures.append(f"{method} {url} as {role}: leaks {leaked}")
    assert not failures, "\n".join(failures)


def _ids(response) -> set[int]:
    body = response.json()
    items = body.get("results", body) if isinstance(body, dict) else body
    return {item["id"] for item in items}


LISTS = (("/api/v1/applications/", "ac", AC_SEE), ("/api/v1/avize/", "aviz", AVIZ_SEE),
         ("/api/v1/notifications/", "notification", {"alice"}))


def test_lists_return_alices_objects_to_the_entitled_and_nothing_of_hers_to_outsiders(world, api):
    for url, key, entitled in LISTS:
        for role in AUTHENTICATED - {"root"}:
            response = api(world[role]).get(url)
            assert response.status_code == 200
            ids = _ids(response)
            assert (world[key].pk in ids) == (role in entitled), f"{url} as {role}"
            if role in ("bob", "dave"):  # outsiders to all of alice's business
                assert ids == set(), f"{url} as {role}"
                assert not any(s in json.dumps(response.json()) for s in SECRETS)


def test_two_institutions_on_one_application_each_read_only_their_own_answer(world, api):
    """The avize roll-up of alice's AC: culture answered (number DJC-1, a condition), electricity has not."""
    url = f"/api/v1/avize/applications/{world['ac'].pk}/"
    culture, power = world["culture"].code, world["electricity"].code
    seen = {}
    for role in ("grace", "frank", "carol", "alice"):
        response = api(world[role]).get(url)
        assert response.status_code == 200
        body = response.json()
        seen[role] = {item["institution"]["code"]: (item["state"], item["number"]) for item in body["institutions"]}
        if role == "grace":
            text = json.dumps(body, ensure_ascii=False)
            assert "DJC-1" not in text and "arheologic" not in text and culture not in text
            assert body["outcome"] is None and body["conditions"] == [] and body["pending"] == [power]
    assert seen["grace"] == {power: ("sent", "")}
    assert seen["frank"] == {culture: ("favourable_with_conditions", "DJC-1")}
    assert seen["carol"] == seen["alice"] == {**seen["grace"], **seen["frank"]}
