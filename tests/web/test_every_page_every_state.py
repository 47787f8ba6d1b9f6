"""No server error from any page of any role on any state an application can reach (issue 15, point 8).

Every kind (CU, CU extension, AC, AC extension, AD, address certificate) is walked through every status it can reach with
the real services (draft, submitted, returned, resubmitted, in review, avize with each state of its aviz
request, issued, expired, refused, withdrawn); at each state every page of every role is opened and
answers exactly what that role may see: 200, a 302 to the log-in page, 403 or 404, never a 5xx.
"""
from __future__ import annotations

from collections import Counter

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from archive.models import ArchiveAct
from avize import services as avize_services
from avize.models import AvizRequest
from permits import services, workflow, works
from permits.choices import EXCAVATION_LIVE, REQUIRED_DOCUMENTS, WORKS_STATUSES, Kind, Status
from permits.models import Application
from tests.avize.conftest import pdf_upload
from tests.helpers import otp_login

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
                otp_login(client, world[role])
            self.clients[role] = client
        self.seen: Counter = Counter()
        self.listed: set[tuple[str, str]] = set()
        self.refused: set[tuple[str, str]] = set()  # (role, list page) whose refusal was asserted

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
            # The construction-site panel (PDF) of an AC/AD whose works are under way.
            if role == "alice" and app.status in WORKS_STATUSES[:2] and app.kind in (Kind.AC, Kind.AD):
                self.get("alice", f"/api/v1/applications/{app.pk}/site-panel.pdf", 200, context=context)
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
            investor = user is not None and user.role == "investor"
            pages = {"/": 200, "/works/": 200, "/requests/": login or 200, "/start/": 302, "/excavations/": 200,
                     "/requests/new/address_certificate/": login or (200 if investor else 403),
                     "/requests/new/excavation/": login or (200 if role in ("alice", "bob") else 403),
                     "/staff/avize/": login or (200 if staff else 403), "/inbox/": login or (200 if reviewer else 403),
                     "/manage/": login or (200 if role == "root" else 403)}
            for view in ("todo", "waiting", "done", "all"):
                pages[f"/staff/queue/?view={view}"] = login or (200 if staff else 403)
            pages["/staff/queue/?view=all&who=mine"] = login or (200 if staff else 403)
            # Issue 19: the indicators (staff, admins, reviewers for their institution) and the assignment
            # settings (the head of the department: the chief architect; admins).
            indicators = login or (200 if staff or (user is not None and user.role == "reviewer") else 403)
            pages["/staff/indicators/"] = indicators
            for table in ("issuers", "clerks", "institutions"):
                pages[f"/staff/indicators/{table}.csv"] = indicators
            pages["/staff/assignment/"] = login or (200 if role in ("erin", "root") else 403)
            # The archive (issue 19): its pages for staff, an act of issuer_a's archive, the parcel's history.
            for url in ("/staff/archive/", "/staff/archive/?q=autorizatie&year=1985", "/staff/archive/queue/"):
                pages[url] = login or (200 if staff else 403)
            pages["/staff/archive/import/"] = login or (200 if staff and user.issuer_id else 403)
            act = self.w["archive_act"]
            own = user is not None and (user.is_portal_admin or user.issuer_id == act.issuer_id)
            pages[f"/staff/archive/{act.pk}/"] = login or (403 if not staff else 200 if own else 404)
            pages[f"/api/v1/parcels/{act.parcel_id}/acts/"] = 200
            for url, expected in pages.items():
                # A refusal (302 to the log-in page, 403) of a list page is decided by the role before any
                # application is read: asserted once per role and page, at the first state. What the role
                # may see (200) is rendered again at every new state; the same role's 200 pages (at least
                # "/") render its header and menus at that state.
                if expected != 200 and (role, url) in self.refused:
                    continue
                self.get(role, url, expected, context=context)
                if expected != 200:
                    self.refused.add((role, url))


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


