"""Absolute links put in messages: always built from settings.SITE_URL, never from a request's Host."""
from __future__ import annotations

from django.conf import settings
from django.urls import reverse


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def application_url(application_id: int) -> str:
    """The request's page in the web app (the applicant's and the issuer staff's view)."""
    return absolute(reverse("web:request-detail", args=[application_id]))


def act_links(application) -> dict[str, str]:
    """For an issued act: the signed PDF and its public verification page."""
    act = getattr(application, "act", None)
    if act is None:
        return {}
    from permits.issuance import verify_url

    return {"document_url": absolute(reverse("permits:application-act-pdf", args=[application.pk])),
            "verify_url": verify_url(act.verify_code)}
