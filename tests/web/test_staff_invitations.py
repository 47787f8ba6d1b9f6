"""Staff of a newly imported UAT are invited by e-mail with a one-time link, without the Django admin:
a portal admin invites its first chief architect, who then invites clerks of that issuer only."""
from __future__ import annotations

import re

import pytest
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from parcels.models import UAT, Issuer
from tests.conftest import BACAU_E, BACAU_N, square
from tests.helpers import otp_login
from tests.notifications.conftest import smtp  # noqa: F401  (the loopback SMTP server fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def new_issuer(cast):
    uat = UAT.objects.create(siruta=20742, name="Buhuși", county="Bacău", county_code="BC",
                             kind=UAT.Kind.ORAS, boundary=square(BACAU_E + 6000, BACAU_N, 3000))
    return Issuer.objects.create(name="Primarul orașului Buhuși", kind=Issuer.Kind.PRIMAR, uat=uat, county="Bacău")


def _link(receiver, email: str) -> str:
    (message,) = [m for m in receiver.messages if m["To"] == email]
    body = message.get_payload(decode=True).decode()
    return re.search(r"https://urbanism\.example\.ro(/invitation/\S+/)", body).group(1)


def _invite(client, **data):
    return client.post("/manage/staff/", data)


def _send_invitations() -> int:
    """Run the e-mail jobs the invitations recorded, as the worker would (procrastinate's job rows; the
    task only wraps `invitation_send` in connection hygiene, which would close the test's transaction)."""
    from procrastinate.contrib.django.models import ProcrastinateJob

    from accounts.invitations import invitation_send

    jobs = list(ProcrastinateJob.objects.filter(task_name="staff_invitation_send", status="todo").order_by("id"))
    for job in jobs:
        assert invitation_send(**job.args)
    ProcrastinateJob.objects.filter(pk__in=[j.pk for j in jobs]).delete()
    return len(jobs)


def test_an_admin_invites_a_chief_architect_who_invites_a_clerk_of_the_same_issuer_only(
        cast, new_issuer, smtp, settings):  # noqa: F811
    settings.SITE_URL = "https://urbanism.example.ro"
    admin = Client()
    otp_login(admin, cast["root"])
    response = _invite(admin, email="Ana.Sef@Buhusi.ro", first_name="Ana", last_name="Șef",
                       role="chief_architect", issuer=new_issuer.pk)
    assert response.status_code == 302
    assert _send_invitations() == 1
    invited = User.objects.get(email="ana.sef@buhusi.ro")
    assert (invited.role, invited.issuer, invited.is_active, invited.has_usable_password()) == (
        "chief_architect", new_issuer, False, False)
    link = _link(smtp, "ana.sef@buhusi.ro")
    # the invited person cannot log in before accepting
    assert not Client().login(username=invited.username, password="")
    ana = Client()
    assert "Arhitect-șef" in ana.get(link).content.decode()
    weak = ana.post(link, {"username": "ana.sef", "password1": "123", "password2": "123"})
    assert weak.status_code == 400
    response = ana.post(link, {"username": "ana.sef", "password1": "Buhusi-urbanism-2026",
                               "password2": "Buhusi-urbanism-2026"}, follow=True)
    # staff enrol their authenticator app before anything else, then land on their work list
    assert response.redirect_chain[-1][0] == "/account/second-factor/enrol/?next=%2Fstart%2F"
    device = TOTPDevice.objects.get(user=invited, confirmed=False)
    enrolled = ana.post(response.redirect_chain[-1][0], {"otp": f"{TOTP(device.bin_key).token():06d}"})
    assert enrolled.status_code == 200 and "Coduri de recuperare" in enrolled.content.decode()
    assert ana.get("/start/", follow=True).redirect_chain[-1][0] == "/staff/queue/"
    invited.refresh_from_db()
    assert invited.is_active and invited.username == "ana.sef" and invited.check_password("Buhusi-urbanism-2026")
    # one-time: the link no longer works
    assert Client().get(link).status_code == 404
    assert Client().post(link, {"username": "x", "password1": "Alta-parola-2026",
                                "password2": "Alta-parola-2026"}).status_code == 404
    # the chief architect invites a clerk of her issuer, and cannot invite for another issuer
    page = ana.get("/manage/staff/").content.decode()
    assert f'value="{new_issuer.pk}"' in page and f'value="{cast["issuer_a"].pk}"' not in page
    refused = _invite(ana, email="x@bacau.ro", role="clerk", issuer=cast["issuer_a"].pk)
    assert refused.status_code == 400 and not User.objects.filter(email="x@bacau.ro").exists()
    assert _invite(ana, email="ion@buhusi.ro", role="clerk", issuer=new_issuer.pk).status_code == 302
    assert User.objects.get(email="ion@buhusi.ro").issuer == new_issuer
    assert _send_invitations() == 1 and _link(smtp, "ion@buhusi.ro")
    # the same address cannot be invited twice
    assert _invite(ana, email="ion@buhusi.ro", role="clerk", issuer=new_issuer.pk).status_code == 400


def test_clerks_investors_and_reviewers_cannot_invite(cast):
    for name in ("carol", "alice", "frank"):
        client = Client()
        otp_login(client, cast[name])
        assert client.get("/manage/staff/").status_code == 403
        assert _invite(client, email="x@y.ro", role="clerk", issuer=cast["issuer_a"].pk).status_code == 403
    assert Client().get("/manage/staff/").status_code == 302
    assert Client().get("/invitation/MQ/forged-token/").status_code == 404


def test_an_invitation_the_mail_server_refused_is_sent_when_the_worker_tries_again(cast, new_issuer, smtp,  # noqa: F811
                                                                                   settings):
    """Nothing is lost when the mail server is down: the job fails (procrastinate retries it with backoff),
    the invitation stays, and the next try delivers it; once accepted, a late retry sends nothing."""
    from accounts.invitations import invitation_send

    settings.SITE_URL = "https://urbanism.example.ro"
    admin = Client()
    otp_login(admin, cast["root"])
    assert _invite(admin, email="maria@buhusi.ro", role="clerk", issuer=new_issuer.pk).status_code == 302
    invited = User.objects.get(email="maria@buhusi.ro")
    port = settings.EMAIL_PORT
    settings.EMAIL_PORT = 9  # discard: nothing listens, the connection is refused
    with pytest.raises(OSError):
        invitation_send(user_id=invited.pk, invited_by_id=cast["root"].pk)
    assert not [m for m in smtp.messages if m["To"] == "maria@buhusi.ro"]
    settings.EMAIL_PORT = port
    assert _send_invitations() == 1 and _link(smtp, "maria@buhusi.ro")
    invited.is_active = True
    invited.set_password("Maria-urbanism-2026")
    invited.save()
    assert invitation_send(user_id=invited.pk, invited_by_id=cast["root"].pk) is False
