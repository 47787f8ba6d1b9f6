"""The workload pages through the test client: assignment settings, assignment by hand, the queue's
"mine first", the indicators page and its CSV files, and who may open them."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from accounts.models import Leave
from parcels.models import Locality
from permits import assignment
from permits.models import Application, AssignmentPolicy, AssignmentRule, TransitionEvent
from tests.helpers import otp_login


def client_for(user, language: str = "ro") -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    if user is not None:
        otp_login(client, user)
    return client


def test_assignment_settings_page(cast, clerks, registered):
    erin = client_for(cast["erin"])
    for who, status in ((clerks[0], 403), (cast["alice"], 403), (cast["frank"], 403), (cast["root"], 200)):
        assert client_for(who).get("/staff/assignment/").status_code == status, who
    page = erin.get("/staff/assignment/")
    assert page.status_code == 200 and "Clerk1 Test" in page.content.decode()
    r = erin.post("/staff/assignment/", {"action": "policy", "policy-kind": "by_locality"})
    assert r.status_code == 302
    assert AssignmentPolicy.objects.get(issuer=cast["issuer_a"]).kind == "by_locality"
    place = Locality.objects.create(siruta=9001, name="Sărata", uat=cast["uat_a"], kind="sat")
    r = erin.post("/staff/assignment/", {"action": "rule", "rule-place": f"loc:{place.pk}", "rule-clerk": clerks[3].pk})
    assert r.status_code == 302
    rule = AssignmentRule.objects.get(issuer=cast["issuer_a"])
    assert (rule.locality_id, rule.clerk_id) == (place.pk, clerks[3].pk)
    # Another issuer's clerk is not a choice.
    r = erin.post("/staff/assignment/", {"action": "rule", "rule-place": f"uat:{cast['uat_a'].pk}",
                                          "rule-clerk": cast["dave"].pk})
    assert r.status_code == 400 and AssignmentRule.objects.count() == 1
    app = registered(1)[0]
    assignment.assign_auto(application=app)  # by_locality, no address: the seat (none) → least open: clerk1
    assert Application.objects.get(pk=app.pk).assigned_to_id == clerks[0].pk
    today = timezone.localdate()
    r = erin.post("/staff/assignment/", {"action": "leave", "leave-user": clerks[0].pk, "leave-start": today,
                                          "leave-end": today + timedelta(days=3), "leave-reason": "odihnă"})
    assert r.status_code == 302
    assert Application.objects.get(pk=app.pk).assigned_to_id == clerks[1].pk
    follow = erin.get(r["Location"]).content.decode()
    assert "în concediu" in follow
    r = erin.post("/staff/assignment/", {"action": "leave", "leave-user": clerks[0].pk, "leave-start": today,
                                          "leave-end": today - timedelta(days=3)})
    assert r.status_code == 400 and "Ultima zi de concediu nu poate fi înaintea primei." in r.content.decode()
    leave = Leave.objects.get()
    assert erin.post("/staff/assignment/", {"action": "leave_delete", "leave": leave.pk}).status_code == 302
    assert erin.post("/staff/assignment/", {"action": "rule_delete", "rule": rule.pk}).status_code == 302
    assert not Leave.objects.exists() and not AssignmentRule.objects.exists()
    en = client_for(cast["erin"], "en").get("/staff/assignment/").content.decode()
    assert "Assignment of requests" in en and "Clerks and workload" in en and "Repartizare" not in en


def test_assignment_by_hand_from_the_request_page(cast, clerks, registered):
    app = registered(1)[0]
    assignment.assign_auto(application=app)
    page = client_for(cast["erin"]).get(f"/requests/{app.pk}/").content.decode()
    assert 'id="assign-form"' in page and 'id="assigned-to"' in page
    en = client_for(cast["erin"], "en").get(f"/requests/{app.pk}/").content.decode()
    assert "Assign to another clerk" in en and "Assigned to" in en and "Repartiz" not in en
    assert "Automatic assignment: In turn (round robin)." in en
    clerk_page = client_for(clerks[0]).get(f"/requests/{app.pk}/").content.decode()
    assert 'id="assign-form"' not in clerk_page and "Repartizare" in clerk_page  # the staff timeline
    applicant_page = client_for(cast["alice"]).get(f"/requests/{app.pk}/").content.decode()
    assert 'data-action="assign"' not in applicant_page and 'id="assigned-to"' not in applicant_page
    assert client_for(clerks[0]).post(f"/staff/requests/{app.pk}/assign/",
                                      {"assigned_to": clerks[2].pk, "reason": "x"}).status_code == 403
    assert client_for(cast["dave"]).post(f"/staff/requests/{app.pk}/assign/",
                                         {"assigned_to": clerks[2].pk, "reason": "x"}).status_code == 404
    r = client_for(cast["erin"]).post(f"/staff/requests/{app.pk}/assign/",
                                      {"assigned_to": clerks[2].pk, "reason": "Cunoaște zona"})
    assert r.status_code == 302
    event = TransitionEvent.objects.filter(application=app, action="assign").latest("id")
    assert (event.by_id, event.assigned_from_id, event.assigned_to_id, event.reason) == (
        cast["erin"].pk, clerks[0].pk, clerks[2].pk, "Cunoaște zona")
    page = client_for(cast["erin"]).get(f"/requests/{app.pk}/").content.decode()
    assert "Clerk1 Test → Clerk3 Test" in page and "Cunoaște zona" in page


def test_api_timeline_shows_assignments_to_staff_only(cast, clerks, registered, api):
    app = registered(1)[0]
    assignment.assign_auto(application=app)
    staff = api(cast["erin"]).get(f"/api/v1/applications/{app.pk}/timeline/").json()
    assert [(e["action"], e["assigned_to"]) for e in staff] == [("assign", "clerk1")]
    assert api(cast["alice"]).get(f"/api/v1/applications/{app.pk}/timeline/").json() == []


def test_queue_shows_mine_first_and_filters(cast, clerks, registered):
    apps = registered(4)
    for a in apps:
        assignment.assign_auto(application=a)
    mine = Application.objects.filter(assigned_to=clerks[2]).values_list("pk", flat=True)
    page = client_for(clerks[2]).get("/staff/queue/?view=all").content.decode()
    order = [int(chunk.split('"')[0]) for chunk in page.split('data-application="')[1:]]
    assert order[0] in mine and set(order) == {a.pk for a in apps}
    page = client_for(clerks[2]).get("/staff/queue/?view=all&who=mine").content.decode()
    assert [int(c.split('"')[0]) for c in page.split('data-application="')[1:]] == list(mine)


@pytest.fixture
def decided(cast, clerks, registered):
    """One request registered on 28.11.2025 and issued on 5.12.2025 by clerk 1."""
    from tests.workload.test_indicators import event

    app = registered(1, due_date=date(2025, 12, 15))[0]
    event(app, date(2025, 11, 28), "submit")
    event(app, date(2025, 11, 28), "assign", clerk=clerks[0], hour=13)
    event(app, date(2025, 12, 5), "issue", to_status="issued")
    return app


def test_indicators_page_and_csv(cast, decided):
    query = "?start=2025-12-01&end=2025-12-31"
    for who, status in (("alice", 403), ("dave", 200), ("frank", 200), ("root", 200)):
        assert client_for(cast[who]).get("/staff/indicators/" + query).status_code == status, who
    page = client_for(cast["erin"]).get("/staff/indicators/" + query).content.decode()
    assert 'id="table-issuers"' in page and 'id="chart-work"' in page and "<svg" in page
    assert "Clerk1 Test" in page
    en = client_for(cast["erin"], "en").get("/staff/indicators/" + query).content.decode()
    assert "Performance indicators" in en and "Time to resolution (working days)" in en and "Returned for completion" in en
    assert not any(word in en for word in ("Soluționate", "Funcționar", "Primite", "Descarcă", "Instituții"))
    reviewer = client_for(cast["frank"]).get("/staff/indicators/" + query).content.decode()
    assert 'id="table-issuers"' not in reviewer and 'id="table-institutions"' in reviewer
    bad = client_for(cast["erin"]).get("/staff/indicators/?start=2025-12-31&end=2025-12-01")
    assert bad.status_code == 400 and "Sfârșitul perioadei nu poate fi înaintea începutului." in bad.content.decode()
    csv_ro = client_for(cast["erin"]).get("/staff/indicators/clerks.csv" + query)
    assert csv_ro["Content-Type"] == "text/csv; charset=utf-8"
    assert csv_ro["Content-Disposition"] == 'attachment; filename="indicatori-clerks-2025-12-01-2025-12-31.csv"'
    assert csv_ro.content.decode("utf-8").splitlines() == [
        "\ufeffEmitent / departament de urbanism,Funcționar,Primite,Soluționate,În lucru la sfârșitul perioadei,"
        "Mediana (zile lucrătoare),Percentila 90 (zile lucrătoare),Soluționate în termenul legal (%),Returnate pentru completare",
        "Primarul municipiului Bacău,Clerk1 Test,0,1,0,4.0,4.0,100.0,0"]
    csv_en = client_for(cast["erin"], "en").get("/staff/indicators/issuers.csv" + query).content.decode("utf-8-sig")
    assert csv_en.splitlines() == [
        "Issuer / urbanism department,Received,Resolved,Pending at the end of the period,Median (working days),"
        "90th percentile (working days),Resolved within the legal deadline (%),Returned for completion",
        "Primarul municipiului Bacău,0,1,0,4.0,4.0,100.0,0"]
    assert client_for(cast["dave"]).get("/staff/indicators/issuers.csv" + query).content == (
        "\ufeffEmitent / departament de urbanism,Primite,Soluționate,În lucru la sfârșitul perioadei,"
        "Mediana (zile lucrătoare),Percentila 90 (zile lucrătoare),Soluționate în termenul legal (%),"
        "Returnate pentru completare\r\n").encode()  # another issuer's clerk: nothing of issuer_a
    assert client_for(cast["erin"]).get("/staff/indicators/other.csv").status_code == 404
    # An admin narrows to one issuer.
    other = client_for(cast["root"]).get(f"/staff/indicators/issuers.csv{query}&issuer={cast['issuer_b'].pk}")
    assert len(other.content.decode("utf-8-sig").splitlines()) == 1
