"""Server-side tests of the staff side of the web app: the request page after the avize stage,
separation of duties, the offered actions, the work list and the confirmation step."""
from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from accounts.models import User
from avize import services as avize_services
from permits.choices import Status

pytestmark = pytest.mark.django_db


def client_for(user=None, language="ro") -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    if user is not None:
        client.force_login(user)
    return client


def reviewer_of(institution) -> User:
    return User.objects.create_user(username=f"rev-{institution.code}", password="x", role=User.Role.REVIEWER,
                                    institution=institution)


def test_the_request_page_of_an_ac_that_left_the_avize_stage_opens_for_applicant_and_clerk(ac_in_avize):
    app = ac_in_avize
    req = app.aviz_requests.get()
    avize_services.aviz_answer(request=req, by=reviewer_of(req.institution), outcome="favourable")
    app.refresh_from_db()
    assert app.status == Status.IN_REVIEW
    assert app.events.get(action="avize_complete").by is None  # the system ended the stage
    for user, language, word in ((app.owner, "ro", "(sistem)"), (User.objects.get(username="carol"), "en", "(system)")):
        response = client_for(user, language).get(f"/requests/{app.pk}/")
        assert response.status_code == 200
        assert word in response.content.decode()
