"""manage.py reads the settings make uses: the checkout's .env (written by scripts/bootstrap.sh)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from gis_portal.env import load_env_file

ROOT = Path(__file__).resolve().parents[2]


def test_env_file_lines_fill_what_the_environment_does_not_set(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("# comment\n\nDEBUG=1\nexport DEMO_MODE = 'yes'\nSITE_URL=\"http://x.example\"\n"
                        "SECRET_KEY=from-file\n")
    environ = {"SECRET_KEY": "from-environment"}
    assert load_env_file(env_file, environ) == ["DEBUG", "DEMO_MODE", "SITE_URL"]
    assert environ == {"SECRET_KEY": "from-environment", "DEBUG": "1", "DEMO_MODE": "yes",
                       "SITE_URL": "http://x.example"}
    assert load_env_file(tmp_path / "missing", environ) == []


@pytest.mark.parametrize("line", ["DEBUG", "NOT A NAME=1", "=1"])
def test_a_malformed_line_stops_the_process(tmp_path, line):
    (tmp_path / ".env").write_text(f"{line}\n")
    with pytest.raises(ImproperlyConfigured, match=r"\.env:1"):
        load_env_file(tmp_path / ".env", {})


def _manage(*args: str, env_file: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DEMO_MODE", "SECRET_KEY", "TESTING")}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**env, "ENV_FILE": str(env_file)}, timeout=120)


def test_manage_py_runs_a_command_with_the_env_file_and_without_make(tmp_path):
    missing = _manage("check", env_file=tmp_path / "none")
    assert missing.returncode != 0 and "Environment variable SECRET_KEY is required" in missing.stderr
    (tmp_path / ".env").write_text("DEBUG=1\nDEMO_MODE=1\n")
    ran = _manage("shell", "-c", "from django.conf import settings; print(settings.DEBUG, settings.DEMO_MODE)",
                  env_file=tmp_path / ".env")
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip().splitlines()[-1] == "True True"


def test_a_process_with_its_own_secret_key_ignores_the_env_file(tmp_path):
    """Production (a real SECRET_KEY in the environment) never reads a development .env."""
    (tmp_path / ".env").write_text("DEBUG=1\nDEMO_MODE=1\n")
    ran = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c",
         "from django.conf import settings; print(settings.DEBUG, settings.DEMO_MODE)"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={**{k: v for k, v in os.environ.items() if k not in ("DEBUG", "DEMO_MODE", "TESTING")},
             "ENV_FILE": str(tmp_path / ".env"), "SECRET_KEY": "p" * 60})
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip().splitlines()[-1] == "False False"
