"""No server error from any page of any role on any state an application can reach (issue 15, point 8).

Every kind (CU, CU extension, AC, AC extension, AD) is walked through every status it can reach with
the real services (draft, submitted, returned, resubmitted, in review, avize with each state of its aviz
request, issued, expired, refused, withdrawn); at each state every page of every role is opened and
answers exactly what that role may see: 200, a 302 to the log-in page, 403 or 404, never a 5xx.
"""
from __future__ import annotations

from collections import Counter

import pytest
from django.conf import settings
from django.test import Client

from avize import services as avize_services
from avize.models import AvizRequest
from permits import services, workflow
from permits.choices import EXCAVATION_LIVE, REQUIRED_DOCUMENTS, Kind, Status
from permits.models import Application
from tests.avize.conftest import pdf_upload

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

ROLES = ("anonymous", "alice", "bob", "carol", "dave", "erin", "frank", "grace", "root")
PERSON = {"applicant_type": "person", "applicant_name": "Alice Popescu", "applicant_id_code": "1800101040017",
          "applicant_email": "contact@familia-popescu.ro"}


class Walker:
    def __init__(self, world):
        self.w = world
        self.clients = {}
        for role in ROLES:
            client = Client()
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ro"
            if role != "anonymous":
                client.force_login(world[role])
            self.clients[role] = client
        self.seen: Counter = Counter()
        self.listed: set[tuple[str, str]] = set()

    def get(self, role: str, url: str, expected: int, *, context: str) -> None:
        status = self.clients[role].get(url).status_code
        assert status == expected, f"{role} GET {url} ({context}): {status}, expected {expected}"

    def detail_expectation(self, role: str, app: Application) -> int:
        w = self.w
        if role == "anonymous":
            return 302
        if role in ("root", app.owner.username):
            return 200
        user = w[role]
        if user.is_issuer_staff:
            return 200 if app.issuer_id == user.issuer_id else 404
        if user.role == "reviewer":
            return 200 if app.aviz_requests.filter(institution_id=user.institution_id).exists() else 404
        return 404

    def check(self, app: Application) -> None:
        """Every page about this application, for every role, at its current state."""
        app.refresh_from_db()
        context = f"{app.kind} {app.status}"
        self.seen[(app.kind, app.status)] += 1
        for role in ROLES:
            detail = self.detail_expectation(role, app)
            self.get(role, f"/requests/{app.pk}/", detail, context=context)
            user = self.w.get(role)
            staff = user is not None and (user.is_issuer_staff or user.is_portal_admin)
            preview = 302 if role == "anonymous" else (detail if staff else 403)
            self.get(role, f"/staff/requests/{app.pk}/preview/", preview, context=context)
            for req in AvizRequest.objects.filter(application=app):
                if role == "anonymous":
                    expected = 302
                elif role == "root":
                    expected = 200
                elif user.role != "reviewer":
                    expected = 403
                else:
                    expected = 200 if user.institution_id == req.institution_id else 404
                self.get(role, f"/inbox/{req.pk}/", expected, context=f"{context}, aviz {req.state}")
            if role == "alice" and app.status in (Status.ISSUED, Status.EXPIRED, *EXCAVATION_LIVE, Status.CLOSED):
                self.get("anonymous", f"/verify/{app.act.verify_code}", 200, context=context)
        # The list pages show every application in its current state: opened whenever a status (or an
        # aviz state) appears for the first time, which keeps the walk fast.
        states = {(app.status, r.state) for r in AvizRequest.objects.filter(application=app)} or {(app.status, "")}
        if states - self.listed:
            self.listed |= states
            self.lists(context)

    def lists(self, context: str) -> None:
        """The list pages of every role (they show every application in its current state)."""
        for role in ROLES:
            user = self.w.get(role)
            staff = user is not None and (user.is_issuer_staff or user.is_portal_admin)
            reviewer = user is not None and (user.role == "reviewer" or user.is_portal_admin)
            login = 302 if role == "anonymous" else None
            pages = {"/": 200, "/requests/": login or 200, "/start/": 302, "/excavations/": 200,
                     "/requests/new/excavation/": login or (200 if role in ("alice", "bob") else 403),
                     "/staff/avize/": login or (200 if staff else 403), "/inbox/": login or (200 if reviewer else 403),
                     "/manage/": login or (200 if role == "root" else 403)}
            for view in ("todo", "waiting", "done", "all"):
                pages[f"/staff/queue/?view={view}"] = login or (200 if staff else 403)
            for url, expected in pages.items():
                self.get(role, url, expected, context=context)


