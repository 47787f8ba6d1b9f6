"""The database router against a real primary and a streaming hot standby (gis_portal/db_router.py).

A dedicated primary cluster gets the test database's schema (pg_dump of pytest-django's database), a
standby is cloned from it with pg_basebackup -R, and Django's connections are pointed at the pair for
this module: `default` → the primary, `replica_1` → the standby. Requests go through the real views
with Django's test client.
"""
from __future__ import annotations

import subprocess
import threading
import time

import pytest
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, router
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from gis_portal import db_router
from parcels.models import UAT, Parcel
from tests.conftest import BACAU_E, BACAU_N, square
from tests.scaling.pgcluster import PrimaryAndStandby

DB = "gis_portal_replica_test"
REPLICA = "replica_1"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pair(django_db_setup, django_db_blocker):
    clusters = PrimaryAndStandby()
    saved = dict(connections[DEFAULT_DB_ALIAS].settings_dict)
    try:
        clusters.start_primary()
        clusters.primary.sql(f"CREATE DATABASE {DB}")
        test_db = connections[DEFAULT_DB_ALIAS].creation._get_test_db_name()  # pytest-django's, migrated
        if saved["NAME"] != test_db:  # this module alone: no test asked pytest-django for a database
            with django_db_blocker.unblock():
                connections[DEFAULT_DB_ALIAS].creation.create_test_db(verbosity=0, keepdb=True, serialize=False)
        host = saved["HOST"] or saved["OPTIONS"].get("host", "")
        dump = subprocess.run(["pg_dump", "-Fc", "-h", host, "-p", str(saved["PORT"] or 5432),
                               "-U", saved["USER"], "-d", test_db], check=True, capture_output=True)
        subprocess.run(["pg_restore", "--no-owner", "-h", str(clusters.root), "-p", str(clusters.primary.port),
                        "-U", "postgres", "-d", DB], input=dump.stdout, check=True, capture_output=True)
        clusters.start_standby()
        with django_db_blocker.unblock():
            connections[DEFAULT_DB_ALIAS].close()
            connections[DEFAULT_DB_ALIAS].settings_dict.update(
                NAME=DB, HOST=str(clusters.root), PORT=str(clusters.primary.port), USER="postgres",
                OPTIONS={**saved["OPTIONS"], "host": str(clusters.root)})
            connections.settings[REPLICA] = {**connections[DEFAULT_DB_ALIAS].settings_dict,
                                             "PORT": str(clusters.replica.port),
                                             "OPTIONS": {**saved["OPTIONS"], "host": str(clusters.root),
                                                         "port": clusters.replica.port}}
            with override_settings(REPLICA_DATABASES=[REPLICA], REPLICA_MAX_LAG_SECONDS=60,
                                   REPLICA_CHECK_SECONDS=0, REPLICA_PIN_SECONDS=30):
                db_router.forget_health()
                yield clusters
            connections[REPLICA].close()
            del connections[REPLICA]
            del connections.settings[REPLICA]
            connections[DEFAULT_DB_ALIAS].close()
            connections[DEFAULT_DB_ALIAS].settings_dict.clear()
            connections[DEFAULT_DB_ALIAS].settings_dict.update(saved)
            db_router.forget_health()
    finally:
        clusters.destroy()


@pytest.fixture(scope="module")
def parcel(pair):
    uat = UAT.objects.create(siruta=20297, name="Bacău", county="Bacău", county_code="BC",
                             kind=UAT.Kind.MUNICIPIU, boundary=square(BACAU_E - 2000, BACAU_N - 2000, 4000))
    parcel = Parcel.objects.create(uat=uat, cadastral_number="70001", geom=square(BACAU_E, BACAU_N, 30),
                                   measured_area_m2=900, address="Strada Veche 1")
    pair.wait_caught_up(DB)
    return parcel


def _address(client: Client, parcel: Parcel) -> str:
    response = client.get(f"/api/v1/parcels/{parcel.pk}/")
    assert response.status_code == 200, response.content
    return response.json()["properties"]["address"]


def _served_by(client: Client, parcel: Parcel) -> tuple[str, str]:
    """(address answered, alias whose connection ran the parcel query)."""
    with CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as primary, \
            CaptureQueriesContext(connections[REPLICA]) as replica:
        address = _address(client, parcel)
    ran = {alias for alias, queries in ((DEFAULT_DB_ALIAS, primary), (REPLICA, replica))
           if any("parcels_parcel" in q["sql"] for q in queries)}
    assert len(ran) == 1, ran
    return address, ran.pop()


