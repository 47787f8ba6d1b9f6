"""The database goes away for 20 s, then crashes, while requests and notifications flow (issue 14).

A dedicated copy of the portal (faultlab: its own cluster, gunicorn, `manage.py worker`, a loopback
SMTP server) so stopping PostgreSQL never disturbs the rest of the suite. Shows:
- the API answers JSON 503 with Retry-After during the outage, a web page a plain 503 page, never a 500;
- the worker is alive afterwards and every notification is delivered, once;
- every write that answered 2xx is still there after an immediate (crash) stop and restart.
"""
from __future__ import annotations

import json
import threading
import time
import uuid

import pytest
from django.contrib.gis.geos import Polygon
from rest_framework.authtoken.models import Token

from permits.choices import REQUIRED_DOCUMENTS
from tests.conftest import BACAU_E, BACAU_N
from tests.hardening_ops.faultlab import FaultLab
from tests.notifications.receivers import SmtpReceiver
from tests.permits.conftest import VALID_CNP, pdf_bytes

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

OUTAGE_SECONDS = 20


class Traffic:
    """Writers in threads: anonymous analyses, and investors' CU requests (create, documents, submit:
    each submission notifies the investor by e-mail). A step answered 503 is retried."""

    def __init__(self, lab: FaultLab, *, token: str, parcel_id: int):
        self.lab, self.token, self.parcel_id = lab, token, parcel_id
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.statuses: list[int] = []
        self.bad: list[tuple[int, str, dict, bytes]] = []  # anything but 2xx or a proper JSON 503
        self.analyses: list[str] = []
        self.applications: list[int] = []
        self.submitted: list[int] = []
        geometry = Polygon.from_bbox((BACAU_E, BACAU_N, BACAU_E + 20, BACAU_N + 20))
        geometry.srid = 3844
        self.geometry = json.loads(geometry.transform(4326, clone=True).json)
        self.threads = [threading.Thread(target=self._analyses, daemon=True) for _ in range(2)]
        self.threads.append(threading.Thread(target=self._requests, daemon=True))

    def start(self) -> Traffic:
        for thread in self.threads:
            thread.start()
        return self

    def finish(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(60)

    def _call(self, method: str, path: str, **kw) -> tuple[int, bytes]:
        status, headers, body = self.lab.request(method, path, **kw)
        with self.lock:
            self.statuses.append(status)
            proper_503 = (status == 503 and headers.get("Content-Type", "").startswith("application/json")
                          and headers.get("Retry-After") == "2" and "detail" in json.loads(body or b"{}"))
            if not (200 <= status < 300 or proper_503):
                self.bad.append((status, path, headers, body[:500]))
        return status, body

    def _until_done(self, method: str, path: str, **kw) -> dict | None:
        """Repeat a step until it answers 2xx (503 while the database is away)."""
        while True:
            status, body = self._call(method, path, **kw)
            if 200 <= status < 300:
                return json.loads(body)
            if self.stop.is_set():
                return None
            time.sleep(0.3)

    def _analyses(self) -> None:
        while not self.stop.is_set():
            status, body = self._call("POST", "/api/v1/analyses/", body={"geometry": self.geometry})
            if status == 201:
                with self.lock:
                    self.analyses.append(json.loads(body)["id"])
            time.sleep(0.05 if status == 201 else 0.3)

    def _requests(self) -> None:
        payload = {"kind": "cu", "applicant_type": "person", "applicant_name": "Alice Popescu",
                   "applicant_id_code": VALID_CNP, "parcel_ids": [self.parcel_id], "purpose": "construire",
                   "works_kind": "building", "works_description": "Locuință P+1"}
        while not self.stop.is_set():
            created = self._until_done("POST", "/api/v1/applications/", body=payload, token=self.token)
            if created is None:
                return
            with self.lock:
                self.applications.append(created["id"])
            for doc_type in REQUIRED_DOCUMENTS["cu"]:
                if self._until_done("POST", f"/api/v1/applications/{created['id']}/documents/", token=self.token,
                                    body={"doc_type": doc_type}, files={"file": (f"{doc_type}.pdf", pdf_bytes())}) is None:
                    return
            if self._until_done("POST", f"/api/v1/applications/{created['id']}/submit/", token=self.token) is None:
                return
            with self.lock:
                self.submitted.append(created["id"])


def wait_for(predicate, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.3)
    return predicate()


def test_a_database_outage_and_a_crash_lose_no_acknowledged_write_and_no_notification(cast, parcel_factory):
    parcel = parcel_factory(e=BACAU_E + 100, n=BACAU_N + 100, size=20)
    token = Token.objects.create(user=cast["alice"]).key
    smtp = SmtpReceiver().start()
    lab = FaultLab(smtp_port=smtp.port)
    try:
        lab.start_database_from_test_database()
        assert lab.query("SHOW synchronous_commit") == ["on"]  # the project's cluster settings: durable
        lab.start_web_and_worker()
        traffic = Traffic(lab, token=token, parcel_id=parcel.pk).start()
        time.sleep(3)

        lab.cluster.stop("fast")  # the outage
        time.sleep(2)
        status, headers, body = lab.request("GET", f"/verify/{uuid.uuid4()}", accept="text/html")
        page = body.decode()
        assert status == 503 and headers["Content-Type"].startswith("text/html"), (status, page[:300])
        assert "Serviciu indisponibil temporar" in page and "Traceback" not in page
        time.sleep(OUTAGE_SECONDS - 2)
        assert lab.alive("worker"), lab.output("worker")
        submitted_before = len(traffic.submitted)
        lab.cluster.start(database=None)

        assert wait_for(lambda: len(traffic.submitted) > submitted_before, 40)  # requests flow again
        time.sleep(1)
        lab.cluster.stop("immediate")  # a crash while writes are in flight
        traffic.finish()
        lab.cluster.start(database=None)

        assert not traffic.bad, traffic.bad[:3]
        assert traffic.statuses.count(503) > 10 and len(traffic.analyses) > 5 and len(traffic.submitted) >= 1
        acknowledged = set(traffic.analyses)
        present = set(lab.query("SELECT id FROM rules_analysis"))
        assert acknowledged - present == set(), "analyses answered 201 but lost"
        present_apps = {int(pk) for pk in lab.query("SELECT id FROM permits_application")}
        assert set(traffic.applications) - present_apps == set(), "applications answered 201 but lost"
        submitted = ",".join(map(str, traffic.submitted))
        assert lab.query(f"SELECT count(*) FROM permits_application WHERE id IN ({submitted}) "
                         "AND status = 'draft'") == ["0"]

        # Every notification (one per submission at least) reaches the SMTP server exactly once.
        undelivered = ("SELECT id, status, attempts FROM notifications_notification "
                       "WHERE channel <> 'in_app' AND status <> 'delivered'")
        assert wait_for(lambda: lab.query(undelivered) == [], 60), lab.query(undelivered)
        message_ids = {f"<notification-{key}@gis-portal>"
                       for key in lab.query("SELECT uuid FROM notifications_notification WHERE channel = 'email'")}
        assert len(message_ids) >= len(traffic.submitted)
        assert wait_for(lambda: set(smtp.by_message_id) >= message_ids, 10)
        assert smtp.duplicates == 0
        assert lab.alive("worker") and lab.alive("web")
        assert "restarting it" in lab.output("worker") or "starts again" in lab.output("worker")
    finally:
        print("--- worker ---\n" + (lab.output("worker") if "worker" in lab.logs else ""))
        lab.close()
        smtp.stop()