def _documents(app, by):
    for doc_type in REQUIRED_DOCUMENTS[app.kind]:
        services.document_add(application=app, by=by, doc_type=doc_type, upload=pdf_upload(f"{doc_type}.pdf"))


def _pay_and_issue(walker, app):
    w = walker.w
    app.refresh_from_db()
    if app.fee_ron and not app.paid_at:
        services.payment_record(application=app, by=w["carol"], amount_ron=app.fee_ron, reference=f"CH-{app.pk}")
    offered, blocked = workflow.offered_actions(app, w["erin"])
    if "compliance_ok" in blocked.get("issue", []):
        services.application_act(application=app, action="override_compliance", by=w["erin"],
                                 reason="PUZ aprobat (test)")
    services.application_act(application=app, action="issue", by=w["erin"], validity_months=12)
    walker.check(app)


def _branches(walker, kind: str, data: dict) -> None:
    """The states off the main path: returned → resubmitted, refused, withdrawn (draft and registered)."""
    w = walker.w
    alice, carol = w["alice"], w["carol"]
    refused = services.application_create(by=alice, data={"kind": kind, **PERSON, **data})
    _documents(refused, alice)
    services.application_submit(application=refused, by=alice)
    services.application_act(application=refused, action="return_for_completion", by=carol, reason="Lipsește planul.")
    walker.check(refused)
    services.application_act(application=refused, action="resubmit", by=alice)
    walker.check(refused)
    services.application_act(application=refused, action="refuse", by=carol, reason="Neconform.")
    walker.check(refused)
    withdrawn = services.application_create(by=alice, data={"kind": kind, **PERSON, **data})
    services.application_act(application=withdrawn, action="withdraw", by=alice)
    walker.check(withdrawn)


def _main(walker, kind: str, data: dict) -> Application:
    """draft → submitted → in review [→ avize, each aviz state → in review] → issued."""
    w = walker.w
    alice, carol = w["alice"], w["carol"]
    app = services.application_create(by=alice, data={"kind": kind, **PERSON, **data})
    walker.check(app)
    _documents(app, alice)
    services.application_submit(application=app, by=alice)
    walker.check(app)
    services.application_act(application=app, action="accept", by=carol)
    walker.check(app)
    app.refresh_from_db()
    if kind in (Kind.AC, Kind.AD, Kind.EXCAVATION) and "request_avize" in workflow.offered_actions(app, carol)[0]:
        services.application_act(application=app, action="request_avize", by=carol)
        walker.check(app)
        (req,) = AvizRequest.objects.filter(application=app, live=True)
        reviewer = {w["culture"].pk: w["frank"], w["electricity"].pk: w["grace"]}.get(req.institution_id)
        assert reviewer is not None, req.institution
        avize_services.aviz_view(request=req, by=reviewer)
        walker.check(app)
        avize_services.aviz_completion_request(request=req, by=reviewer, text="Studiu istoric.")
        walker.check(app)
        avize_services.aviz_completion_document_add(request=req, by=alice, doc_type="altele", upload=pdf_upload())
        avize_services.aviz_resubmit(request=req, by=alice)
        walker.check(app)
        avize_services.aviz_answer(request=req, by=reviewer, outcome="favourable_with_conditions",
                                   conditions=["Supraveghere arheologică."])
        walker.check(app)  # the answer ended the stage: in review again
    _pay_and_issue(walker, app)
    return app