def _set_address(parcel: Parcel, address: str) -> None:
    Parcel.objects.filter(pk=parcel.pk).update(address=address)


def _wait_lag_over(seconds: float) -> None:
    deadline = time.monotonic() + 20
    while db_router.replica_lag(REPLICA)[1] <= seconds:
        assert time.monotonic() < deadline, "the paused standby never fell behind"
        time.sleep(0.1)


def test_opted_in_reads_are_served_by_the_standby(pair, parcel):
    assert db_router.replica_lag(REPLICA) == (True, 0.0)  # in recovery, caught up
    assert _served_by(Client(), parcel) == ("Strada Veche 1", REPLICA)
    tile = Client().get("/tiles/parcels/16/37667/23165.pbf")
    assert tile.status_code == 200 and tile.content  # the tile query (prepared, binary) on the standby too
    # A view that did not opt in (the staff work list, the applications API…) never sees the replica.
    with db_router.replica_context():
        assert router.db_for_read(Parcel) == REPLICA
    assert router.db_for_read(Parcel) == DEFAULT_DB_ALIAS


def test_writes_never_go_to_the_standby_which_refuses_them(pair, parcel):
    with db_router.replica_context():
        assert router.db_for_write(Parcel) == DEFAULT_DB_ALIAS
        from django.db import transaction
        with transaction.atomic():  # a transaction reads what it writes: the primary
            assert router.db_for_read(Parcel) == DEFAULT_DB_ALIAS
    with pytest.raises(DatabaseError, match="read-only transaction"), connections[REPLICA].cursor() as cursor:
        cursor.execute("UPDATE parcels_parcel SET address = 'x'")
    connections[REPLICA].close()


def test_a_lagging_standby_is_skipped_until_it_catches_up(pair, parcel):
    pair.replica.sql("SELECT pg_wal_replay_pause()", DB)
    try:
        _set_address(parcel, "Strada Nouă 2")
        # Within the allowed lag the standby answers, and its answer is the stale one.
        assert _served_by(Client(), parcel) == ("Strada Veche 1", REPLICA)
        with override_settings(REPLICA_MAX_LAG_SECONDS=0.5):
            _wait_lag_over(0.5)
            assert _served_by(Client(), parcel) == ("Strada Nouă 2", DEFAULT_DB_ALIAS)
    finally:
        pair.replica.sql("SELECT pg_wal_replay_resume()", DB)
    pair.wait_caught_up(DB)
    assert _served_by(Client(), parcel) == ("Strada Nouă 2", REPLICA)


def _wait_receivers(count: str, pair) -> None:
    deadline = time.monotonic() + 20
    while pair.replica.sql("SELECT count(*) FROM pg_stat_wal_receiver WHERE status = 'streaming'", DB) != count:
        assert time.monotonic() < deadline, f"the standby's streaming WAL receivers never became {count}"
        time.sleep(0.1)


def test_a_standby_whose_wal_receiver_is_down_is_skipped(pair, parcel):
    """pg_stat_wal_receiver: a standby that receives nothing from the primary has replayed all it got,
    so its lag reads 0 while the primary moves on — it is skipped until its receiver streams again."""
    status = db_router.replica_status(REPLICA)
    assert status.in_recovery and status.receiving and status.lag == 0.0
    assert status.silence is not None and 0 <= status.silence < 45
    with override_settings(REPLICA_MAX_SILENCE_SECONDS=0):  # heard from too long ago (any time at all)
        db_router.forget_health()
        assert _served_by(Client(), parcel)[1] == DEFAULT_DB_ALIAS
    conninfo = pair.replica.sql("SHOW primary_conninfo")
    assert conninfo
    pair.replica.sql("ALTER SYSTEM SET primary_conninfo = ''")  # the receiver stops, none restarts
    pair.replica.sql("SELECT pg_reload_conf()")
    try:
        _wait_receivers("0", pair)
        _set_address(parcel, "Strada Ruptă 4")
        status = db_router.replica_status(REPLICA)
        assert (status.in_recovery, status.receiving, status.lag) == (True, False, 0.0)  # "caught up", stale
        assert _served_by(Client(), parcel) == ("Strada Ruptă 4", DEFAULT_DB_ALIAS)
    finally:
        pair.replica.sql("ALTER SYSTEM SET primary_conninfo = '{}'".format(conninfo.replace("'", "''")))
        pair.replica.sql("SELECT pg_reload_conf()")
    _wait_receivers("1", pair)
    pair.wait_caught_up(DB)
    assert _served_by(Client(), parcel) == ("Strada Ruptă 4", REPLICA)


