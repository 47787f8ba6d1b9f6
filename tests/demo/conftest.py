"""The default demo county (5,000 parcels, seed 1), generated once for the tests/demo package.

Generating takes a few seconds, so it is committed once for the package and removed afterwards
(other test modules must not see it: their `territory` fixture creates its own Bacău).
"""
from __future__ import annotations

import pytest
from django.db import transaction
from django.test import override_settings

from demo.catalog import COUNTY
from demo.services import demo_clear, demo_county_generate
from parcels.models import UAT, Issuer


@transaction.atomic
def remove_demo() -> None:
    """Remove the county: its parcels and layers, then every UAT of it (with localities) and issuer."""
    demo_clear()
    Issuer.objects.filter(county=COUNTY).delete()
    UAT.objects.filter(county=COUNTY).delete()


@pytest.fixture(scope="package")
def county(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=str(media)):
        summary = demo_county_generate(parcels=5_000, seed=1)
        try:
            yield summary
        finally:
            remove_demo()
