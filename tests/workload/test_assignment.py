"""Automatic assignment by each policy (100 requests over 4 clerks), by hand, leave, audit and concurrency."""
from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from parcels.models import Locality
from permits import assignment
from permits.models import Application, AssignmentPolicy, AssignmentRule, TransitionEvent
from tests.helpers import run_in_threads


def _policy(issuer, kind):
    AssignmentPolicy.objects.update_or_create(issuer=issuer, defaults={"kind": kind})


def _counts(apps, clerks):
    got = Counter(Application.objects.filter(pk__in=[a.pk for a in apps]).values_list("assigned_to", flat=True))
    return [got[c.pk] for c in clerks]


def test_round_robin_spreads_100_requests_25_each(cast, clerks, registered):
    _policy(cast["issuer_a"], "round_robin")
    apps = registered(100)
    for app in apps:
        assignment.assign_auto(application=app)
    assert _counts(apps, clerks) == [25, 25, 25, 25]
    # In turn: 1, 2, 3, 4, 1, …
    order = list(Application.objects.filter(pk__in=[a.pk for a in apps]).order_by("pk")
                 .values_list("assigned_to", flat=True)[:5])
    assert order == [clerks[0].pk, clerks[1].pk, clerks[2].pk, clerks[3].pk, clerks[0].pk]


def test_least_open_fills_up_the_less_loaded_first(cast, clerks, registered):
    _policy(cast["issuer_a"], "least_open")
    preloaded = registered(10, status="in_review", assigned_to=clerks[0])
    registered(5, status="issued", assigned_to=clerks[1])  # closed work does not count
    apps = registered(100)
    for app in apps:
        assignment.assign_auto(application=app)
    # The three others reach 10 first (30 requests), then 70 go round four by id: 18, 18, 17, 17.
    assert _counts(apps, clerks) == [18, 28, 27, 27]
    assert _counts(apps + preloaded, clerks) == [28, 28, 27, 27]


def test_by_uat_follows_the_mapping_and_balances_unmapped(cast, clerks, registered):
    _policy(cast["issuer_a"], "by_uat")
    AssignmentRule.objects.create(issuer=cast["issuer_a"], uat=cast["uat_a"], clerk=clerks[2])
    mapped = registered(60)
    unmapped = registered(40, uat=cast["uat_b"])
    for app in mapped + unmapped:
        assignment.assign_auto(application=app)
    assert _counts(mapped, clerks) == [0, 0, 60, 0]
    # The unmapped UAT's requests go to the least loaded: the three others, then clerk 3 is far ahead.
    assert _counts(unmapped, clerks) == [14, 13, 0, 13]


def test_by_locality_reads_the_locality_from_the_address(cast, clerks, registered):
    _policy(cast["issuer_a"], "by_locality")
    uat = cast["uat_a"]
    names = ["Bacău", "Sărata", "Izvoare", "Gâșteni"]
    places = [Locality.objects.create(siruta=900 + i, name=name, uat=uat, kind="localitate", is_seat=(i == 0))
              for i, name in enumerate(names)]
    for place, clerk in zip(places, clerks, strict=True):
        AssignmentRule.objects.create(issuer=cast["issuer_a"], locality=place, clerk=clerk)
    spread = {"Bacău": 10, "SARATA": 20, "Izvoare": 30, "Gasteni": 35}  # case and diacritics do not matter
    apps = [a for name, n in spread.items() for a in registered(n, address=f"Str. Mare nr. 1, {name}")]
    apps += registered(5, address="fără localitate")  # the seat of the UAT
    for app in apps:
        assignment.assign_auto(application=app)
    assert _counts(apps, clerks) == [15, 20, 30, 35]


def test_automatic_assignment_is_audited(cast, clerks, registered):
    app = registered(1, status="submitted")[0]
    assignment.assign_auto(application=app)
    event = TransitionEvent.objects.get(application=app, action="assign")
    assert (event.assigned_from_id, event.assigned_to_id, event.by_id) == (None, clerks[0].pk, None)
    assert event.reason == "Repartizare automată: Pe rând (round robin)."
    assert event.from_status == event.to_status == "submitted"


def test_reassignment_by_the_head_is_audited(cast, clerks, registered):
    app = registered(1)[0]
    assignment.assign_auto(application=app)
    with pytest.raises(PermissionDenied):
        assignment.assign_by_hand(application=app, to=clerks[1], by=clerks[0], reason="mai liber")
    with pytest.raises(ValidationError) as err:
        assignment.assign_by_hand(application=app, to=clerks[1], by=cast["erin"], reason=" ")
    assert "reason" in err.value.message_dict
    with pytest.raises(ValidationError):  # another issuer's clerk
        assignment.assign_by_hand(application=app, to=cast["dave"], by=cast["erin"], reason="x")
    before = timezone.now()
    assignment.assign_by_hand(application=app, to=clerks[1], by=cast["erin"], reason="Cunoaște zona")
    app.refresh_from_db()
    assert app.assigned_to_id == clerks[1].pk
    event = TransitionEvent.objects.filter(application=app, action="assign").order_by("id").last()
    assert (event.by_id, event.assigned_from_id, event.assigned_to_id, event.reason) == (
        cast["erin"].pk, clerks[0].pk, clerks[1].pk, "Cunoaște zona")
    assert event.at >= before


def test_leave_moves_open_work_and_new_requests_skip_the_absent(cast, clerks, registered):
    _policy(cast["issuer_a"], "round_robin")
    apps = registered(8)
    for app in apps:
        assignment.assign_auto(application=app)
    done = registered(1, status="issued", assigned_to=clerks[1])[0]
    today = timezone.localdate()
    leave, moved = assignment.leave_record(user=clerks[1], start=today, end=today + timedelta(days=9),
                                           by=cast["erin"], reason="concediu de odihnă")
    assert moved == 2
    assert not Application.objects.filter(assigned_to=clerks[1], status="submitted").exists()
    done.refresh_from_db()
    assert done.assigned_to_id == clerks[1].pk  # closed work stays with who decided it
    assert _counts(apps, clerks) == [3, 0, 3, 2]  # round robin goes on after clerk 4: clerk 1, then clerk 3
    moves = TransitionEvent.objects.filter(action="assign", assigned_from=clerks[1])
    assert moves.count() == 2 and all("Concediu" in e.reason for e in moves)
    new = registered(30)
    for app in new:
        assignment.assign_auto(application=app)
    assert _counts(new, clerks)[1] == 0 and sum(_counts(new, clerks)) == 30
    with pytest.raises(ValidationError):
        assignment.assign_by_hand(application=new[0], to=clerks[1], by=cast["erin"], reason="x")


def test_leave_recorded_in_advance_applies_on_its_first_day(cast, clerks, registered):
    apps = registered(4)
    for app in apps:
        assignment.assign_auto(application=app)
    start = timezone.localdate() + timedelta(days=3)
    _leave, moved = assignment.leave_record(user=clerks[0], start=start, end=start, by=cast["erin"])
    assert moved == 0
    assert assignment.leaves_apply(on=start) == 1
    assert _counts(apps, clerks)[0] == 0
    assert assignment.leaves_apply(on=start) == 0  # idempotent


@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_take_turns(cast, clerks, registered):
    apps = registered(2)
    results = run_in_threads([lambda a=a: assignment.assign_auto(application=a) for a in apps])
    assert all(not isinstance(r, Exception) for r in results), results
    assert sorted(_counts(apps, clerks)) == [0, 0, 1, 1]
    assert AssignmentPolicy.objects.get(issuer=cast["issuer_a"]).last_assigned_id in {clerks[0].pk, clerks[1].pk}
