"""Benchmark: sending aviz requests (with their notifications) and the deadline tick at volume.

Usage:
  .venv/bin/python bench/avize_bench.py [--applications 1000] [--database-url URL]

Creates (or reuses) the database `bench_avize` on the project's cluster, migrates it, and in one run:
1. Builds N AC applications in the avize stage, each requiring 5 institutions (one of them defence,
   without tacit approval).
2. Sends the requests with `aviz_requests_create_for` per application (one transaction each), once
   with notifications recorded and deferred (the real path) and, on a second set of applications,
   with notify() replaced by a no-op: the difference is the cost of enqueueing in the transaction.
3. Runs `avize_tick(now=after every due date)`: 4 tacit approvals and 1 escalation per application,
   each request in its own transaction with its audit event and notifications, and compares it with
   a bare SQL UPDATE of the same rows (the floor: no audit, no notification, no per-row transaction).
Writes bench/results/avize.json.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchdb import migrated_database  # noqa: E402


def prepare(name: str) -> str:
    return migrated_database(name, fresh=True)[0]


def build(n: int, tag: str):
    from django.contrib.gis.geos import MultiPolygon, Polygon

    from accounts.models import User
    from institutions.models import Institution
    from parcels.models import UAT, Issuer, Parcel
    from permits.choices import ApplicantType, Kind, Status
    from permits.models import Application

    uat, _ = UAT.objects.get_or_create(siruta=20297, defaults=dict(
        name="Bacău", county="Bacău", county_code="BC", kind=UAT.Kind.MUNICIPIU,
        boundary=MultiPolygon(Polygon.from_bbox((640000, 560000, 650000, 570000)), srid=3844)))
    issuer, _ = Issuer.objects.get_or_create(uat=uat, defaults=dict(name="Primarul municipiului Bacău",
                                                                    kind=Issuer.Kind.PRIMAR, county="Bacău"))
    owner, _ = User.objects.get_or_create(username="bench-owner", defaults={"email": "o@example.ro"})
    User.objects.get_or_create(username="bench-clerk", defaults={"email": "c@example.ro", "role": "clerk",
                                                                 "issuer": issuer})
    kinds = ["culture", "electricity", "environment", "water", "defence"]
    institutions = []
    for kind in kinds:
        inst, _ = Institution.objects.get_or_create(code=f"bench-{kind}", defaults=dict(
            name=f"Bench {kind}", kind=kind, county="Bacău", email=f"{kind}@example.ro",
            tacit_approval=kind != "defence"))
        User.objects.get_or_create(username=f"bench-rev-{kind}", defaults={"email": f"r-{kind}@example.ro",
                                                                          "role": "reviewer", "institution": inst})
        institutions.append(inst)
    required = {"required_avize": [{"institution": {"id": i.pk, "code": i.code, "name": i.name, "kind": i.kind},
                                    "reasons": [{"rule": "R2"}]} for i in institutions]}
    apps = []
    for k in range(n):
        parcel = Parcel.objects.create(uat=uat, cadastral_number=f"{tag}{k}", measured_area_m2=400,
                                       geom=MultiPolygon(Polygon.from_bbox((645000 + k, 565000, 645020 + k, 565020)),
                                                         srid=3844))
        app = Application.objects.create(kind=Kind.AC, status=Status.AVIZE, owner=owner, uat=uat, issuer=issuer,
                                         applicant_type=ApplicantType.PERSON, applicant_name="Bench",
                                         applicant_id_code="1800101040017", analysis_result=required)
        app.parcels.add(parcel)
        apps.append(app)
    return apps


def send_all(apps) -> list[float]:
    from avize.services import aviz_requests_create_for

    times = []
    for app in apps:
        started = time.perf_counter()
        aviz_requests_create_for(application=app, by=None)
        times.append(time.perf_counter() - started)
    return times


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--applications", type=int, default=1000)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    args = parser.parse_args()
    url = args.database_url or prepare("bench_avize")
    os.environ["DATABASE_URL"], os.environ["DEBUG"] = url, "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gis_portal.settings")
    import django

    django.setup()
    from unittest import mock

    from django.db import connection
    from django.utils import timezone

    from avize.models import AvizRequest
    from avize.services import avize_tick
    from notifications.models import Notification

    n = args.applications
    with_notify = send_all(build(n, "A"))
    with mock.patch("avize.notify._notify"):
        without_notify = send_all(build(n, "B"))
    per_app = {"with_notifications_ms": {"p50": pct(with_notify, .5) * 1e3, "p95": pct(with_notify, .95) * 1e3},
               "without_notifications_ms": {"p50": pct(without_notify, .5) * 1e3,
                                            "p95": pct(without_notify, .95) * 1e3}}
    overhead_per_request_ms = (pct(with_notify, .5) - pct(without_notify, .5)) * 1e3 / 5
    notifications = Notification.objects.count()

    after = timezone.now() + timedelta(days=60)
    started = time.perf_counter()
    done = avize_tick(now=after)
    tick_s = time.perf_counter() - started
    # The floor, on the same rows: one UPDATE, no audit, no notifications, no per-row transactions.
    ids = list(AvizRequest.objects.values_list("pk", flat=True))
    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute("UPDATE avize_avizrequest SET state = 'tacitly_approved', answered_at = now() "
                       "WHERE id = ANY(%s)", [ids])
        bare_s = time.perf_counter() - started

    result = {
        "machine": {"cores": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "applications": n, "requests_per_application": 5,
        "send_per_application": per_app,
        "enqueue_overhead_per_request_ms_p50": overhead_per_request_ms,
        "notifications_recorded": notifications,
        "tick": {**done, "seconds": tick_s, "requests_per_second": (done["tacit"] + done["escalated"]) / tick_s,
                 "bare_sql_update_seconds": bare_s, "ratio_to_bare_sql": tick_s / bare_s},
    }
    out = ROOT / "bench" / "results" / "avize.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
