"""Two answers racing for the same request: one wins, the other gets a 409 (real threads and connections)."""
from __future__ import annotations

import pytest

from avize import services
from avize.models import AvizRequest, State
from gis_portal.api.exceptions import StateConflict
from tests.avize.conftest import days
from tests.helpers import run_in_threads

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_answers_racing_leave_exactly_one_outcome_and_one_audit_event(cast, ac_in_avize, t0):
    app = ac_in_avize(cast["electricity"])
    (r,) = services.aviz_requests_create_for(application=app, by=cast["carol"], now=t0)
    results = run_in_threads([
        lambda: services.aviz_answer(request=r, by=cast["grace"], outcome=State.FAVOURABLE, now=t0 + days(1)),
        lambda: services.aviz_answer(request=r, by=cast["grace"], outcome=State.UNFAVOURABLE, text="Nu.",
                                     now=t0 + days(1)),
    ])
    winners = [x for x in results if isinstance(x, AvizRequest)]
    losers = [x for x in results if isinstance(x, StateConflict)]
    assert len(winners) == 1 and len(losers) == 1, results
    r.refresh_from_db()
    assert r.state == winners[0].state
    assert r.events.filter(action__startswith="answer").count() == 1
