"""`manage.py demo_county`: determinism, refusal on a non-empty database, bad input, seeds."""
from __future__ import annotations

import io
import json
import time

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from demo.selectors import demo_checksum
from demo.services import demo_county_generate
from parcels.models import UAT, Parcel

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


def test_the_same_seed_gives_the_same_county_and_another_seed_a_different_one():
    started = time.perf_counter()
    first = demo_county_generate(parcels=1_500, seed=7, force=True)
    elapsed = time.perf_counter() - started
    a = demo_checksum()
    demo_county_generate(parcels=1_500, seed=7, force=True)
    b = demo_checksum()
    demo_county_generate(parcels=1_500, seed=8, force=True)
    c = demo_checksum()
    assert Parcel.objects.count() == 1_500
    assert a == b != c
    assert len(a) == 32
    # Quick because it is set-based: COPY, not one ORM save per parcel.
    assert first.seconds["parcels+buildings (COPY)"] < 5
    assert elapsed < 60


def test_a_small_county_still_has_every_showcase_parcel():
    summary = demo_county_generate(parcels=1_500, seed=3, force=True)
    assert summary.missing_showcase == []


def test_it_refuses_a_database_that_already_has_uats_without_force(territory):
    with pytest.raises(CommandError, match="--force"):
        call_command("demo_county", "--parcels", "500", "--skip-seeds", stdout=io.StringIO())
    assert Parcel.objects.count() == 0
    assert UAT.objects.get(siruta=20297).boundary.area == 4000 * 4000  # untouched


def test_force_replaces_the_demo_but_keeps_uat_rows_that_users_point_at(territory):
    bacau_id = territory["uat_a"].pk
    call_command("demo_county", "--parcels", "500", "--force", "--skip-seeds", stdout=io.StringIO())
    bacau = UAT.objects.get(siruta=20297)
    assert bacau.pk == bacau_id
    assert bacau.boundary.area != pytest.approx(4000 * 4000)  # the demo boundary replaced the fixture square
    assert Parcel.objects.count() == 500


@pytest.mark.parametrize("parcels", ["10", "3000000"])
def test_an_unreasonable_parcel_count_is_refused_with_the_field_named(parcels):
    with pytest.raises(CommandError, match="parcels: must be between 100 and"):
        call_command("demo_county", "--parcels", parcels, "--skip-seeds", stdout=io.StringIO())
    assert not UAT.objects.exists()


def test_the_service_raises_a_validation_error_naming_force():
    demo_county_generate(parcels=500, seed=1)
    with pytest.raises(ValidationError) as exc:
        demo_county_generate(parcels=500, seed=1)
    assert "force" in exc.value.message_dict


def test_the_command_runs_the_seed_commands_that_exist_and_prints_a_summary(monkeypatch, tmp_path):
    import demo.management.commands.demo_county as cmd

    called = []
    monkeypatch.setattr(cmd, "get_commands", lambda: {"seed_rules": "rules", "migrate": "django"})
    monkeypatch.setattr(cmd, "call_command", lambda name, **kw: called.append(name))
    out = io.StringIO()
    target = tmp_path / "showcase.json"
    call_command("demo_county", "--parcels", "800", "--showcase-json", str(target), stdout=out)
    assert called == ["seed_rules"]
    text = out.getvalue()
    assert "parcels.Parcel" in text and "800" in text and "Done in" in text
    saved = json.loads(target.read_text())
    assert saved["parcels"] == 800
    assert {s["key"] for s in saved["showcase"]} >= {"monument-80m-urban", "lea110-within-10m", "monument-150m-rural"}
