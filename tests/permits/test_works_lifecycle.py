"""Issue 18 point 1: the works of an issued AC — start and end notices, reminders, fee regularisation, reception."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gis_portal.api.exceptions import StateConflict
from institutions.models import Institution
from notifications.models import Notification
from permits import expiry, fees, workflow, works
from permits.choices import ApplicantType, DocType, Kind, Status
from permits.models import Application, IssuedAct, Payment, Reception, TransitionEvent
from tests.permits.conftest import VALID_CNP, pdf_upload
from workdays.calendar import add_months

pytestmark = pytest.mark.django_db


# ---- the maths (pure) ----------------------------------------------------------------------------------
def test_isc_quotas_are_0_1_and_0_5_percent_with_half_of_the_0_5_at_the_start():
    q = fees.isc_quotas("300000")
    assert (q.law_50_ron, q.law_10_ron, q.total_ron) == (Decimal("300.00"), Decimal("1500.00"), Decimal("1800.00"))
    assert (q.at_start_ron, q.at_end_ron) == (Decimal("1050.00"), Decimal("750.00"))
    odd = fees.isc_quotas("123457")  # 0.1 % = 123.457 → 123.46; 0.5 % = 617.285 → 617.29; half → 308.65 (rounded up)
    assert (odd.law_50_ron, odd.law_10_ron, odd.at_start_ron, odd.at_end_ron) == (
        Decimal("123.46"), Decimal("617.29"), Decimal("432.11"), Decimal("308.64"))


def test_regularisation_up_down_and_even_uses_the_art_474_rate_of_the_ac():
    up = fees.regularisation(final_value_ron="340000", residential=True, initial_fee_ron="1500.00")
    assert (up.regularised_fee_ron, up.difference_ron, up.direction) == (Decimal("1700.00"), Decimal("200.00"), "pay")
    down = fees.regularisation(final_value_ron="180000", residential=False, initial_fee_ron="3000.00")
    assert (down.regularised_fee_ron, down.difference_ron, down.direction) == (
        Decimal("1800.00"), Decimal("-1200.00"), "refund")
    even = fees.regularisation(final_value_ron="300000", residential=True, initial_fee_ron="1500")
    assert even.difference_ron == 0 and even.direction == "none"
    with pytest.raises(ValidationError) as bad:
        fees.regularisation(final_value_ron="-1", residential=True, initial_fee_ron="1500")
    assert "final_value_ron" in bad.value.message_dict


# ---- the lifecycle -------------------------------------------------------------------------------------
@pytest.fixture
def isc(cast):
    return Institution.objects.create(code="isc-bacau", kind="isc", county="Bacău",
                                      name="Inspectoratul Județean în Construcții Bacău", email="isc@example.ro")


@pytest.fixture
def issued_ac(cast, parcel_factory):
    """An AC issued by the other engineers' machinery (fee 1,500 lei on 300,000 lei, residential)."""

    def make(*, valid_for_days: int = 300, issued_days_ago: int = 60, value="300000", fee="1500.00",
             residential=True, kind=Kind.AC) -> Application:
        today = timezone.localdate()
        ac = Application.objects.create(
            owner=cast["alice"], uat=cast["uat_a"], issuer=cast["issuer_a"], kind=kind, status=Status.ISSUED,
            applicant_type=ApplicantType.PERSON, applicant_name="Alice Popescu", applicant_id_code=VALID_CNP,
            applicant_email="alice.contact@example.ro", applicant_address="Str. Privată 1",
            works_description="Locuință P+1", works_value_ron=Decimal(value), residential=residential,
            fee_ron=Decimal(fee), paid_at=timezone.now(), registration_number=Application.objects.count() + 1,
            registration_year=today.year,
            designer_name="Arh. Ion Ionescu", valid_until=today + timedelta(days=valid_for_days))
        ac.parcels.add(parcel_factory())
        IssuedAct.objects.create(application=ac, register="ac_ad", number=Application.objects.count(),
                                 year=today.year, issued_on=today - timedelta(days=issued_days_ago),
                                 issued_by=cast["erin"], sha256="0" * 64)
        return ac

    return make


def _start(ac, by, **kw):
    data = {"start_date": timezone.localdate(), "duration_months": 18,
            "contractor_name": "Construct SRL", "documents": [pdf_upload("cote-isc.pdf")], **kw}
    return works.works_start_announce(application=ac, by=by, **data)