def test_a_client_that_wrote_reads_its_writes_from_the_primary(pair, parcel):
    from accounts.models import User

    User.objects.create_user(username="ana", password="parola-lunga-2026")
    pair.wait_caught_up(DB)
    pair.replica.sql("SELECT pg_wal_replay_pause()", DB)
    try:
        writer = Client()
        response = writer.post("/login/", {"username": "ana", "password": "parola-lunga-2026"})
        assert response.status_code == 302 and db_router.PIN_COOKIE in response.cookies
        _set_address(parcel, "Strada Scrisă 3")
        assert _served_by(writer, parcel) == ("Strada Scrisă 3", DEFAULT_DB_ALIAS)
        assert _served_by(Client(), parcel)[1] == REPLICA  # others may read the replica meanwhile
        forged = Client()
        forged.cookies[db_router.PIN_COOKIE] = "1"  # not signed: ignored
        assert _served_by(forged, parcel)[1] == REPLICA
    finally:
        pair.replica.sql("SELECT pg_wal_replay_resume()", DB)
    pair.wait_caught_up(DB)


def test_an_analysis_of_unsaved_geometry_reads_the_standby_and_stores_on_the_primary(pair, parcel):
    """Its layers, parcels and rules come from the replica (a little stale is fine for a look-up); the
    Analysis row is written to the primary (the standby would refuse it), and the POST does not pin
    the client to the primary."""
    import json

    from rules.models import Analysis

    drawn = square(BACAU_E + 5, BACAU_N + 5, 20)
    body = {"geometry": json.loads(drawn.json), "crs": "3844"}
    for _attempt in range(2):  # the first request also loads this process's rule cache
        with CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as primary, \
                CaptureQueriesContext(connections[REPLICA]) as replica:
            response = Client().post("/api/v1/analyses/", body, content_type="application/json")
    assert response.status_code == 201, response.content
    on_replica = " ".join(q["sql"] for q in replica.captured_queries)
    on_primary = " ".join(q["sql"] for q in primary.captured_queries)
    # The analysis' context statement (rules and layer generations, UATs, candidate layer features).
    assert "rules_generation" in on_replica and "layers_featurepart" in on_replica and "parcels_uat" in on_replica
    assert "INSERT INTO rules_analysis" in on_primary and "layers_featurepart" not in on_primary
    assert "INSERT" not in on_replica
    assert db_router.PIN_COOKIE not in response.cookies
    analysis_id = response.json()["id"]
    assert Analysis.objects.using(DEFAULT_DB_ALIAS).filter(pk=analysis_id).exists()
    assert [u["siruta"] for u in response.json()["uats"]] == [20297]  # found on the replica


def test_the_standby_stopped_under_a_request_fails_no_request(pair, parcel):
    """The replica was healthy when last checked, then stops: the query fails on it and the view runs
    again on the primary (the DRF view and the tile view alike)."""
    client = Client()
    with override_settings(REPLICA_CHECK_SECONDS=60):
        assert _served_by(client, parcel)[1] == REPLICA  # checked healthy, remembered for a minute
        pair.replica.stop("immediate")
        assert _address(client, parcel) == "Strada Scrisă 3"
        assert client.get("/tiles/parcels/16/37667/23165.pbf").status_code == 200
        assert db_router._health[REPLICA][1] is False  # marked down: skipped until checked again
        started = time.monotonic()
        assert _address(client, parcel) == "Strada Scrisă 3"
        assert time.monotonic() - started < 1  # no new connection attempt
    pair.replica.start()
    pair.wait_caught_up(DB)
    assert _served_by(client, parcel)[1] == REPLICA  # back in use once it answers again


def test_the_standby_stopped_mid_run_fails_no_request(pair, parcel):
    client = Client()
    assert _served_by(client, parcel)[1] == REPLICA
    statuses: list[int] = []
    stopper = threading.Timer(0.3, pair.replica.stop, kwargs={"mode": "immediate"})
    stopper.start()
    deadline = time.monotonic() + 2.5
    while time.monotonic() < deadline:
        statuses.append(client.get(f"/api/v1/parcels/{parcel.pk}/").status_code)
        statuses.append(client.get("/tiles/parcels/16/37667/23165.pbf").status_code)
    stopper.join()
    assert len(statuses) > 10 and set(statuses) == {200}
    with CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as primary:
        assert _address(client, parcel) == "Strada Scrisă 3"
    assert any("parcels_parcel" in q["sql"] for q in primary.captured_queries)
