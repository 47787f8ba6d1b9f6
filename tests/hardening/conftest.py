"""Fixtures of the hardening tests: private media, signing, and a realistic world owned by alice.

`world` builds, through the real services, the objects others must not see: alice's CU application
(submitted, with documents, an analysis), her AC with aviz requests addressed to two institutions
(culture, which answered, and electricity, which has not),
alice's analysis and alice's in-app notifications.
"""
from __future__ import annotations

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _signing_media_and_fresh_cache(signing):
    # Throttle counters live in the cache (lockout rows in the test transaction): each test starts from zero.
    cache.clear()
    yield
    cache.clear()


# Personal data of alice's that no one else may ever read (searched for in every foreign response body).
ALICE_CNP = "1800101040017"
ALICE_ADDRESS = "Strada Tainică 13, Bacău"
ALICE_EMAIL = "alice.private@example.ro"
ALICE_DOC_NAME = "alice-plan-privat.pdf"
SECRETS = (ALICE_CNP, ALICE_ADDRESS, ALICE_EMAIL, ALICE_DOC_NAME)


def _pdf_upload(name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.permits.conftest import pdf_bytes

    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


@pytest.fixture
def world(cast, parcel_factory):
    """Alice's issued CU, her AC in the avize stage (culture consulted), its documents, her analysis
    and her in-app notifications, all made by the real services (permits, avize, rules, notifications)."""
    from django.contrib.gis.geos import Point

    from avize.models import AvizRequest
    from avize.services import aviz_answer
    from layers.models import Feature, Layer
    from layers.services import layer_version_publish, layer_version_start
    from notifications.models import Notification
    from permits import services
    from permits.choices import REQUIRED_DOCUMENTS
    from rules.services import analysis_create, rules_load_csv
    from tests.conftest import BACAU_E, BACAU_N

    rules_load_csv()
    pe, pn = BACAU_E + 100, BACAU_N + 100
    # A listed monument 50 m from the parcel: rule R2 requires the culture institution's aviz.
    layer = Layer.objects.create(slug="lmi", name="LMI", kind=Layer.Kind.CONSTRAINT, theme="lmi_monument")
    version = layer_version_start(layer=layer)
    Feature.objects.create(version=version, source_id="m1", name="Monument", attrs={"lmi_code": "BC-II-m-B-00845"},
                           geom=Point(pe + 70, pn + 10, srid=3844))
    layer_version_publish(version=version)
    # A transformer station 5 m west of the parcel: rule R15 also requires the electricity operator's aviz.
    power = Layer.objects.create(slug="posturi", name="Posturi de transformare", kind=Layer.Kind.CONSTRAINT,
                                 theme="transformer_station_fence")
    power_version = layer_version_start(layer=power)
    Feature.objects.create(version=power_version, source_id="pt1", name="PT 12", attrs={},
                           geom=Point(pe - 5, pn + 10, srid=3844))
    layer_version_publish(version=power_version)
    parcel = parcel_factory(e=pe, n=pn, size=20)
    alice, carol, erin = cast["alice"], cast["carol"], cast["erin"]
    person = {"applicant_type": "person", "applicant_name": "Alice Popescu", "applicant_id_code": ALICE_CNP,
              "applicant_address": ALICE_ADDRESS, "applicant_email": ALICE_EMAIL}

    def documents(app, kind):
        for i, doc_type in enumerate(REQUIRED_DOCUMENTS[kind]):
            services.document_add(application=app, by=alice, doc_type=doc_type,
                                  upload=_pdf_upload(ALICE_DOC_NAME if i == 0 else f"{doc_type}.pdf"))

    cu = services.application_create(by=alice, data={
        "kind": "cu", **person, "parcel_ids": [parcel.pk], "purpose": "construire", "works_kind": "building",
        "works_description": "Locuință P+1"})
    documents(cu, "cu")
    services.application_submit(application=cu, by=alice)
    services.application_act(application=cu, action="accept", by=carol)
    services.payment_record(application=cu, by=carol, amount_ron=cu.fee_ron or 9, reference="CU-1")
    services.application_act(application=cu, action="issue", by=erin, validity_months=12)

    ac = services.application_create(by=alice, data={
        "kind": "ac", **person, "based_on": cu.pk, "works_kind": "building", "works_description": "Locuință P+1",
        "works_value_ron": 300000, "residential": True, "works_levels": 2, "works_height_m": 7.5})
    documents(ac, "ac")
    services.application_submit(application=ac, by=alice)
    services.application_act(application=ac, action="accept", by=carol)
    services.application_act(application=ac, action="request_avize", by=carol)
    cu.refresh_from_db()
    # Two institutions consulted on one application (issue 14 item 10): each sees only its own answer.
    assert set(AvizRequest.objects.filter(application=ac).values_list("institution__code", flat=True)) == {
        cast["culture"].code, cast["electricity"].code}
    aviz = AvizRequest.objects.get(application=ac, institution=cast["culture"])
    # Culture answers (a signed PDF); electricity has not answered yet, so the AC stays in the avize stage.
    aviz_answer(request=aviz, by=cast["frank"], outcome="favourable_with_conditions",
                conditions=["Supraveghere arheologică pe durata săpăturilor."], number="DJC-1")
    aviz.refresh_from_db()
    ac.refresh_from_db()
    analysis = analysis_create(parcels=[parcel.pk], by=alice)
    notes = Notification.objects.filter(user=alice, channel=Notification.Channel.IN_APP)
    assert notes.exists()
    return {**cast, "parcel": parcel, "cu": cu, "ac": ac, "aviz": aviz, "analysis": analysis,
            "document": ac.documents.get(original_name=ALICE_DOC_NAME), "notification": notes.first(),
            "act": cu.act}
