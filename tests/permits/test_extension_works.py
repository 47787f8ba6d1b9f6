"""Law 50/1991 art. 7(7): the holder may ask to extend an AC/AD when the works cannot be started OR cannot be
finished by the deadline. An AC whose works are under way is extended like one whose works have not started;
one whose works have ended (or were received) has nothing left to extend."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from permits import services, works
from permits.choices import ApplicantType, Kind, Status
from permits.extensions import extendable
from permits.models import Application, IssuedAct
from tests.helpers import otp_login
from tests.permits.conftest import VALID_CNP, pdf_upload
from web import selectors
from web.views.investor import next_steps
from workdays.calendar import add_months

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued_ac(cast, parcel_factory):
    """issued_ac(valid_for_days=300): an AC issued after Law 176/2022, fee 1,500 lei."""

    def make(*, valid_for_days: int = 300, issued_on: date | None = None) -> Application:
        today = timezone.localdate()
        ac = Application.objects.create(
            owner=cast["alice"], uat=cast["uat_a"], issuer=cast["issuer_a"], kind=Kind.AC, status=Status.ISSUED,
            applicant_type=ApplicantType.PERSON, applicant_name="Alice Popescu", applicant_id_code=VALID_CNP,
            works_description="Locuință P+1", works_value_ron=Decimal("300000"), residential=True,
            fee_ron=Decimal("1500.00"), paid_at=timezone.now(), valid_until=today + timedelta(days=valid_for_days))
        ac.parcels.add(parcel_factory())
        IssuedAct.objects.create(application=ac, register="ac_ad", number=Application.objects.count(),
                                 year=today.year, issued_on=issued_on or today - timedelta(days=60),
                                 issued_by=cast["erin"], sha256="0" * 64)
        return ac

    return make


def _start(ac, alice, months: int = 18) -> None:
    works.works_start_announce(application=ac, by=alice, start_date=timezone.localdate(), duration_months=months,
                               contractor_name="Construct SRL", documents=[pdf_upload("cote-isc.pdf")])
    ac.refresh_from_db()


def _extension(ac, alice) -> Application:
    ext = services.application_create(by=alice, data={"kind": Kind.AC_EXTENSION, "applicant_type": "person",
                                                      "applicant_name": "Alice Popescu",
                                                      "applicant_id_code": VALID_CNP, "based_on": ac.pk})
    services.document_add(application=ext, by=alice, doc_type="cerere", upload=pdf_upload())
    return ext


def test_the_guard_allows_an_issued_or_started_ac_and_not_one_ended_closed_or_expired(cast, issued_ac):
    ac = issued_ac()
    assert extendable(ac)
    for status in (Status.WORKS_STARTED,):
        ac.status = status
        assert extendable(ac), status
    for status in (Status.WORKS_ENDED, Status.CLOSED, Status.EXPIRED, Status.REFUSED):
        ac.status = status
        assert not extendable(ac), status


def test_an_ac_with_works_under_way_is_extended_and_the_works_get_the_extra_time(cast, issued_ac):
    alice = cast["alice"]
    ac = issued_ac()
    _start(ac, alice, months=18)
    assert ac.status == Status.WORKS_STARTED
    end_due = ac.works.end_due
    ext = _extension(ac, alice)
    services.application_submit(application=ext, by=alice)  # refused before the fix: "needs the issued act"
    services.application_act(application=ext, action="accept", by=cast["carol"])
    ext.refresh_from_db()
    assert ext.fee_ron == Decimal("0.00")  # free since Law 176/2022
    services.application_act(application=ext, action="issue", by=cast["erin"], validity_months=24)
    ac.refresh_from_db()
    ext.refresh_from_db()
    # The extended validity applies to the act, as for an AC not yet started; the works are still under way
    # and may now end 24 months later than first authorised.
    assert ac.status == Status.WORKS_STARTED and ac.extended
    assert ac.valid_until == add_months(end_due, 24) == ext.valid_until
    assert ac.works.end_due == add_months(end_due, 24) and ac.works.duration_months == 18 + 24


def test_for_started_works_the_request_is_due_45_working_days_before_the_end_of_works(cast, issued_ac):
    """Once the works started, the AC holds for the authorised execution (art. 7(5)): the term that the
    extension carries is the end of works, even if the term to start has passed."""
    alice = cast["alice"]
    ac = issued_ac(valid_for_days=300)
    _start(ac, alice, months=1)  # ends in a month: less than 45 working days away
    with pytest.raises(ValidationError) as late:
        services.application_submit(application=_extension(ac, alice), by=alice)
    assert "trebuia cerută până la" in str(late.value.message_dict["based_on"])

    roomy = issued_ac(valid_for_days=300)
    _start(roomy, alice, months=24)
    # The term to start has passed since: the works under way keep the AC alive, and extendable.
    Application.objects.filter(pk=roomy.pk).update(valid_until=timezone.localdate() - timedelta(days=1))
    roomy.refresh_from_db()
    submitted = services.application_submit(application=_extension(roomy, alice), by=alice)
    assert submitted.status == Status.SUBMITTED


def test_an_ac_whose_works_ended_is_refused_with_a_clear_message_in_both_languages(cast, issued_ac):
    alice = cast["alice"]
    ac = issued_ac()
    _start(ac, alice)
    works.works_end_announce(application=ac, by=alice, end_date=timezone.localdate(), final_value_ron=300000)
    ac.refresh_from_db()
    assert ac.status == Status.WORKS_ENDED and not extendable(ac)
    ext = _extension(ac, alice)
    with override("ro"), pytest.raises(ValidationError) as ro:
        services.application_submit(application=ext, by=alice)
    assert ro.value.message_dict["based_on"] == [
        "Lucrările autorizate prin acest act s-au terminat: nu mai există un termen de prelungit."]
    with override("en"), pytest.raises(ValidationError) as en:
        services.application_submit(application=ext, by=alice)
    assert en.value.message_dict["based_on"] == [
        "The works authorised by this act have ended: there is no term left to extend."]


def test_the_wizard_and_the_request_page_offer_the_extension_of_a_started_ac_only(cast, issued_ac):
    alice = cast["alice"]
    issued, started, ended = issued_ac(), issued_ac(), issued_ac()
    _start(started, alice)
    _start(ended, alice)
    works.works_end_announce(application=ended, by=alice, end_date=timezone.localdate(), final_value_ron=300000)
    ended.refresh_from_db()
    bases = {b.pk for b in selectors.issued_acts(alice, (Kind.AC, Kind.AD))}
    assert bases == {issued.pk, started.pk}
    assert [s["id"] for s in next_steps(started, alice)] == ["start-ac-extension"]
    assert next_steps(ended, alice) == []
    # A CU is based on an issued CU only (a CU has no works: nothing else changes for it).
    assert selectors.issued_acts(alice, (Kind.CU,)) == []

    client = Client()
    otp_login(client, alice)
    page = client.get(reverse("web:request-new", args=[Kind.AC_EXTENSION]) + f"?based_on={started.pk}")
    assert page.status_code == 200 and page.context["based_on"] == started.pk
    # The list says until when each act holds: for the AC under way, the end of its works.
    assert {b.pk: b.term for b in page.context["bases"]} == {issued.pk: issued.valid_until,
                                                             started.pk: started.works.end_due}
