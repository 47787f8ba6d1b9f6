"""The default demo county (5,000 parcels, seed 1), generated once for the tests/demo package.

Generating takes a few seconds, so it is committed once for the package and removed afterwards
(other test modules must not see it: their `territory` fixture creates its own Bacău).
"""
from __future__ import annotations

import pytest
from django.db import transaction
from django.test import override_settings

from demo.catalog import UATS
from demo.services import demo_clear, demo_county_generate
from parcels.models import UAT, Issuer


@transaction.atomic
def remove_demo() -> None:
    demo_clear()
    Issuer.objects.filter(uat__siruta__in=[u.siruta for u in UATS]).delete()
    Issuer.objects.filter(kind=Issuer.Kind.PRESEDINTE_CJ, county="Bacău").delete()
    UAT.objects.filter(siruta__in=[u.siruta for u in UATS]).delete()


@pytest.fixture(scope="package")
def county(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=str(media)):
        summary = demo_county_generate(parcels=5_000, seed=1)
        try:
            yield summary
        finally:
            remove_demo()