def _address_certificates(walker) -> Application:
    """The address certificate: its branches, a parcel without a number that the clerk numbers first (the
    page with the assignment form, then with the address), and the main path on a numbered parcel."""
    from datetime import date

    from addresses import services as register

    w = walker.w
    street = register.street_add(uat=w["uat_a"], code="BC-0417", name="Strada Republicii", valid_from=date(1948, 1, 1))
    register.street_rename(street=street, name="Strada Mărășești", on=date(1990, 3, 1), decision="HCL 7/1990")
    numbered, bare = w["parcels"][2], w["parcels"][3]
    register.number_assign(parcel=numbered, street=street, number="3", on=date(1995, 1, 1))
    data = {"parcel_ids": [numbered.pk], "purpose": "addr_land_book"}
    _branches(walker, Kind.ADDRESS_CERT, data)
    unnumbered = services.application_create(by=w["alice"], data={"kind": Kind.ADDRESS_CERT, **PERSON,
                                                                  "parcel_ids": [bare.pk], "purpose": "addr_notarial"})
    _documents(unnumbered, w["alice"])
    services.application_submit(application=unnumbered, by=w["alice"])
    services.application_act(application=unnumbered, action="accept", by=w["carol"])
    walker.check(unnumbered)
    services.address_number_assign(application=unnumbered, by=w["carol"], street_id=street.pk, number="4")
    walker.check(unnumbered)
    return _main(walker, Kind.ADDRESS_CERT, data)


def _works_life(walker, app) -> None:
    """issued → works started → ended → reception rejected (still ended) → received (closed)."""
    w = walker.w
    today = timezone.localdate()
    works.works_start_announce(application=app, by=w["alice"], start_date=today, duration_months=12,
                               contractor_name="Construct SRL", documents=[pdf_upload("cote.pdf")])
    walker.check(app)
    works.works_end_announce(application=app, by=w["alice"], end_date=today, final_value_ron=260000)
    walker.check(app)
    for outcome, remarks in (("rejected", "Lipsesc finisajele."), ("admitted", "")):
        works.works_reception_record(application=app, by=w["carol"], reception_date=today,
                                     issuer_representative="Carol", members=["Alice Popescu"], outcome=outcome,
                                     remarks=remarks, report=pdf_upload("pv.pdf"))
        walker.check(app)


def test_every_page_of_every_role_on_every_state_of_every_kind(mapped_world, signing, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    w = mapped_world
    parcel = w["parcels"][0]  # 50 m from a listed monument: the AC/AD need the culture aviz
    # An old act of the archive on the same parcel: the request pages of staff show it in its history.
    w["archive_act"] = ArchiveAct.objects.create(issuer=w["issuer_a"], kind="ac", number="12", year=1985, parcel=parcel,
                                                 matched_by="cadastral", holder="Ion Vasilescu", text="Autorizație")
    walker = Walker(w)
    cu_data = {"parcel_ids": [parcel.pk], "purpose": "construire", "works_kind": "building",
               "works_description": "Locuință P+1"}
    _branches(walker, Kind.CU, cu_data)
    cu = _main(walker, Kind.CU, cu_data)
    ac_data = {"based_on": cu.pk, "works_kind": "building", "works_description": "Locuință P+1",
               "works_value_ron": 250000, "residential": True}
    _branches(walker, Kind.AC, ac_data)
    ac = _main(walker, Kind.AC, ac_data)
    _works_life(walker, _main(walker, Kind.AC, ac_data))  # a second AC lives on to its reception
    ad_data = {"based_on": cu.pk, "works_kind": "demolition", "works_description": "Desființare anexă",
               "works_value_ron": 20000, "taxable_value_ron": 20000}
    ad = _main(walker, Kind.AD, ad_data)
    _branches(walker, Kind.AD, ad_data)
    for kind, base in ((Kind.CU_EXTENSION, cu), (Kind.AC_EXTENSION, ac)):
        _branches(walker, kind, {"based_on": base.pk})
        extension = _main(walker, kind, {"based_on": base.pk})
        services.application_act(application=extension, action="expire", by=w["root"], reason="Test.")
        walker.check(extension)
    address = _address_certificates(walker)
    for act in (ad, ac, cu, address):
        services.application_act(application=act, action="expire", by=w["root"], reason="Test.")
        walker.check(act)
    _excavations(walker)
    expected_statuses = {Status.DRAFT, Status.SUBMITTED, Status.RETURNED, Status.RESUBMITTED, Status.IN_REVIEW,
                         Status.ISSUED, Status.EXPIRED, Status.REFUSED, Status.WITHDRAWN}
    for kind in Kind.values:
        reached = {status for (k, status) in walker.seen if k == kind}
        wanted = expected_statuses | ({Status.AVIZE} if kind in (Kind.AC, Kind.AD, Kind.EXCAVATION) else set())
        wanted |= set(WORKS_STATUSES) if kind in (Kind.AC, Kind.EXCAVATION) else set()
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
