"""Concurrency, with real threads each on its own database connection (transaction=True tests)."""
from __future__ import annotations

import pytest
from django.db import transaction

from gis_portal.api.exceptions import StateConflict
from permits import services
from permits.choices import REQUIRED_DOCUMENTS
from permits.models import Application, RegisterCounter
from permits.numbering import next_number
from permits.workflow import transition
from tests.conftest import BACAU_E, BACAU_N
from tests.helpers import run_in_threads
from tests.permits.conftest import draft_payload, pdf_upload

pytestmark = pytest.mark.django_db(transaction=True)


def _ready_draft(user, parcel):
    app = services.application_create(by=user, data={**draft_payload([parcel]), "parcel_ids": [parcel.pk]})
    for doc_type in REQUIRED_DOCUMENTS["cu"]:
        services.document_add(application=app, by=user, doc_type=doc_type, upload=pdf_upload())
    return app


def test_concurrent_registrations_get_unique_gapless_numbers(cast, parcel_factory, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    drafts = [_ready_draft(cast["alice"], parcel_factory(e=BACAU_E + 30 * i, n=BACAU_N)) for i in range(8)]
    results = run_in_threads([lambda a=a: services.application_submit(application=a, by=cast["alice"])
                              for a in drafts])
    assert all(isinstance(r, Application) for r in results), results
    numbers = sorted(Application.objects.values_list("registration_number", flat=True))
    assert numbers == list(range(1, 9))


class Rollback(Exception):
    pass


def test_a_rolled_back_registration_gives_its_number_back(territory):
    issuer = territory["issuer_a"].pk

    def take(i):
        try:
            with transaction.atomic():
                number = next_number(issuer_id=issuer, year=2026, register="cu")
                if i % 3 == 0:
                    raise Rollback
                return number
        except Rollback:
            return None

    results = run_in_threads([lambda i=i: take(i) for i in range(12)])
    kept = sorted(r for r in results if r is not None)
    assert kept == list(range(1, 9))  # 12 attempts, 4 rolled back: 1..8 and no gap
    assert RegisterCounter.objects.get(issuer_id=issuer, year=2026, register="cu").last_number == 8


def test_two_concurrent_transitions_one_wins_the_other_gets_409(cast, parcel_factory, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    app = _ready_draft(cast["alice"], parcel_factory())
    services.application_submit(application=app, by=cast["alice"])
    results = run_in_threads([
        # Both act on what they saw (submitted): without expected_status, "refuse" is also valid from
        # in_review, so an accept that wins the race would let the refusal through as well (flaky).
        lambda: transition(application=app.pk, action="accept", by=cast["carol"], expected_status="submitted"),
        lambda: transition(application=app.pk, action="refuse", by=cast["erin"], reason="Documentație incompletă",
                           expected_status="submitted"),
    ])
    winners = [r for r in results if isinstance(r, Application)]
    losers = [r for r in results if isinstance(r, StateConflict)]
    assert len(winners) == 1 and len(losers) == 1, results
    final = Application.objects.get(pk=app.pk)
    assert final.status == winners[0].status
    # submit, the automatic assignment to a clerk, and the single winning transition
    won = "accept" if final.status == "in_review" else "refuse"
    assert list(final.events.order_by("id").values_list("action", flat=True)) == ["submit", "assign", won]
