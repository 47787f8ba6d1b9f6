"""The demo shows the life of a building permit after its issue: an AC with works under way (start notice given)
and one whose works have ended, waiting for the clerk's reception (demo.works, run by `demo_setup`)."""
from __future__ import annotations

import pytest
from django.core.management import call_command

from accounts.demo import ensure_demo_accounts
from accounts.models import User
from demo.works import demo_works_seed
from notifications.models import Notification
from permits import workflow
from permits.choices import Kind, Status
from permits.models import Application
from web.selectors import staff_queue

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_users(county, signing):
    for command in ("seed_institutions", "seed_rules"):
        call_command(command, verbosity=0)
    ensure_demo_accounts(password="demo-test-pass")
    return {u.username: u for u in User.objects.filter(username__in=("investitor", "functionar", "arhitect"))}


def test_the_demo_has_an_ac_with_works_under_way_and_one_awaiting_reception(demo_users):
    investor, clerk, chief = demo_users["investitor"], demo_users["functionar"], demo_users["arhitect"]
    made = demo_works_seed(investor=investor, clerk=clerk, chief=chief)
    cu, under_way, ended = made
    assert cu.kind == Kind.CU and cu.status == Status.ISSUED
    assert [a.kind for a in (under_way, ended)] == [Kind.AC, Kind.AC]
    assert under_way.status == Status.WORKS_STARTED and under_way.works.end_date is None
    assert under_way.works.contractor_name and under_way.act.pdf  # a real, signed act
    assert ended.status == Status.WORKS_ENDED and ended.works.end_date and not ended.receptions.exists()
    for ac in (under_way, ended):
        assert ac.owner == investor and ac.issuer_id == clerk.issuer_id and ac.based_on_id == cu.pk
        assert Notification.objects.filter(event="works_notice", user=clerk,
                                           context__application_id=ac.pk).exists()
    # What the new users then do: the investor may end the works (or ask an extension), the clerk receives them.
    assert "announce_end" in workflow.offered_actions(under_way, investor)[0]
    assert "record_reception" in workflow.offered_actions(ended, clerk)[0]
    assert ended in staff_queue(clerk)
    # Idempotent: a second start of the demo adds nothing.
    assert demo_works_seed(investor=investor, clerk=clerk, chief=chief) == []
    assert Application.objects.filter(owner=investor).count() == 3


def test_demo_setup_seeds_them_once(county, signing, settings):
    settings.DEMO_MODE = True
    from io import StringIO

    out = StringIO()
    call_command("demo_setup", stdout=out)
    assert "Lucrări în execuție" in out.getvalue() and "Lucrări terminate" in out.getvalue()
    statuses = set(Application.objects.filter(owner__username="investitor").values_list("status", flat=True))
    assert statuses == {Status.ISSUED, Status.WORKS_STARTED, Status.WORKS_ENDED}
    call_command("demo_setup", stdout=StringIO())
    assert Application.objects.filter(owner__username="investitor").count() == 3
