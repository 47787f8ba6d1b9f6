"""The project's own cluster (gis_portal.devdb): durable commits by default (issue 14, item 5), and a
home the postgres user can reach from any checkout (item 14). Standard library code: no database needed."""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from gis_portal import devdb

ROOT = Path(__file__).resolve().parents[2]


def test_a_new_cluster_is_not_configured_to_lose_commits():
    # Applied at every start instead (DEVDB_SYNCHRONOUS_COMMIT, default on); the crash itself is tested
    # in test_database_outage.py on a cluster devdb creates.
    assert "synchronous_commit" not in devdb.TUNING


@pytest.mark.skipif(os.geteuid() != 0, reason="the postgres user's reach matters only when we are root")
def test_a_private_directory_is_out_of_the_postgres_users_reach_and_a_shared_one_is_not(tmp_path):
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    owner = devdb._owner(create=False)
    assert not devdb.reachable_by(owner, private / "checkout" / "var")
    shared = Path(tempfile.mkdtemp(dir="/tmp"))
    try:
        os.chmod(shared, 0o755)
        assert devdb.reachable_by(owner, shared / "checkout" / "var")
    finally:
        shared.rmdir()


@pytest.mark.skipif(os.geteuid() != 0, reason="the postgres user's reach matters only when we are root")
def test_a_checkout_in_a_private_directory_keeps_its_cluster_in_its_own_shared_directory(tmp_path):
    """`python3 -m gis_portal.devdb url` from a copy of devdb.py in a 0700 directory (as `mktemp -d` makes)."""
    checkout = tmp_path / "private" / "checkout"
    (checkout / "gis_portal").mkdir(parents=True)
    os.chmod(tmp_path / "private", 0o700)
    (checkout / "gis_portal" / "__init__.py").write_text("")
    (checkout / "gis_portal" / "devdb.py").write_text(Path(devdb.__file__).read_text())
    url = subprocess.run([sys.executable, "-m", "gis_portal.devdb", "url"], cwd=checkout, capture_output=True,
                         text=True, check=True).stdout.strip()
    assert url.startswith(f"postgres://postgres@/gis_portal?host={devdb.SHARED_ROOT}/")
    assert str(checkout) not in url


@pytest.mark.skipif(os.geteuid() != 0, reason="runs initdb as the postgres user")
def test_a_cluster_the_postgres_user_cannot_reach_is_explained_in_one_sentence_without_a_traceback(tmp_path):
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    code = ("import sys; from pathlib import Path; from gis_portal import devdb\n"
            f"devdb.cluster = lambda: devdb.Cluster(Path({str(private / 'db')!r}))\n"
            "sys.exit(devdb.main(['devdb', 'start']))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1 and "cannot reach" in done.stderr and "DATABASE_URL" in done.stderr
