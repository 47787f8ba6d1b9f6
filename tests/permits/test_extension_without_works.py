"""An extension (F.7 / F.12) is a request on an issued act: the same parcels and works, nothing new to analyse.
Submitting one declares no works, runs no rules analysis (nothing to warn about or block on) and goes to the
authority that issued the act; the extension regime (one extension, the request deadline) still applies, with
its messages in the applicant's language."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from permits import services
from permits.choices import ApplicantType, DocType, Kind, Status
from permits.models import Application, IssuedAct
from tests.permits.conftest import VALID_CNP, pdf_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued_ac(cast, parcel_factory):
    """issued_ac(valid_for_days): an issued AC (Law 176/2022 regime) with works, a footprint and an analysis."""

    def make(valid_for_days: int = 300) -> Application:
        parcel = parcel_factory()
        ac = Application.objects.create(
            owner=cast["alice"], uat=cast["uat_a"], issuer=cast["issuer_a"], kind=Kind.AC, status=Status.ISSUED,
            applicant_type=ApplicantType.PERSON, applicant_name="Alice Popescu", applicant_id_code=VALID_CNP,
            works_description="Locuință P+1", works_levels=2, works_height_m=Decimal("8.5"),
            works_value_ron=Decimal("300000"), fee_ron=Decimal("1500.00"),
            works_footprint=MultiPolygon(Polygon.from_bbox(parcel.geom.extent), srid=parcel.geom.srid),
            analysis_result={"compliance": {"checks": [{"name": "pot", "ok": False}]}},
            valid_until=timezone.localdate() + timedelta(days=valid_for_days))
        ac.parcels.add(parcel)
        IssuedAct.objects.create(application=ac, register="ac_ad", number=1, year=2025, issued_on=date(2025, 9, 1),
                                 issued_by=cast["carol"], sha256="0" * 64)
        return ac

    return make


def _extension(cast, ac, **extra) -> Application:
    ext = services.application_create(by=cast["alice"], data={
        "kind": Kind.AC_EXTENSION, "applicant_type": "person", "applicant_name": "Alice Popescu",
        "applicant_id_code": VALID_CNP, "based_on": ac.pk, **extra})
    services.document_add(application=ext, by=cast["alice"], doc_type=DocType.CERERE, upload=pdf_upload())
    return ext


def test_an_extension_is_submitted_without_works_and_without_a_rules_analysis(cast, issued_ac, monkeypatch):
    ac = issued_ac()

    def no_analysis(**kwargs):
        raise AssertionError("an extension runs no rules analysis")

    monkeypatch.setattr(services, "analysis_run", no_analysis)
    ext = _extension(cast, ac)
    submitted = services.application_submit(application=ext, by=cast["alice"])
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED and submitted.registration_number is not None
    # The authority that issued the act extends it; the parcels are the act's; nothing of the works is declared.
    assert submitted.issuer_id == ac.issuer_id
    assert list(submitted.parcels.all()) == list(ac.parcels.all())
    assert submitted.analysis_id is None and not submitted.analysis_result
    assert submitted.works_description == "" and submitted.works_levels is None and submitted.works_footprint is None
    assert submitted.fee_ron == Decimal("0.00")


def test_an_extension_keeps_the_parcels_and_works_of_the_act_whatever_the_client_sends(cast, issued_ac, parcel_factory):
    ac = issued_ac()
    other = parcel_factory()
    ext = _extension(cast, ac, parcel_ids=[other.pk], works_description="Altă clădire", works_levels=9)
    services.application_update(application=ext, by=cast["alice"], data={"parcel_ids": [other.pk], "works_height_m": 30})
    ext.refresh_from_db()
    assert list(ext.parcels.all()) == list(ac.parcels.all())
    assert ext.works_description == "" and ext.works_levels is None and ext.works_height_m is None


def test_the_extension_regime_still_applies_with_its_messages_translated(cast, issued_ac):
    late = issued_ac(valid_for_days=20)  # under Law 176/2022 the request is due 45 working days ahead
    ext = _extension(cast, late)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.application_submit(application=ext, by=cast["alice"])
    assert "had to be requested by" in str(refused.value.message_dict["based_on"])
    with translation.override("ro"), pytest.raises(ValidationError) as refused:
        services.application_submit(application=ext, by=cast["alice"])
    assert "trebuia cerută până la" in str(refused.value.message_dict["based_on"])


def test_a_non_extension_still_runs_the_rules_analysis(cast, cu_draft, monkeypatch):
    ran = []
    real = services.analysis_run
    monkeypatch.setattr(services, "analysis_run", lambda **kw: ran.append(kw) or real(**kw))
    cu = Application.objects.get(pk=cu_draft()[1])
    services.application_submit(application=cu, by=cu.owner)
    assert len(ran) == 1
    cu.refresh_from_db()
    assert cu.analysis_id is not None and cu.analysis_result