def test_full_life_issued_started_ended_regularised_up_and_received(cast, issued_ac, isc):
    ac = issued_ac()
    assert "announce_start" in workflow.offered_actions(ac, cast["alice"])[0]
    assert "announce_start" not in workflow.allowed_actions(ac, cast["carol"])  # the holder announces
    with pytest.raises(PermissionDenied):
        _start(ac, cast["bob"])
    _start(ac, cast["alice"])
    ac.refresh_from_db()
    assert ac.status == Status.WORKS_STARTED
    assert ac.works.end_due == add_months(ac.works.start_date, 18) and ac.works.contractor_name == "Construct SRL"
    assert list(ac.documents.values_list("doc_type", flat=True)) == [DocType.DOVADA_COTE_ISC]
    to_isc = Notification.objects.filter(event="works_notice", institution=isc)
    assert to_isc.count() >= 1 and to_isc.first().context["notice"] == "start"
    assert to_isc.first().context["isc_quota_law_10_ron"] == "1500.00"
    assert Notification.objects.filter(event="works_notice", user=cast["carol"]).exists()
    assert TransitionEvent.objects.filter(application=ac, action="announce_start", to_status="works_started").exists()

    with pytest.raises(ValidationError) as early:  # the end before the start
        works.works_end_announce(application=ac, by=cast["alice"], end_date=ac.works.start_date - timedelta(days=1),
                                 final_value_ron="340000")
    assert "end_date" in early.value.message_dict
    ac.works.start_date = timezone.localdate() - timedelta(days=200)
    ac.works.save()
    works.works_end_announce(application=ac, by=cast["alice"], end_date=timezone.localdate(), final_value_ron="340000")
    ac.refresh_from_db()
    w = ac.works
    assert ac.status == Status.WORKS_ENDED
    assert (w.final_value_ron, w.regularised_fee_ron, w.regularisation_ron) == (
        Decimal("340000.00"), Decimal("1700.00"), Decimal("200.00"))
    assert w.regularisation_due >= timezone.localdate() + timedelta(days=15)
    assert to_isc.filter(context__notice="end").count() == 1

    with pytest.raises(PermissionDenied):
        works.works_regularisation_pay(application=ac, by=cast["alice"], reference="CH-1")
    with pytest.raises(ValidationError):
        works.works_refund_record(application=ac, by=cast["carol"], reference="OP-1")  # nothing to refund
    payment = works.works_regularisation_pay(application=ac, by=cast["carol"], reference="CH-REG-1")
    assert (payment.amount_ron, payment.purpose, payment.state) == (Decimal("200.00"), "regularisation", "paid")
    from accounts.models import AuditEntry

    assert AuditEntry.objects.get(action="payment_recorded", target_id=str(payment.pk)).changes["amount_ron"] == [
        None, "200.00"]
    with pytest.raises(ValidationError):
        works.works_regularisation_pay(application=ac, by=cast["carol"], reference="CH-REG-2")

    reception = dict(reception_date=timezone.localdate(), issuer_representative="Carol Clerk",
                     members=["Alice Popescu (investitor)", "Ing. Dan Dirigintele"], report=pdf_upload("pv.pdf"))
    with pytest.raises(PermissionDenied):
        works.works_reception_record(application=ac, by=cast["alice"], outcome="admitted", **reception)
    with pytest.raises(ValidationError) as no_remarks:
        works.works_reception_record(application=ac, by=cast["carol"], outcome="rejected", **reception)
    assert "remarks" in no_remarks.value.message_dict
    works.works_reception_record(application=ac, by=cast["carol"], outcome="rejected",
                                 remarks="Lipsește trotuarul de gardă.", **{**reception, "report": pdf_upload("pv1.pdf")})
    ac.refresh_from_db()
    assert ac.status == Status.WORKS_ENDED  # a rejected reception keeps the file open
    assert TransitionEvent.objects.filter(application=ac, action="record_reception",
                                          to_status="works_ended").count() == 1
    works.works_reception_record(application=ac, by=cast["carol"], outcome="admitted_with_remarks",
                                 remarks="Finisaje exterioare până la 30.06.", **{**reception, "report": pdf_upload("pv2.pdf")})
    ac.refresh_from_db()
    assert ac.status == Status.CLOSED
    receptions = list(Reception.objects.filter(application=ac).values_list("outcome", flat=True))
    assert receptions == ["rejected", "admitted_with_remarks"]
    r = Reception.objects.filter(application=ac).last()
    assert r.commission[0] == {"name": "Carol Clerk", "role": "reprezentantul emitentului"}
    assert r.report.doc_type == DocType.PV_RECEPTIE
    assert workflow.allowed_actions(ac, cast["carol"]) == []  # closed: nothing more


