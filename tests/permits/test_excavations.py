"""Excavation permits in the public domain (issue 18): the networks crossed name exactly their operators and
the road administrator (and the police only when the roadway is closed); dig once flags and guards overlaps in
space and time and the moratorium of a rehabilitated street; fee and guarantee; the life to closed; the public
register and layer."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.gis.geos import LineString
from django.utils import timezone

from accounts.models import User
from avize.models import AvizRequest
from avize.services import aviz_answer
from institutions.models import Institution
from permits.models import Application, ExcavationPolicy
from tests.conftest import BACAU_E, BACAU_N
from tests.helpers import otp_login
from tests.permits.conftest import VALID_CUI, pdf_upload
from tests.rules.conftest import box

pytestmark = pytest.mark.django_db

STREET_E = BACAU_E + 500  # a north-south street of Bacău
TODAY = timezone.localdate()


@pytest.fixture
def street_with_networks(make_layer, seeded, cast):
    """A street crossed by a gas main (at N) and a water main (8 m north of it); a rehabilitated street elsewhere."""
    intravilan = box(BACAU_E - 6000, BACAU_N - 2000, BACAU_E + 2000, BACAU_N + 2000)
    make_layer("intravilan_limit", [(intravilan, {})])
    make_layer("street_axis", [(LineString((STREET_E, BACAU_N - 500), (STREET_E, BACAU_N + 500)),
                                {"name": "Strada Mărăști", "width_m": 12})], slug="streets")
    make_layer("gas_pipeline", [(LineString((BACAU_E - 1000, BACAU_N), (BACAU_E + 1500, BACAU_N)),
                                 {"name": "Conductă gaze MP", "operator": "Delgaz Grid"})], slug="gas")
    make_layer("water_main", [(LineString((BACAU_E - 1000, BACAU_N + 8), (BACAU_E + 1500, BACAU_N + 8)),
                               {"name": "Conductă apă", "operator": "CRAB"})], slug="water")
    rehab = (TODAY - timedelta(days=365 * 2)).isoformat()
    make_layer("street_rehabilitation", [(LineString((STREET_E + 300, BACAU_N - 500), (STREET_E + 300, BACAU_N + 500)),
                                          {"name": "Strada Ștefan cel Mare", "rehabilitated_on": rehab}),
                                         (LineString((STREET_E + 600, BACAU_N - 500), (STREET_E + 600, BACAU_N + 500)),
                                          {"name": "Strada Veche", "rehabilitated_on": "2010-05-01"})],
               slug="street-rehab")
    reviewers = {}
    for code in ("primaria-bacau-drumuri", "delgaz-grid-gaz", "crab-bacau", "ipj-bacau-rutiera"):
        reviewers[code] = User.objects.create_user(username=f"rev-{code}", password="x-secret-pass-1",
                                                   role=User.Role.REVIEWER, institution=Institution.objects.get(code=code))
    return reviewers


def trench(e: float = STREET_E, n0: float = BACAU_N - 20, n1: float = BACAU_N + 30) -> dict:
    return {"type": "LineString", "coordinates": [[e, n0], [e, n1]]}


def excavation_request(api, user, *, geometry=None, width="1.00", starts=14, days=14, closed=False, submit=True):
    client = api(user)
    payload = {"kind": "excavation", "applicant_type": "company", "applicant_name": "Delgaz Grid SA",
               "applicant_id_code": VALID_CUI, "works_description": "Înlocuire branșament gaze",
               "excavation_crs": "EPSG:3844",
               "excavation": {"geometry": geometry or trench(), "width_m": width, "street": "Strada Mărăști",
                              "starts_on": (TODAY + timedelta(days=starts)).isoformat(),
                              "ends_on": (TODAY + timedelta(days=starts + days)).isoformat(), "roadway_closed": closed}}
    response = client.post("/api/v1/applications/", payload, format="json")
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    up = client.post(f"/api/v1/applications/{pk}/documents/", {"doc_type": "plan_situatie", "file": pdf_upload()},
                     format="multipart")
    assert up.status_code == 201, up.json()
    if submit:
        response = client.post(f"/api/v1/applications/{pk}/submit/")
        assert response.status_code == 200, response.json()
    return client, pk


def required_codes(pk: int) -> set[str]:
    result = Application.objects.get(pk=pk).analysis_result
    return {a["institution"]["code"] for a in result["required_avize"]}


def act(api, user, pk, action, **extra):
    return api(user).post(f"/api/v1/applications/{pk}/transitions/", {"action": action, **extra}, format="json")


def authorise(api, cast, reviewers, pk):
    """Clerk accepts, records the fee and the guarantee, asks the avize; every institution agrees; the chief issues."""
    from permits import excavations

    carol, erin = cast["carol"], cast["erin"]
    assert act(api, carol, pk, "accept").status_code == 200
    app = Application.objects.get(pk=pk)
    paid = api(carol).post(f"/api/v1/applications/{pk}/payments/", {"amount_ron": str(app.fee_ron),
                                                                   "reference": f"CH-{pk}"}, format="json")
    assert paid.status_code in (200, 201), paid.json()
    excavations.guarantee_record(application=app, by=carol)
    assert act(api, carol, pk, "request_avize").status_code == 200
    for request in AvizRequest.objects.filter(application_id=pk, live=True).select_related("institution"):
        aviz_answer(request=request, by=reviewers[request.institution.code], outcome="favourable")
    assert Application.objects.get(pk=pk).status == "in_review"
    return act(api, erin, pk, "issue")


def test_a_trench_across_the_gas_and_water_mains_needs_exactly_their_operators_and_the_street_administrator(
        api, cast, street_with_networks):
    _, pk = excavation_request(api, cast["alice"])
    assert required_codes(pk) == {"primaria-bacau-drumuri", "delgaz-grid-gaz", "crab-bacau"}
    _, closed = excavation_request(api, cast["alice"], closed=True, starts=200)
    assert required_codes(closed) == {"primaria-bacau-drumuri", "delgaz-grid-gaz", "crab-bacau", "ipj-bacau-rutiera"}
    # A trench on the street south of both mains crosses neither network.
    _, south = excavation_request(api, cast["alice"], geometry=trench(n0=BACAU_N - 200, n1=BACAU_N - 150), starts=300)
    assert required_codes(south) == {"primaria-bacau-drumuri"}


def test_fee_and_guarantee_are_per_square_metre_of_the_dug_area(api, cast, street_with_networks):
    _, pk = excavation_request(api, cast["alice"], width="0.80")
    app = Application.objects.get(pk=pk)
    exc = app.excavation
    assert exc.area_m2 == Decimal("40.00")  # 50 m × 0.80 m, flat ends
    assert abs(exc.geom.area - 40.0) < 0.01 and exc.geom.srid == 3844
    assert app.fee_ron == Decimal("280.00")  # 7 lei/m² [U default]
    assert exc.guarantee_ron == Decimal("6000.00")  # 150 lei/m² [U default]
    from permits.models import FeeSchedule

    FeeSchedule.objects.create(uat=cast["uat_a"], cu_bands=[[None, 14]], council_decision="12/2026",
                               excavation_per_m2=Decimal("10"), excavation_guarantee_per_m2=Decimal("200"))
    _, other = excavation_request(api, cast["alice"], width="0.80", starts=100)
    other_app = Application.objects.get(pk=other)
    assert (other_app.fee_ron, other_app.excavation.guarantee_ron) == (Decimal("400.00"), Decimal("8000.00"))


def test_dig_once_flags_and_guards_an_overlap_in_the_same_weeks_and_accepts_it_moved(api, cast, street_with_networks):
    reviewers = street_with_networks
    _, first = excavation_request(api, cast["alice"])
    assert authorise(api, cast, reviewers, first).status_code == 200
    first_number = Application.objects.get(pk=first).act.numbering
    # Bob's trench 3 m beside Alice's, in the same weeks: allowed to submit but flagged, not issuable.
    _, second = excavation_request(api, cast["bob"], geometry=trench(e=STREET_E + 3), starts=20)
    conflicts = Application.objects.get(pk=second).excavation.conflicts
    assert [(c["kind"], c["application_id"], c["number"], c["holder"]) for c in conflicts] == [
        ("excavation", first, first_number, "Delgaz Grid SA")]
    response = authorise(api, cast, reviewers, second)
    assert response.status_code == 400 and "dig_once_resolved" not in response.json()  # reasons, not guard names
    assert Application.objects.get(pk=second).status == "in_review"
    # Moved in time (after Alice's dig ends): no conflict, issued.
    _, later = excavation_request(api, cast["bob"], geometry=trench(e=STREET_E + 3), starts=40)
    assert Application.objects.get(pk=later).excavation.conflicts == []
    assert authorise(api, cast, reviewers, later).status_code == 200
    # Moved in space (200 m south, same weeks): no conflict.
    _, south = excavation_request(api, cast["bob"], geometry=trench(n0=BACAU_N - 240, n1=BACAU_N - 200), starts=20)
    assert Application.objects.get(pk=south).excavation.conflicts == []
    # The clerk records the overlap as coordinated (a written reason): then the chief may issue.
    assert act(api, cast["carol"], second, "coordinate_conflicts").status_code == 400  # reason required
    assert act(api, cast["carol"], second, "coordinate_conflicts",
               reason="Lucrări comune cu Delgaz, un singur șanț").status_code == 200
    assert act(api, cast["erin"], second, "issue").status_code == 200
    assert Application.objects.get(pk=second).excavation.coordinated_by == cast["carol"]


def test_the_clerk_may_refuse_an_overlapping_request(api, cast, street_with_networks):
    _, first = excavation_request(api, cast["alice"])
    assert authorise(api, cast, street_with_networks, first).status_code == 200
    _, second = excavation_request(api, cast["bob"], starts=10)
    assert Application.objects.get(pk=second).excavation.conflicts
    assert act(api, cast["carol"], second, "refuse", reason="Se suprapune cu săpătura autorizată").status_code == 200
    assert Application.objects.get(pk=second).status == "refused"


def test_a_street_rehabilitated_within_the_moratorium_is_flagged_and_the_years_are_per_issuer(
        api, cast, street_with_networks):
    recent = trench(e=STREET_E + 300)
    _, pk = excavation_request(api, cast["alice"], geometry=recent)
    conflicts = Application.objects.get(pk=pk).excavation.conflicts
    assert [(c["kind"], c["street"], c["moratorium_years"]) for c in conflicts] == [
        ("moratorium", "Strada Ștefan cel Mare", 5)]
    _, old = excavation_request(api, cast["alice"], geometry=trench(e=STREET_E + 600), starts=60)
    assert Application.objects.get(pk=old).excavation.conflicts == []  # rehabilitated in 2010
    ExcavationPolicy.objects.create(issuer=cast["issuer_a"], moratorium_years=1)
    _, after = excavation_request(api, cast["alice"], geometry=recent, starts=90)
    assert Application.objects.get(pk=after).excavation.conflicts == []


def test_the_life_of_an_excavation_to_the_restoration_accepted_and_the_public_register(
        api, cast, street_with_networks, client):
    from permits import excavations

    owner, pk = excavation_request(api, cast["alice"], closed=True)
    assert client.get("/api/v1/public/excavations/").json()["features"] == []
    assert "Strada Mărăști" not in client.get("/excavations/").content.decode()
    assert authorise(api, cast, street_with_networks, pk).status_code == 200
    app = Application.objects.get(pk=pk)
    assert (app.status, app.act.register, app.valid_until) == ("issued", "excavation", app.excavation.ends_on)
    layer = client.get("/api/v1/public/excavations/").json()
    assert [f["properties"]["number"] for f in layer["features"]] == [app.act.numbering]
    props = layer["features"][0]["properties"]
    assert set(props) == {"number", "holder", "street", "starts_on", "ends_on", "purpose", "status", "roadway_closed"}
    assert layer["features"][0]["geometry"]["type"] == "MultiPolygon"
    page = client.get("/excavations/").content.decode()
    assert app.act.numbering in page and "Delgaz Grid SA" in page and VALID_CUI not in page
    assert client.get(f"/verify/{app.act.verify_code}").status_code == 200

    assert act(api, cast["alice"], pk, "excavation_start").status_code == 200
    assert act(api, cast["alice"], pk, "excavation_end").status_code == 200
    assert act(api, cast["alice"], pk, "accept_restoration").status_code == 403  # the administrator's clerk decides
    assert act(api, cast["carol"], pk, "reject_restoration", reason="Asfalt denivelat").status_code == 200
    assert Application.objects.get(pk=pk).status == "works_ended"
    assert act(api, cast["carol"], pk, "accept_restoration").status_code == 200
    app = Application.objects.get(pk=pk)
    assert app.status == "closed"
    assert list(app.events.values_list("action", flat=True))[-4:] == [
        "excavation_start", "excavation_end", "reject_restoration", "accept_restoration"]
    exc = excavations.guarantee_release(application=app, by=cast["carol"])
    assert exc.guarantee_released_at is not None
    assert client.get("/api/v1/public/excavations/").json()["features"] == []


def test_works_cannot_start_after_the_permit_expired(api, cast, street_with_networks):
    _, pk = excavation_request(api, cast["alice"])
    assert authorise(api, cast, street_with_networks, pk).status_code == 200
    Application.objects.filter(pk=pk).update(valid_until=date(2020, 1, 1))
    response = act(api, cast["alice"], pk, "excavation_start")
    assert response.status_code == 400
    assert Application.objects.get(pk=pk).status == "issued"


def test_the_clerk_records_the_guarantee_on_the_request_page_and_the_queue_flags_the_overlap(
        api, cast, street_with_networks, client):
    _, first = excavation_request(api, cast["alice"])
    assert authorise(api, cast, street_with_networks, first).status_code == 200
    _, second = excavation_request(api, cast["bob"], starts=10)
    otp_login(client, cast["carol"])
    queue = client.get("/staff/queue/?view=all").content.decode()
    assert queue.count('class="badge due-soon dig-once"') == 1  # the overlapping request only
    page = client.get(f"/requests/{second}/").content.decode()
    assert 'id="dig-once-conflicts"' in page and Application.objects.get(pk=first).act.numbering in page
    otp_login(client, cast["bob"])  # the applicant cannot record his own guarantee
    assert client.post(f"/requests/{second}/guarantee/", {"op": "record"}).status_code == 403
    otp_login(client, cast["dave"])  # another issuer's clerk does not see the request
    assert client.post(f"/requests/{second}/guarantee/", {"op": "record"}).status_code == 404
    assert Application.objects.get(pk=second).excavation.guarantee_paid_at is None
    otp_login(client, cast["carol"])
    assert client.post(f"/requests/{second}/guarantee/", {"op": "record"}).status_code == 302
    assert Application.objects.get(pk=second).excavation.guarantee_paid_at is not None
