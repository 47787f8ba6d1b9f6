"""Concurrency at the scale of a busy registry: real threads, each on its own database connection.

Reuses the thread helper (tests/helpers.py) and the ready-draft builder of tests/permits (transaction=True: every
thread commits for real, so the row locks and the register counter are exercised as in production).
"""
from __future__ import annotations

import hashlib

import pytest

from permits import issuance, services
from permits.models import Application, IssuedAct, RegisterCounter, TransitionEvent
from tests.conftest import BACAU_E, BACAU_N
from tests.helpers import run_in_threads
from tests.permits.conftest import _signing_and_media, pdf_bytes  # noqa: F401  (cert + media)
from tests.permits.test_concurrency import _ready_draft

pytestmark = pytest.mark.django_db(transaction=True)

ISSUANCES = 50
THREADS = 10  # 10 connections, not 50: other suites share the cluster's max_connections


def _in_review_and_paid(cast, parcel):
    app = _ready_draft(cast["alice"], parcel)
    services.application_submit(application=app, by=cast["alice"])
    services.application_act(application=app, action="accept", by=cast["carol"])
    app.refresh_from_db()
    if app.fee_ron:
        services.payment_record(application=app, by=cast["carol"], amount_ron=app.fee_ron, reference=f"CH-{app.pk}")
    return app.pk


def test_fifty_concurrent_issuances_in_one_uat_get_the_numbers_one_to_fifty(cast, parcel_factory, monkeypatch):
    # The HTML → PDF step (WeasyPrint, ~1 s per act on CI) is replaced by a one-page PDF: the number is
    # taken before rendering and its lock held until commit, so 50 real renders would only serialise
    # a minute of CI behind the lock without exercising anything more (tests/permits renders for real).
    # Numbering, the state machine, signing, storage and the digest all run as in production.
    monkeypatch.setattr(issuance, "html_to_pdf", lambda template, context: pdf_bytes())
    # 50 parcels in a 10 × 5 grid inside the Bacău UAT: all issued by issuer_a, one register.
    pks = [_in_review_and_paid(cast, parcel_factory(e=BACAU_E - 900 + 40 * (i % 10), n=BACAU_N - 900 + 40 * (i // 10)))
           for i in range(ISSUANCES)]
    assert Application.objects.filter(pk__in=pks, status="in_review").count() == ISSUANCES

    def issue_batch(batch):
        # Each worker issues its share one after the other; the ten workers race each other.
        out = []
        for pk in batch:
            try:
                out.append(services.application_act(application=Application(pk=pk), action="issue",
                                                     by=cast["erin"], validity_months=12).pk)
            except Exception as exc:  # collected and asserted on below
                out.append(exc)
        return out

    batches = [pks[i::THREADS] for i in range(THREADS)]
    results = [r for batch in run_in_threads([lambda b=b: issue_batch(b) for b in batches]) for r in batch]
    assert sorted(results) == sorted(pks), [r for r in results if not isinstance(r, int)]

    acts = IssuedAct.objects.filter(application_id__in=pks)
    assert sorted(acts.values_list("number", flat=True)) == list(range(1, ISSUANCES + 1))
    assert set(acts.values_list("register", flat=True)) == {"cu"}
    counter = RegisterCounter.objects.get(issuer=cast["issuer_a"], register="cu")
    assert counter.last_number == ISSUANCES
    assert Application.objects.filter(pk__in=pks, status="issued").count() == ISSUANCES
    # Every act has its signed PDF on disk, with the digest recorded at issuance.
    for act in acts:
        with act.pdf.open("rb") as fh:
            assert hashlib.sha256(fh.read()).hexdigest() == act.sha256


def test_two_clerks_acting_on_one_request_at_once_through_the_api_one_wins_the_other_gets_409(
        cast, parcel_factory, api):
    app = _ready_draft(cast["alice"], parcel_factory(e=BACAU_E + 300, n=BACAU_N + 300))
    services.application_submit(application=app, by=cast["alice"])
    carol, erin = api(cast["carol"]), api(cast["erin"])
    url = f"/api/v1/applications/{app.pk}/transitions/"
    responses = run_in_threads([
        lambda: carol.post(url, {"action": "accept", "expected_status": "submitted"}, format="json"),
        lambda: erin.post(url, {"action": "return_for_completion", "expected_status": "submitted",
                                "reason": "Lipsește planul de situație."}, format="json"),
    ])
    codes = sorted(r.status_code for r in responses)
    assert codes == [200, 409], [(r.status_code, r.content[:300]) for r in responses]
    winner = next(r for r in responses if r.status_code == 200).json()
    loser = next(r for r in responses if r.status_code == 409).json()
    assert "allowed" in loser and "submitted" not in str(loser.get("allowed"))  # the loser sees the new state
    app.refresh_from_db()
    assert app.status == winner["status"] in ("in_review", "returned_for_completion")
    # submit + the single winner (the automatic assignment to carol is an "assign" event of its own)
    assert TransitionEvent.objects.filter(application=app).exclude(action="assign").count() == 2