def test_regularised_down_is_a_refund_recorded_by_staff(cast, issued_ac, isc):
    ac = issued_ac(value="300000", fee="3000.00", residential=False)
    _start(ac, cast["alice"])
    works.works_end_announce(application=ac, by=cast["alice"], end_date=timezone.localdate(), final_value_ron="180000")
    ac.refresh_from_db()
    assert (ac.works.regularised_fee_ron, ac.works.regularisation_ron) == (Decimal("1800.00"), Decimal("-1200.00"))
    with pytest.raises(ValidationError):
        works.works_regularisation_pay(application=ac, by=cast["carol"], reference="CH-9")
    works.works_refund_record(application=ac, by=cast["carol"], reference="OP-77")
    ac.works.refresh_from_db()
    assert ac.works.refund_reference == "OP-77" and ac.works.refunded_at is not None
    assert not Payment.objects.filter(application=ac, purpose="regularisation").exists()
    from accounts.models import AuditEntry

    refund = AuditEntry.objects.get(action="payment_refunded", target_id=str(ac.pk))
    assert (refund.actor, refund.issuer_id, refund.changes) == (
        cast["carol"], ac.issuer_id, {"amount_ron": [None, "1200.00"], "reference": [None, "OP-77"]})


def test_a_start_after_the_validity_is_refused_in_romanian(cast, issued_ac, isc):
    late = issued_ac(valid_for_days=-1, issued_days_ago=400)
    offered, blocked = workflow.offered_actions(late, cast["alice"])
    assert "announce_start" not in offered and blocked["announce_start"] == ["start_term_open"]
    with pytest.raises(ValidationError) as refused:
        _start(late, cast["alice"])
    message = " ".join(refused.value.messages)
    assert "Termenul de începere a lucrărilor a expirat" in message
    late.refresh_from_db()
    assert late.status == Status.ISSUED and not late.documents.exists()
    # Once the expiry job ran, the act is expired and the start is a state conflict.
    expiry.applications_expire(now=timezone.now())
    late.refresh_from_db()
    assert late.status == Status.EXPIRED
    with pytest.raises(StateConflict):
        _start(late, cast["alice"])
    # A start date after the validity is refused too, next to its field.
    soon = issued_ac(valid_for_days=5)
    with pytest.raises(ValidationError) as after:
        _start(soon, cast["alice"], start_date=timezone.localdate() + timedelta(days=6))
    assert "start_date" in after.value.message_dict
    with pytest.raises(ValidationError) as no_proof:
        _start(soon, cast["alice"], documents=[])
    assert "documents" in no_proof.value.message_dict


def test_the_generic_transition_api_cannot_skip_the_works_forms(cast, issued_ac, api):
    ac = issued_ac()
    response = api(cast["alice"]).post(f"/api/v1/applications/{ac.pk}/transitions/", {"action": "announce_start"},
                                       format="json")
    assert response.status_code == 400
    ac.refresh_from_db()
    assert ac.status == Status.ISSUED


def test_reminders_are_sent_once_before_the_start_deadline_and_before_the_end_of_works(cast, issued_ac, isc):
    now = timezone.now() + timedelta(days=5)  # the works end a month after today: inside the 30-day window
    due_soon = issued_ac(valid_for_days=20)
    issued_ac(valid_for_days=90)  # outside the 30-day window
    started = issued_ac()
    _start(started, cast["alice"], duration_months=1, start_date=timezone.localdate())
    first = works.works_reminders(now=now)
    assert first == {"start": 1, "end": 1}
    assert works.works_reminders(now=now) == {"start": 0, "end": 0}
    assert works.works_reminders(now=now + timedelta(days=1)) == {"start": 0, "end": 0}
    rows = Notification.objects.filter(event="works_reminder")
    start_rows = rows.filter(context__reminder="start")
    assert set(start_rows.values_list("context__application_id", flat=True)) == {due_soon.pk}
    assert rows.filter(context__reminder="end", context__application_id=started.pk).exists()
    # One e-mail to the request's contact address and one in-app message each, no more.
    assert start_rows.filter(channel="email").count() == 1
    assert start_rows.filter(channel="email").first().address == "alice.contact@example.ro"


def test_an_ad_ends_without_regularisation(cast, issued_ac, isc):
    ad = issued_ac(kind=Kind.AD, value="20000", fee="20.00")
    _start(ad, cast["alice"])
    works.works_end_announce(application=ad, by=cast["alice"], end_date=timezone.localdate(), final_value_ron="25000")
    ad.refresh_from_db()
    assert ad.status == Status.WORKS_ENDED and ad.works.regularisation_ron is None


def test_a_cu_has_no_works(cast, issued_ac):
    cu = issued_ac(kind=Kind.CU)
    assert "announce_start" not in workflow.allowed_actions(cu, cast["alice"])
    with pytest.raises(StateConflict):
        _start(cu, cast["alice"])
