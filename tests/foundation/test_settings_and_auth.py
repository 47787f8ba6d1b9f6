import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from gis_portal.env import env_bool, env_int


def test_env_bool_rejects_typos(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "ture")
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG"):
        env_bool("SOME_FLAG")
    monkeypatch.setenv("SOME_FLAG", "yes")
    assert env_bool("SOME_FLAG") is True


def test_env_int_rejects_non_numbers(monkeypatch):
    monkeypatch.setenv("SOME_INT", "12a")
    with pytest.raises(ImproperlyConfigured, match="SOME_INT"):
        env_int("SOME_INT", 3)


def _manage(args, env_extra):
    # A production process starts with none of the test run's own switches (the browser tests set
    # DJANGO_ALLOW_ASYNC_UNSAFE for Playwright's event loop).
    test_only = ("DEBUG", "TESTING", "SECRET_KEY", "DEMO_MODE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if k not in test_only}
    env.update(env_extra)
    return subprocess.run([sys.executable, "manage.py", *args], capture_output=True, text=True, env=env)


def test_production_settings_refuse_to_start_without_a_secret_key():
    result = _manage(["check"], {"DEBUG": "0"})
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


PRODUCTION = {
    "DEBUG": "0", "SECRET_KEY": "x7$k2!q9Lz0@pW4vN8&mR1^tY6*uB3%cE5#hJ7(oF2)gD9_sA4+iK8=lZ1-nX6",
    "ALLOWED_HOSTS": "urbanism.example.ro", "TSA_URL": "https://tsa.example.ro/tsr",
}


def test_production_settings_pass_check_deploy():
    result = _manage(["check", "--deploy", "--fail-level", "WARNING"], PRODUCTION)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_check_deploy_warns_when_production_has_no_time_stamping_authority():
    result = _manage(["check", "--deploy", "--fail-level", "WARNING"], {**PRODUCTION, "TSA_URL": ""})
    assert result.returncode == 1
    assert "gis_portal.W001" in result.stderr and "TSA_URL is empty" in result.stderr
    assert "System check identified 1 issue" in result.stderr  # the only one
    plain = _manage(["check", "--fail-level", "WARNING"], {**PRODUCTION, "TSA_URL": ""})
    assert plain.returncode == 0 and "gis_portal.W001" not in plain.stdout + plain.stderr  # a deploy check only


def test_the_tsa_check_is_silent_in_debug(settings):
    from gis_portal.checks import tsa_configured

    settings.TSA_URL = ""
    settings.DEBUG = True
    assert tsa_configured() == []
    settings.DEBUG = False
    assert [m.id for m in tsa_configured()] == ["gis_portal.W001"]


@pytest.mark.django_db
def test_healthz_reports_database_and_postgis(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["postgis"].startswith("3.")


def test_token_is_issued_for_valid_credentials_only(cast, api):
    client = api()
    ok = client.post("/api/v1/auth/token/", {"username": "alice", "password": "alice-secret-pass"}, format="json")
    assert ok.status_code == 200 and len(ok.json()["token"]) == 40
    bad = client.post("/api/v1/auth/token/", {"username": "alice", "password": "wrong"}, format="json")
    assert bad.status_code == 400
