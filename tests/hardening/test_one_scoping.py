"""One scoping selector for applications (permits.selectors.applications_visible_to): every user sees
exactly the same applications through the REST API, the web pages and the avize app."""
from __future__ import annotations

import pytest
from django.test import Client

from permits import services
from tests.helpers import otp_login
from web.selectors import applications_for

pytestmark = pytest.mark.django_db
USERS = ("alice", "bob", "carol", "dave", "erin", "frank", "grace", "root")


@pytest.fixture
def applications(world, cast, parcel_factory):
    """world's issued CU and AC (culture consulted), plus a draft of bob's in carol's issuer (private
    to bob until registered) and a submitted CU of bob's in dave's issuer."""
    person = {"applicant_type": "person", "applicant_name": "Bob Ionescu", "applicant_id_code": "1800101040017",
              "applicant_address": "Strada Mare 1, Hemeiuș", "applicant_email": "bob@example.ro"}
    draft = services.application_create(by=cast["bob"], data={
        "kind": "cu", **person, "parcel_ids": [world["parcel"].pk], "purpose": "construire",
        "works_kind": "building", "works_description": "Garaj"})
    elsewhere = parcel_factory(uat=cast["uat_b"], e=world["parcel"].geom.centroid.x - 4000,
                               n=world["parcel"].geom.centroid.y, size=20)
    submitted = services.application_create(by=cast["bob"], data={
        "kind": "cu", **person, "parcel_ids": [elsewhere.pk], "purpose": "informare", "works_kind": "building",
        "works_description": "Informare"})
    from permits.choices import REQUIRED_DOCUMENTS
    from tests.hardening.conftest import _pdf_upload

    for doc_type in REQUIRED_DOCUMENTS["cu"]:
        services.document_add(application=submitted, by=cast["bob"], doc_type=doc_type,
                              upload=_pdf_upload(f"{doc_type}.pdf"))
    services.application_submit(application=submitted, by=cast["bob"])
    return {"cu": world["cu"].pk, "ac": world["ac"].pk, "draft": draft.pk, "bob_submitted": submitted.pk}


def _api_list(api, user) -> set[int]:
    ids, url = set(), "/api/v1/applications/?page_size=100"
    while url:
        response = api(user).get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        rows = body["results"] if isinstance(body, dict) else body
        ids |= {row["id"] for row in rows}
        url = body.get("next") if isinstance(body, dict) else None
    return ids


def test_each_user_sees_the_same_applications_through_api_web_and_avize(applications, cast, api):
    from avize.models import AvizRequest

    every = set(applications.values())

    def consulted(institution) -> set[int]:
        return set(AvizRequest.objects.filter(institution=institution).values_list("application_id", flat=True)) & every

    assert consulted(cast["culture"]) == {applications["ac"]}
    expected = {
        "alice": {applications["cu"], applications["ac"]},
        "bob": {applications["draft"], applications["bob_submitted"]},
        "carol": {applications["cu"], applications["ac"]},  # not bob's draft in her issuer
        "erin": {applications["cu"], applications["ac"]},
        "dave": {applications["bob_submitted"]},
        "frank": consulted(cast["culture"]),  # culture was consulted on the AC only
        "grace": consulted(cast["electricity"]),  # whatever the declared works made the analysis require
        "root": every,
    }
    for name in USERS:
        user = cast[name]
        through_api = _api_list(api, user) & every
        through_web_list = set(applications_for(user).values_list("pk", flat=True)) & every
        browser = Client(raise_request_exception=False)
        otp_login(browser, user)
        # Found or not found is what is compared here (the page of an application moved by the system
        # answers 500 on main today: the "staff" engineer's fix).
        through_web_pages = {pk for pk in every if browser.get(f"/requests/{pk}/").status_code != 404}
        through_avize = {pk for pk in every if api(user).get(f"/api/v1/avize/applications/{pk}/").status_code == 200}
        assert through_api == through_web_list == through_web_pages == through_avize == expected[name], name


def test_due_soon_is_three_working_days_for_the_api_the_staff_queue_and_the_avize_inbox(applications, cast, api):
    """One definition (workdays.calendar.due_soon_until): over a weekend, a deadline 4 calendar days
    away (Friday → Tuesday) is due soon everywhere; it was not on the staff queue (3 calendar days)."""
    from datetime import date, timedelta

    from django.utils import timezone

    from avize.models import AvizRequest
    from avize.selectors import inbox_filter
    from permits.models import Application
    from web.selectors import deadline_state
    from workdays.calendar import due_soon_until

    friday = date(2026, 12, 11)
    assert due_soon_until(friday) == date(2026, 12, 16)  # Mon 14, Tue 15, Wed 16
    app = Application.objects.get(pk=applications["ac"])
    app.due_date = friday + timedelta(days=4)
    assert deadline_state(app, friday) == "due-soon"
    app.due_date = date(2026, 12, 17)
    assert deadline_state(app, friday) == ""
    asked = AvizRequest.objects.filter(application_id=app.pk).update(due_date=friday + timedelta(days=4),
                                                                    state="pending")
    assert asked >= 1 and inbox_filter(AvizRequest.objects.all(), today=friday, due_soon=True).count() == asked
    assert inbox_filter(AvizRequest.objects.all(), today=friday - timedelta(days=2), due_soon=True).count() == 0

    # The API filter, as of today: the last due-soon day is in, the day after is out.
    today = timezone.localdate()
    Application.objects.filter(pk=applications["ac"]).update(due_date=due_soon_until(today), status="in_review")
    Application.objects.filter(pk=applications["bob_submitted"]).update(
        due_date=due_soon_until(today) + timedelta(days=1))
    listed = api(cast["root"]).get("/api/v1/applications/?due_soon=true&page_size=100").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert {r["id"] for r in rows} & set(applications.values()) == {applications["ac"]}