def test_every_page_of_every_role_on_every_state_of_every_kind(mapped_world, signing, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    w = mapped_world
    walker = Walker(w)
    parcel = w["parcels"][0]  # 50 m from a listed monument: the AC/AD need the culture aviz
    cu_data = {"parcel_ids": [parcel.pk], "purpose": "construire", "works_kind": "building",
               "works_description": "Locuință P+1"}
    _branches(walker, Kind.CU, cu_data)
    cu = _main(walker, Kind.CU, cu_data)
    ac_data = {"based_on": cu.pk, "works_kind": "building", "works_description": "Locuință P+1",
               "works_value_ron": 250000, "residential": True}
    _branches(walker, Kind.AC, ac_data)
    ac = _main(walker, Kind.AC, ac_data)
    ad_data = {"based_on": cu.pk, "works_kind": "demolition", "works_description": "Desființare anexă",
               "works_value_ron": 20000, "taxable_value_ron": 20000}
    ad = _main(walker, Kind.AD, ad_data)
    _branches(walker, Kind.AD, ad_data)
    for kind, base in ((Kind.CU_EXTENSION, cu), (Kind.AC_EXTENSION, ac)):
        _branches(walker, kind, {"based_on": base.pk})
        extension = _main(walker, kind, {"based_on": base.pk})
        services.application_act(application=extension, action="expire", by=w["root"], reason="Test.")
        walker.check(extension)
    for act in (ad, ac, cu):
        services.application_act(application=act, action="expire", by=w["root"], reason="Test.")
        walker.check(act)
    _excavations(walker)
    expected_statuses = {Status.DRAFT, Status.SUBMITTED, Status.RETURNED, Status.RESUBMITTED, Status.IN_REVIEW,
                         Status.ISSUED, Status.EXPIRED, Status.REFUSED, Status.WITHDRAWN}
    for kind in Kind.values:
        reached = {status for (k, status) in walker.seen if k == kind}
        wanted = expected_statuses | ({Status.AVIZE} if kind in (Kind.AC, Kind.AD, Kind.EXCAVATION) else set())
        if kind == Kind.EXCAVATION:
            wanted |= {Status.WORKS_STARTED, Status.WORKS_ENDED, Status.CLOSED}
        assert reached == wanted, (kind, wanted - reached)


def _excavations(walker) -> None:
    """Excavation permits (issue 18): a trench under a 20 kV line (the operator's aviz, grace's institution)
    through every status to closed, one issued then expired, and one overlapping the first (dig once)."""
    from datetime import timedelta

    from django.contrib.gis.geos import LineString
    from django.utils import timezone

    from layers.models import Feature, Layer
    from layers.services import layer_version_publish, layer_version_start
    from permits import excavations
    from tests.conftest import BACAU_E, BACAU_N

    w = walker.w
    layer = Layer.objects.create(slug="lea", name="LEA 20 kV", kind=Layer.Kind.CONSTRAINT, theme="power_line_20kV")
    version = layer_version_start(layer=layer, source_name="test")
    Feature.objects.create(version=version, name="LEA 20 kV", attrs={"voltage_kv": 20},
                           geom=LineString((BACAU_E + 400, BACAU_N + 300), (BACAU_E + 700, BACAU_N + 300), srid=3844))
    layer_version_publish(version=version)
    today = timezone.localdate()

    def data(start: int) -> dict:
        return {"works_description": "Branșament apă", "excavation_crs": "EPSG:3844", "excavation": {
            "geometry": {"type": "LineString", "coordinates": [[BACAU_E + 500, BACAU_N + 280], [BACAU_E + 500, BACAU_N + 320]]},
            "width_m": "1.0", "street": "Strada Mărăști", "starts_on": (today + timedelta(days=start)).isoformat(),
            "ends_on": (today + timedelta(days=start + 10)).isoformat(), "roadway_closed": False}}

    _branches(walker, Kind.EXCAVATION, data(14))
    dig = _main(walker, Kind.EXCAVATION, data(14))
    overlapping = services.application_create(by=w["bob"], data={"kind": Kind.EXCAVATION, **PERSON, **data(16)})
    _documents(overlapping, w["bob"])
    services.application_submit(application=overlapping, by=w["bob"])
    walker.check(overlapping)
    assert Application.objects.get(pk=overlapping.pk).excavation.conflicts
    excavations.guarantee_record(application=dig, by=w["carol"])
    for action, by in (("excavation_start", w["alice"]), ("excavation_end", w["alice"]),
                       ("accept_restoration", w["carol"])):
        services.application_act(application=dig, action=action, by=by)
        walker.check(dig)
    later = _main(walker, Kind.EXCAVATION, data(60))
    services.application_act(application=later, action="expire", by=w["root"], reason="Test.")
    walker.check(later)
